"""`set id.[op.][interval.]name value`: change one attribute without re-typing the object."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crmshell.errors import ShellError

if TYPE_CHECKING:
    from crmshell.staging.staged import StagedCib

PATH_HELP = "expected <id>.<name>, <id>.<op>.<name> or <id>.<op>.<interval>.<name>"


def set_value(staged: "StagedCib", path: str, value: str) -> None:
    parts = path.split(".")
    if not 2 <= len(parts) <= 4 or not all(parts):
        raise ShellError(f"invalid path '{path}': {PATH_HELP}")
    oid, *rest = parts
    elem = staged.require(oid)
    if len(rest) == 1:
        name = rest[0]
        pairs = [p for p in elem.iter("nvpair") if p.get("name") == name]
        if not pairs:
            raise ShellError(f"{oid} has no attribute named {name}")
        if len(pairs) > 1:
            raise ShellError(f"{oid} has {len(pairs)} attributes named {name}; "
                             "change them with edit")
        staged.begin_change()
        pairs[0].set("value", value)
    else:
        op_name, *interval, attr = rest
        ops = [o for o in elem.iterfind("operations/op") if o.get("name") == op_name]
        if interval:
            ops = [o for o in ops if o.get("interval") == interval[0]
                   or o.get("id") == f"{oid}-{op_name}-{interval[0]}"]
        if not ops:
            where = f" with interval {interval[0]}" if interval else ""
            raise ShellError(f"{oid} has no {op_name} operation{where}")
        if len(ops) > 1:
            raise ShellError(f"{oid} has {len(ops)} {op_name} operations; name the interval: "
                             f"{oid}.{op_name}.<interval>.{attr}")
        staged.begin_change()
        ops[0].set(attr, value)
    staged.mark_changed([oid])
