"""What `resource operations` and `resource constraints` print: pure functions of a CIB."""

from __future__ import annotations

from crmshell.errors import ShellError

# lrm_rsc_op op-status values, as crm_resource words them
_OP_STATUS = {"-1": "pending", "0": "complete", "1": "cancelled", "2": "timed out",
              "3": "not supported", "4": "error", "5": "not installed", "6": "not connected",
              "7": "invalid", "8": "exec error", "9": "no secrets"}


def operation_lines(cib, rsc: str | None, node: str | None) -> list[str]:
    """One line per recorded operation, as `crm_resource -O` lists them."""
    lines = []
    for state in cib.iterfind("status/node_state"):
        uname = state.get("uname") or state.get("id")
        if node is not None and uname != node:
            continue
        for history in state.iterfind("lrm/lrm_resources/lrm_resource"):
            rid = history.get("id", "")
            if rsc is not None and rid != rsc and rid.partition(":")[0] != rsc:
                continue
            agent = _agent(history)
            for op in sorted(history.iterfind("lrm_rsc_op"), key=_call_id):
                status = _OP_STATUS.get(op.get("op-status", "0"), op.get("op-status"))
                lines.append(
                    f"{rid}\t({agent}): {op.get('id')} (node={uname}, call={op.get('call-id')}, "
                    f"rc={op.get('rc-code')}, last-rc-change={op.get('last-rc-change', '')}, "
                    f"exec={op.get('exec-time', '0')}ms): {status}")
    return lines or ["no operations recorded" + (f" for {rsc}" if rsc else "")
                     + (f" on {node}" if node else "")]


def _agent(history) -> str:
    provider = history.get("provider")
    parts = [history.get("class", "?")] + ([provider] if provider else []) + [history.get("type", "?")]
    return ":".join(parts)


def _call_id(op) -> int:
    try:
        return int(op.get("call-id", "0"))
    except ValueError:
        return 0


def constraint_lines(cib, rsc: str) -> list[str]:
    """The constraints naming `rsc` (directly, in a resource set, or through a tag)."""
    from crmshell.lang.render import build_context, render_object

    section = cib.find("configuration/constraints")
    if not any(e.get("id") == rsc for e in cib.iterfind("configuration/resources//*")):
        raise ShellError(f"resource {rsc} does not exist")
    names = {rsc} | {tag.get("id") for tag in cib.iterfind("configuration/tags/tag")
                     if any(r.get("id") == rsc for r in tag.iterfind("obj_ref"))}
    found = [c for c in (section if section is not None else []) if _names(c, names)]
    if not found:
        return [f"no constraints name {rsc}"]
    context = build_context(cib)
    return [render_object(c, context=context) for c in found]


def _names(constraint, names: set[str]) -> bool:
    attrs = ("rsc", "with-rsc", "first", "then")
    if any(constraint.get(a) in names for a in attrs):
        return True
    return any(ref.get("id") in names for ref in constraint.iterfind("resource_set/resource_ref"))
