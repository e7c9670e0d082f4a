"""Status changes and operation results as JSON, checked field by field on the way in.

The classes are the frozen dataclasses of `daemon.cib.status_ops` and
`daemon.controller.messages.ActionResult`; their type hints say what each field may hold
(str, int, bool, optional ones, and tuples of name/value pairs), and decoding holds a peer's
message to them, naming the field that is wrong.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from functools import cache

from daemon.cib import status_ops
from daemon.controller.messages import ActionResult, NodeRef
from daemon.replication.wire import WireError, is_int, shown

STATUS_OPS: dict[str, type] = {cls.__name__: cls for cls in typing.get_args(status_ops.StatusOp)}


@cache
def _hints(cls: type) -> dict[str, object]:
    return typing.get_type_hints(cls)


def to_json(value) -> dict:
    out = {}
    for f in dataclasses.fields(value):
        item = getattr(value, f.name)
        if dataclasses.is_dataclass(item):
            item = to_json(item)
        elif isinstance(item, tuple):
            item = [list(pair) for pair in item]
        out[f.name] = item
    return out


def from_json(cls: type, doc, where: str):
    if not isinstance(doc, dict):
        raise WireError(f"{where}: expected an object, got {type(doc).__name__}")
    hints = _hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        place = f"{where}.{f.name}"
        if f.name not in doc:
            if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING:
                continue
            raise WireError(f"{place}: missing")
        kwargs[f.name] = _check(hints[f.name], doc[f.name], place)
    unknown = set(doc) - {f.name for f in dataclasses.fields(cls)} - {"op"}
    if unknown:
        raise WireError(f"{where}: unknown field(s) {shown(', '.join(sorted(unknown)))}")
    return cls(**kwargs)


def _check(hint, value, place: str):
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _check(inner[0], value, place)
    if hint is bool:
        if not isinstance(value, bool):
            raise WireError(f"{place}: expected true or false, got {shown(value)}")
        return value
    if hint is int:
        if not is_int(value):
            raise WireError(f"{place}: expected a 64-bit integer, got {shown(value)}")
        return value
    if hint is float:
        if not (is_int(value) or isinstance(value, float)) or not math.isfinite(value):
            raise WireError(f"{place}: expected a finite number, got {shown(value)}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise WireError(f"{place}: expected a string, got {shown(value)}")
        return value
    if origin is tuple:      # tuple[tuple[str, str], ...]: name/value pairs
        if not isinstance(value, list):
            raise WireError(f"{place}: expected a list of pairs")
        pairs = []
        for i, pair in enumerate(value):
            if (not isinstance(pair, list) or len(pair) != 2
                    or not all(isinstance(x, str) for x in pair)):
                raise WireError(f"{place}[{i}]: expected a [name, value] pair of strings")
            pairs.append((pair[0], pair[1]))
        return tuple(pairs)
    if dataclasses.is_dataclass(hint):
        return from_json(hint, value, place)
    raise WireError(f"{place}: cannot decode a {hint}")   # a field type this codec lacks


def status_op_to_json(op) -> dict:
    return {"op": type(op).__name__, **to_json(op)}


def status_op_from_json(doc, where: str):
    if not isinstance(doc, dict):
        raise WireError(f"{where}: expected an object, got {shown(doc)}")
    if not isinstance(doc.get("op"), str):
        raise WireError(f"{where}.op: expected the name of a status change")
    cls = STATUS_OPS.get(doc["op"])
    if cls is None:
        raise WireError(f"{where}.op: unknown status change {shown(doc['op'])}")
    return from_json(cls, doc, where)


def status_ops_from_json(items, where: str) -> tuple:
    if not isinstance(items, list):
        raise WireError(f"{where}: expected a list")
    return tuple(status_op_from_json(item, f"{where}[{i}]") for i, item in enumerate(items))


def results_from_json(items, where: str) -> tuple[ActionResult, ...]:
    if not isinstance(items, list):
        raise WireError(f"{where}: expected a list")
    return tuple(from_json(ActionResult, item, f"{where}[{i}]") for i, item in enumerate(items))


__all__ = ["NodeRef", "status_op_to_json", "status_ops_from_json", "results_from_json",
           "to_json", "from_json"]
