"""Writing into a CIB's status section the way crm_simulate does: node states, operation
history entries, transient attributes (fail counts) and ticket states.

Shared by the simulated execution (simulate.py: every executed action, and `--op-fail`)
and the what-if injections (inject.py). Pure functions over lxml elements.
"""

from __future__ import annotations

import re

from daemon.scheduler import scores

SIM_UUID = "00000000-0000-0000-0000-000000000000"
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def child(parent, tag: str, **attrs):
    """The first `tag` child of `parent`, created (with `attrs`) when there is none."""
    from lxml import etree
    found = parent.find(tag)
    if found is None:
        found = etree.SubElement(parent, tag, **attrs)
    return found


def status_of(cib):
    return child(cib, "status")


def node_state(cib, name: str, *, create: bool = True):
    """The node_state of the node called `name` (by uname, then by id), created with the
    node's configured id when missing; None if the node is not configured."""
    from lxml import etree
    status = status_of(cib)
    for state in status.iterchildren("node_state"):
        if state.get("uname") == name:
            return state
    node_id = None
    for node in cib.iterfind("configuration/nodes/node"):
        if node.get("uname") == name or (node.get("uname") is None and node.get("id") == name):
            node_id = node.get("id")
            break
    if node_id is None:
        return None
    for state in status.iterchildren("node_state"):
        if state.get("id") == node_id:
            state.set("uname", name)
            return state
    if not create:
        return None
    return etree.SubElement(status, "node_state", id=node_id, uname=name)


def lrm_resource(state, rsc_id: str, agent: tuple[str, str | None, str]):
    """The history of `rsc_id` on a node, created for the agent (class, provider, type)."""
    from lxml import etree
    lrm = child(state, "lrm", id=state.get("id") or "")
    resources = child(lrm, "lrm_resources")
    for entry in resources.iterchildren("lrm_resource"):
        if entry.get("id") == rsc_id:
            return entry
    entry = etree.SubElement(resources, "lrm_resource", id=rsc_id)
    standard, provider, kind = agent
    entry.set("class", standard)
    if provider:
        entry.set("provider", provider)
    entry.set("type", kind)
    return entry


def next_call_id(entry) -> int:
    """A call id above every one recorded for the resource (as the executor would give)."""
    calls = [int(op.get("call-id", "0")) for op in entry.iterchildren("lrm_rsc_op")
             if op.get("call-id", "0").lstrip("-").isdigit()]
    return max(calls + [0]) + 1


def history_ids(rsc_id: str, task: str, interval_ms: int, failed: bool) -> list[str]:
    """The ids the controller records a result under: a recurring operation its own key, a
    failure 'last_failure' (and 'last' too for a one-shot operation), anything else 'last'."""
    if failed:
        return [f"{rsc_id}_last_failure_0"] + ([] if interval_ms else [f"{rsc_id}_last_0"])
    if interval_ms:
        return [f"{rsc_id}_{task}_{interval_ms}"]
    return [f"{rsc_id}_last_0"]


def record_op(entry, *, task: str, interval_ms: int, rc: int, target_rc: int, key: str,
              call_id: int, when: int, node: str, digest: str | None = None,
              op_status: int = 0, origin: str = "crm_simulate") -> None:
    """Record one result in a resource's history; `key` is the transition key (its
    expected result is `target_rc`): a result other than that one, or an operation that
    did not complete (`op_status` other than 0, done), is a failure."""
    from lxml import etree
    rid = entry.get("id")
    failed = rc != target_rc or op_status != 0
    for op_id in history_ids(rid, task, interval_ms, failed):
        for old in list(entry.iterchildren("lrm_rsc_op")):
            if old.get("id") == op_id:
                entry.remove(old)
        attrs = {"id": op_id, "operation_key": f"{rid}_{task}_{interval_ms}",
                 "operation": task, "crm-debug-origin": origin, "transition-key": key,
                 "transition-magic": f"{op_status}:{rc};{key}", "call-id": str(call_id),
                 "rc-code": str(rc), "op-status": str(op_status), "interval": str(interval_ms),
                 "exec-time": "0", "queue-time": "0"}
        if digest is not None:
            attrs["op-digest"] = digest
        attrs["on_node"] = node
        attrs["last-rc-change"] = str(when)
        etree.SubElement(entry, "lrm_rsc_op", attrs)


def transient_attribute(state, name: str, value: str) -> str:
    """Set a transient node attribute as a CIB modify of crm_simulate's does; 'value++'
    adds one to the current value. Returns the line crm_simulate prints for it."""
    from lxml import etree
    node_id = state.get("id") or ""
    attrs = child(state, "transient_attributes", id=node_id)
    values = child(attrs, "instance_attributes", id=node_id)
    nv_id = _ID_UNSAFE.sub(".", f"{values.get('id') or node_id}-{name}")
    found = None
    for nvpair in values.iterchildren("nvpair"):
        if nvpair.get("id") == nv_id or nvpair.get("name") == name:
            found = nvpair
            break
    old = found.get("value") if found is not None else None
    new = value
    if value == "value++":
        new = scores.text(scores.add(scores.parse(old, 0), 1))
    if found is None:
        etree.SubElement(values, "nvpair", id=nv_id, name=name, value=new)
    else:
        found.set("value", new)
    return f"Injecting attribute {name}={value} into /node_state '{node_id}'"


def inject_failcount(state, rsc_id: str, task: str, interval_ms: int, rc: int,
                     when: int) -> list[str]:
    """A failure's fail count and last-failure time (none for success, nor for a probe
    that found the resource stopped)."""
    if rc == 0 or (rc == 7 and interval_ms == 0):
        return []
    op = f"{task}_{interval_ms}"
    return [transient_attribute(state, f"fail-count-{rsc_id}#{op}", "value++"),
            transient_attribute(state, f"last-failure-{rsc_id}#{op}", str(when))]
