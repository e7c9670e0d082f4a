"""What may be asked of the daemon: the table of operations and their arguments.

The table is data so that adding an operation or an argument is one line, and so that a
request is checked completely, field by field, before any daemon code sees it: dispatch
code can trust `Request.args` to hold only known names with the declared types.

The JSON headers on the wire (the body travels raw after them, see `frames`):

    request  {"id": N, "op": "query", "args": {...}}
    reply    {"id": N, "ok": true, "result": {...}}
             {"id": N, "ok": false, "error": {"code", "message", "details"?}, "close"?: true}
    event    {"id": N, "ok": true, "result": {...}}     (streaming ops; a reply ends the stream)

"close" says the daemon ends the connection after this reply (the framing was lost, the
caller was refused); id 0 answers a request whose id could not be read.
"""

from __future__ import annotations

from collections import namedtuple

from daemon.api.errors import ApiError

API_VERSION = 1

# JSON value kinds an argument may take, and the Python types that carry them.
TYPES = {
    "string": (str,),
    "boolean": (bool,),
    "number": (int, float),
    "null": (type(None),),
}


# Named tuples rather than dataclasses keep the client's import light (the shell starts in
# about 0.1 s; dataclasses and inspect alone cost a sixth of that).

# types: keys of TYPES
Arg = namedtuple("Arg", "name types required choices", defaults=(("string",), False, ()))


class OpSpec(namedtuple("OpSpec", "args body streaming body_doc",
                        defaults=((), "none", False, ""))):
    """body: "none" | "required" | "optional"; streaming: answered with event frames until
    the client leaves."""

    __slots__ = ()

    def arg(self, name: str) -> Arg | None:
        for a in self.args:
            if a.name == name:
                return a
        return None


def _opt(name, *types, choices=()):
    return Arg(name, types or ("string",), False, choices)


def _req(name, *types, choices=()):
    return Arg(name, types or ("string",), True, choices)


OPS: dict[str, OpSpec] = {
    "hello": OpSpec(),
    "query": OpSpec((_opt("section"), _opt("xpath"))),
    "apply-patch": OpSpec((_opt("force", "boolean"),), body="required",
                          body_doc="a v2 patchset XML"),
    "replace": OpSpec((_opt("section"), _opt("force", "boolean")), body="required",
                      body_doc="CIB XML (the whole CIB or the section)"),
    "status": OpSpec((
        _opt("format", choices=("text", "xml")), _opt("inactive", "boolean"),
        _opt("failcounts", "boolean"), _opt("bynode", "boolean"), _opt("ops", "boolean"),
        _opt("timing", "boolean"), _opt("brief", "boolean"), _opt("full", "boolean"),
        _opt("tickets", "boolean"), _opt("node"),
        _opt("options", "object"),      # daemon.status.StatusOptions fields (changed())
    )),
    "resource": OpSpec((
        _req("action"), _opt("rsc"), _opt("node"), _opt("op"), _opt("interval"),
        _opt("lifetime"), _opt("name"), _opt("value", "string", "null"),
        _opt("force", "boolean"),
    )),
    "node": OpSpec((
        _req("action"), _opt("node"), _opt("name"), _opt("value", "string", "null"),
        _opt("lifetime"),
    )),
    "fence": OpSpec((
        _req("target"), _opt("action", choices=("reboot", "off")), _opt("timeout", "number"),
        _opt("tolerance", "number"), _opt("client"),
    )),
    "fence-history": OpSpec((_opt("target"),)),
    "ticket": OpSpec((_req("action", choices=("grant", "revoke", "standby", "activate",
                                               "delete")), _req("ticket"))),
    "wait": OpSpec((_opt("timeout", "number"),)),
    "subscribe": OpSpec((_opt("what"),), streaming=True),
}


class Request(namedtuple("Request", "id op args body")):
    __slots__ = ()

    def __new__(cls, id: int, op: str, args: dict | None = None, body: bytes = b""):
        return super().__new__(cls, id, op, {} if args is None else args, body)

    @property
    def spec(self) -> OpSpec:
        return OPS[self.op]


Reply = namedtuple("Reply", "result body", defaults=(b"",))


def hello_result(**extra) -> dict:
    """What a daemon answers to `hello`: the API version and the ops it knows."""
    return {"api": API_VERSION, "ops": sorted(OPS), **extra}


def json_kind(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    return "array" if isinstance(value, list) else "object"


def _bad(where: str, message: str) -> ApiError:
    return ApiError("bad-request", f"{where}: {message}", {"field": where})


def parse_request(header: dict, body: bytes = b"", ops: dict = OPS) -> Request:
    """A checked Request from a frame's JSON header and body, or ApiError naming the field."""
    rid = header.get("id")
    if isinstance(rid, bool) or not isinstance(rid, int) or rid < 0:
        raise _bad("id", f"expected a non-negative integer, got {json_kind(rid)}"
                   if rid is not None else "missing")
    op = header.get("op")
    if not isinstance(op, str):
        raise _bad("op", "missing" if op is None else f"expected a string, got {json_kind(op)}")
    spec = ops.get(op)
    if spec is None:
        raise ApiError("unknown-op", f"op {op!r} is not known (known: {', '.join(ops)})",
                       {"op": op})
    args = header.get("args", {})
    if args is None:
        args = {}
    if not isinstance(args, dict):
        raise _bad("args", f"expected an object, got {json_kind(args)}")
    for name, value in args.items():
        _check_arg(op, spec, name, value)
    for a in spec.args:
        if a.required and a.name not in args:
            raise _bad(f"args.{a.name}", f"required by op {op}")
    if spec.body == "none" and body:
        raise _bad("body", f"op {op} takes no body (got {len(body)} bytes)")
    if spec.body == "required" and not body:
        raise _bad("body", f"op {op} needs {spec.body_doc or 'a body'}")
    return Request(rid, op, dict(args), body)


def _check_arg(op: str, spec: OpSpec, name: str, value) -> None:
    where = f"args.{name}"
    a = spec.arg(name)
    if a is None:
        known = ", ".join(x.name for x in spec.args) or "none"
        raise _bad(where, f"op {op} has no such argument (takes: {known})")
    kind = json_kind(value)
    if kind not in a.types:
        shown = " or ".join(f"a {t}" if t != "null" else "null" for t in a.types)
        raise _bad(where, f"expected {shown}, got {kind} {_show(value)}")
    if a.choices and value not in a.choices:
        raise _bad(where, f"{value!r} is not one of {', '.join(a.choices)}")


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
