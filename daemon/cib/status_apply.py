"""Applying status changes (daemon.cib.status_ops) to a CIB's `<status>`.

Every node applies the same changes in the same order, so this is a pure function of the
document and the changes: no clock, no randomness, nothing looked up elsewhere. Elements are
created where Pacemaker has them and with its ids (see the status_ops docstring);
`transient_attributes` goes before `lrm` in a new `node_state`, as Pacemaker's own
documents have it. Changes that find nothing to remove do nothing, so replaying one is
harmless; increments (`value++`) are the exception by design: each one counts.
"""

from __future__ import annotations

import copy
import re

from lxml import etree

from daemon.cib.errors import StatusOpError
from daemon.cib.status_ops import (ClearFailures, ClearNode, DeleteOp, DeleteResource, RecordOp,
                                   SetNodeState, SetTicket, SetTransientAttr, StatusOp)

_Node = etree._Element

INFINITY = 1_000_000  # Pacemaker's score INFINITY, where increments stop
PENDING = "-1"        # op-status of an operation that has begun and not finished
_INCREMENT = re.compile(r"value(\+\+|\+=(.*))")
_FAILURE_PREFIXES = ("fail-count-", "last-failure-")


def apply_status_ops(root: _Node, ops) -> None:
    """Apply the changes in order to `root`'s `<status>` (created when absent).

    A change that cannot be applied (an empty node id, a record without an id) raises
    StatusOpError naming its index and field; the changes before it are then already
    applied, so a caller that must not be left half-way works on a copy.
    """
    status = root.find("status")
    if status is None:
        status = etree.SubElement(root, "status")
    for index, op in enumerate(ops):
        handler = _HANDLERS.get(type(op))
        if handler is None:
            raise StatusOpError(f"ops[{index}]: {type(op).__name__} is not a status change")
        if isinstance(op, SetTicket):
            _set_ticket(status, op, f"ops[{index}] (SetTicket)")
            continue
        if not op.node_id:
            raise StatusOpError(f"ops[{index}] ({type(op).__name__}).node_id: empty")
        handler(status, op, f"ops[{index}] ({type(op).__name__})")


def node_states(status: _Node, node_ids) -> dict[str, _Node]:
    """The `node_state` elements of the given node ids that exist, by id."""
    wanted = set(node_ids)
    return {n.get("id"): n for n in status.iterchildren("node_state") if n.get("id") in wanted}


def touched_nodes(ops) -> list[str]:
    """The node ids the changes touch, in first-touch order (tickets touch none)."""
    return list(dict.fromkeys(op.node_id for op in ops if op.node_id))


def _set_ticket(status: _Node, op: SetTicket, where: str) -> None:
    if not op.ticket:
        raise StatusOpError(f"{where}.ticket: empty")
    tickets = status.find("tickets")
    if tickets is None:
        tickets = etree.SubElement(status, "tickets")
    state = next((t for t in tickets.iterchildren("ticket_state") if t.get("id") == op.ticket),
                 None)
    if op.delete:
        if state is not None:
            tickets.remove(state)
        return
    if state is None:
        state = etree.SubElement(tickets, "ticket_state", id=op.ticket)
    for name, value in op.attrs:
        state.set(name, value)


def expand_increment(current: str | None, new: str) -> str:
    """The value Pacemaker's attribute daemon stores for `value++` / `value+=N` given the
    current one (absent or not a number counts as 0; INFINITY is 1000000 and the sum
    stops there); any other value is stored as it is."""
    match = _INCREMENT.fullmatch(new)
    if match is None:
        return new
    step = 1 if match.group(1) == "++" else _score(match.group(2))
    total = max(-INFINITY, min(INFINITY, _score(current) + step))
    return str(total)


def _score(text: str | None) -> int:
    if text is None:
        return 0
    text = text.strip()
    if text in ("INFINITY", "+INFINITY"):
        return INFINITY
    if text == "-INFINITY":
        return -INFINITY
    try:
        return max(-INFINITY, min(INFINITY, int(text)))
    except ValueError:
        return 0


# ---- the elements ---------------------------------------------------------------------------

def _node_state(status: _Node, node_id: str, node_name: str | None) -> _Node:
    for node in status.iterchildren("node_state"):
        if node.get("id") == node_id:
            return node
    node = etree.SubElement(status, "node_state", id=node_id)
    if node_name:
        node.set("uname", node_name)
    return node


def _find_node_state(status: _Node, node_id: str) -> _Node | None:
    return next((n for n in status.iterchildren("node_state") if n.get("id") == node_id), None)


def _lrm_resources(node: _Node) -> _Node:
    lrm = node.find("lrm")
    if lrm is None:
        lrm = etree.SubElement(node, "lrm", id=node.get("id"))
    resources = lrm.find("lrm_resources")
    if resources is None:
        resources = etree.SubElement(lrm, "lrm_resources")
    return resources


def _attribute_set(node: _Node) -> _Node:
    transient = node.find("transient_attributes")
    if transient is None:
        transient = etree.Element("transient_attributes", id=node.get("id"))
        lrm = node.find("lrm")
        if lrm is None:
            node.append(transient)
        else:
            lrm.addprevious(transient)
    set_id = f"status-{node.get('id')}"
    for attrs in transient.iterchildren("instance_attributes"):
        if attrs.get("id") == set_id:
            return attrs
    return etree.SubElement(transient, "instance_attributes", id=set_id)


def _same_resource(history_id: str | None, rsc_id: str) -> bool:
    """`rsc` names its clone instances `rsc:0`, `rsc:1`, ... too."""
    if history_id is None:
        return False
    if history_id == rsc_id:
        return True
    base, sep, number = history_id.rpartition(":")
    return bool(sep) and base == rsc_id and number.isdigit()


# ---- the changes ----------------------------------------------------------------------------

def _record(status: _Node, op: RecordOp, where: str) -> None:
    attrs = dict(op.attrs)
    if not attrs.get("id"):
        raise StatusOpError(f"{where}.attrs: the lrm_rsc_op has no id")
    if not op.rsc_id:
        raise StatusOpError(f"{where}.rsc_id: empty")
    resources = _lrm_resources(_node_state(status, op.node_id, op.node_name))
    resource = next((r for r in resources.iterchildren("lrm_resource") if r.get("id") == op.rsc_id),
                    None)
    if resource is None:
        resource = etree.SubElement(resources, "lrm_resource", id=op.rsc_id)
    resource.set("type", op.rsc_type)
    resource.set("class", op.rsc_class)
    if op.rsc_provider:
        resource.set("provider", op.rsc_provider)
    elif "provider" in resource.attrib:
        del resource.attrib["provider"]
    if op.lock_time:
        resource.set("shutdown-lock", str(op.lock_time))
    elif op.lock_time is not None:
        resource.attrib.pop("shutdown-lock", None)
    new = etree.Element("lrm_rsc_op")
    for name, value in op.attrs:
        new.set(name, value)
    old = next((o for o in resource.iterchildren("lrm_rsc_op") if o.get("id") == attrs["id"]), None)
    if old is None:
        resource.append(new)
    else:
        resource.replace(old, new)


def _resources_of(status: _Node, node_id: str, rsc_id: str) -> list[_Node]:
    node = _find_node_state(status, node_id)
    resources = None if node is None else node.find("lrm/lrm_resources")
    if resources is None:
        return []
    return [r for r in resources.iterchildren("lrm_resource") if _same_resource(r.get("id"), rsc_id)]


def _delete_op(status: _Node, op: DeleteOp, where: str) -> None:
    node = _find_node_state(status, op.node_id)
    resources = None if node is None else node.find("lrm/lrm_resources")
    for resource in [] if resources is None else resources.iterchildren("lrm_resource"):
        if resource.get("id") == op.rsc_id:
            for entry in resource.iterchildren("lrm_rsc_op"):
                if entry.get("id") == op.op_id:
                    resource.remove(entry)
                    return


def _expected_rc(entry: _Node) -> str:
    """The result the operation was expected to give: the third field of the transition
    key (`action:transition:expected:uuid`), from the magic's key when the key is absent."""
    key = entry.get("transition-key")
    if key is None:
        magic = entry.get("transition-magic") or ""
        key = magic.partition(";")[2]
    fields = key.split(":")
    return fields[2] if len(fields) >= 4 and fields[2].lstrip("-").isdigit() else "0"


def _failed(entry: _Node) -> bool:
    if "_last_failure_" in (entry.get("id") or ""):
        return True
    op_status = entry.get("op-status", "0")
    if op_status == PENDING:
        return False
    return op_status != "0" or entry.get("rc-code", "0") != _expected_rc(entry)


def _delete_resource(status: _Node, op: DeleteResource, where: str) -> None:
    for resource in _resources_of(status, op.node_id, op.rsc_id):
        if op.only_failed:
            for entry in [e for e in resource.iterchildren("lrm_rsc_op") if _failed(e)]:
                resource.remove(entry)
            if len(resource):
                continue
        resource.getparent().remove(resource)


def _set_node_state(status: _Node, op: SetNodeState, where: str) -> None:
    node = _node_state(status, op.node_id, op.node_name)
    for name, value in op.attrs:
        if name == "id":
            raise StatusOpError(f"{where}.attrs: a node_state's id is its node id")
        node.set(name, value)


def _set_transient(status: _Node, op: SetTransientAttr, where: str) -> None:
    if not op.name:
        raise StatusOpError(f"{where}.name: empty")
    if op.value is None:
        node = _find_node_state(status, op.node_id)
        for nvset in [] if node is None else node.iterfind("transient_attributes/instance_attributes"):
            for pair in [p for p in nvset.iterchildren("nvpair") if p.get("name") == op.name]:
                nvset.remove(pair)
        return
    nvset = _attribute_set(_node_state(status, op.node_id, op.node_name))
    pair = next((p for p in nvset.iterchildren("nvpair") if p.get("name") == op.name), None)
    if pair is None:
        pair = etree.SubElement(nvset, "nvpair", id=f"{nvset.get('id')}-{op.name}", name=op.name)
    pair.set("value", expand_increment(pair.get("value"), op.value))


def _is_failure_of(name: str, op: ClearFailures) -> bool:
    """Whether `fail-count-<rsc>#<op>_<interval>` (or last-failure-...) is one to clear."""
    prefix = next((p for p in _FAILURE_PREFIXES if name.startswith(p)), None)
    if prefix is None:
        return False
    rest = name[len(prefix):]
    rsc, sep, key = rest.rpartition("#")
    if not sep:  # the form without the operation, from before Pacemaker 1.1.17
        return _same_resource(rest, op.rsc_id) and op.operation is None
    if not _same_resource(rsc, op.rsc_id):
        return False
    if op.operation is None:
        return True
    task, _, interval = key.rpartition("_")
    if task != op.operation:
        return False
    return op.interval_ms is None or interval == str(op.interval_ms)


def _clear_failures(status: _Node, op: ClearFailures, where: str) -> None:
    node = _find_node_state(status, op.node_id)
    for nvset in [] if node is None else node.iterfind("transient_attributes/instance_attributes"):
        for pair in [p for p in nvset.iterchildren("nvpair") if _is_failure_of(p.get("name", ""), op)]:
            nvset.remove(pair)


def _clear_node(status: _Node, op: ClearNode, where: str) -> None:
    node = _find_node_state(status, op.node_id)
    if node is None:
        return
    for tag, wanted in (("lrm", op.lrm), ("transient_attributes", op.attrs)):
        if wanted:
            for child in node.findall(tag):
                node.remove(child)


_HANDLERS = {
    RecordOp: _record,
    DeleteOp: _delete_op,
    DeleteResource: _delete_resource,
    SetNodeState: _set_node_state,
    SetTransientAttr: _set_transient,
    ClearFailures: _clear_failures,
    ClearNode: _clear_node,
    SetTicket: _set_ticket,
}



# ---- changes on copies of what they touch ------------------------------------------------------

class LiveStatus:
    """A live `<status>` with an index of its `node_state` and `lrm_resource` elements.

    `work` copies just what some changes touch (the node states' attributes and transient
    attributes, the resources they name) into a document of their own; after
    `apply_status_ops` ran there and the result was checked, `merge` puts the copies in
    place. A change to one resource thus costs the same on a node with ten resources as on
    one with ten thousand, and a refused change leaves the live section alone. The index
    stays right as long as nothing but `merge` changes the section.
    """

    def __init__(self, status: _Node) -> None:
        self.status = status
        self._nodes: dict[str, _Node] | None = None
        self._resources: dict[str, dict[str, _Node]] = {}

    def work(self, ops, root: _Node) -> "_Work":
        """Append to `root` a `<status>` holding copies of what `ops` touch."""
        work = _Work(etree.SubElement(root, "status"))
        if any(isinstance(op, SetTicket) for op in ops):
            work.live_tickets = self.status.find("tickets")
            if work.live_tickets is not None:
                work.tickets = copy.deepcopy(work.live_tickets)
                work.status.append(work.tickets)
        nodes = self._node_index()
        for node_id in touched_nodes(ops):
            live = nodes.get(node_id)
            if live is not None:
                work.nodes.append(self._node_work(live, [op for op in ops if op.node_id == node_id],
                                                  work.status))
        return work

    def merge(self, work: "_Work") -> None:
        """Put the changed copies in place of the live elements (see the class docstring)."""
        known = {w.shallow for w in work.nodes}
        if work.tickets is not None:       # the live tickets' copy, changed: in their place
            self.status.replace(work.live_tickets, work.tickets)
            known.add(work.tickets)
        for node_work in work.nodes:
            self._merge_node(node_work)
        for node in work.status:
            if node not in known:
                self.status.append(node)
                if node.tag == "node_state" and self._nodes is not None:
                    self._nodes.setdefault(node.get("id"), node)

    def _node_index(self) -> dict[str, _Node]:
        if self._nodes is None:
            self._nodes = {}
            for node in self.status.iterchildren("node_state"):
                self._nodes.setdefault(node.get("id"), node)
        return self._nodes

    def _resource_index(self, node_id: str, resources: _Node) -> dict[str, _Node]:
        index = self._resources.get(node_id)
        if index is None:
            index = {}
            for resource in resources.iterchildren("lrm_resource"):
                index.setdefault(resource.get("id"), resource)
            self._resources[node_id] = index
        return index

    def _node_work(self, live: _Node, ops: list, status: _Node) -> "_NodeWork":
        node = _NodeWork(live, etree.SubElement(status, "node_state", dict(live.attrib)))
        for child in live:
            if child.tag == "lrm" and node.live_lrm is None:
                node.live_lrm = child
                node.lrm = etree.SubElement(node.shallow, "lrm", dict(child.attrib))
                node.live_resources = child.find("lrm_resources")
                if node.live_resources is not None:
                    node.resources = etree.SubElement(node.lrm, "lrm_resources",
                                                      dict(node.live_resources.attrib))
            else:
                node.shallow.append(copy.deepcopy(child))
        if node.resources is not None:
            self._copy_resources(node, ops)
        return node

    def _copy_resources(self, node: "_NodeWork", ops: list) -> None:
        index = self._resource_index(node.live.get("id"), node.live_resources)
        wanted: dict[str, _Node] = {}
        for op in ops:
            if isinstance(op, DeleteResource):
                for resource in node.live_resources.iterchildren("lrm_resource"):
                    if _same_resource(resource.get("id"), op.rsc_id):
                        wanted.setdefault(resource.get("id"), resource)
            elif isinstance(op, (RecordOp, DeleteOp)) and op.rsc_id in index:
                wanted.setdefault(op.rsc_id, index[op.rsc_id])
        for rsc_id, live in wanted.items():
            node.touched[rsc_id] = live
            node.resources.append(copy.deepcopy(live))

    def _merge_node(self, node: "_NodeWork") -> None:
        live, node_id = node.live, node.live.get("id")
        live.attrib.clear()
        live.attrib.update(node.shallow.attrib)
        if node.lrm is not None and node.lrm.getparent() is node.shallow:
            self._merge_lrm(node)
        else:
            self._resources.pop(node_id, None)
        children = [node.live_lrm if child is node.lrm else child for child in node.shallow]
        for child in list(live):
            if child not in children:
                live.remove(child)
        for child in children:
            live.append(child)

    def _merge_lrm(self, node: "_NodeWork") -> None:
        if node.resources is None or node.resources.getparent() is not node.lrm:
            for child in list(node.lrm):  # a new lrm_resources, made by the changes
                node.live_lrm.append(child)
            self._resources.pop(node.live.get("id"), None)
            return
        index = self._resource_index(node.live.get("id"), node.live_resources)
        for resource in list(node.resources):
            rsc_id = resource.get("id")
            old = node.touched.pop(rsc_id, None)
            if old is None:
                node.live_resources.append(resource)
                index.setdefault(rsc_id, resource)
            else:
                node.live_resources.replace(old, resource)
                index[rsc_id] = resource
        for rsc_id, old in node.touched.items():  # deleted by the changes
            node.live_resources.remove(old)
            if index.get(rsc_id) is old:
                del index[rsc_id]


class _Work:
    def __init__(self, status: _Node) -> None:
        self.status = status
        self.nodes: list[_NodeWork] = []
        self.live_tickets: _Node | None = None
        self.tickets: _Node | None = None


class _NodeWork:
    """One node's copies: its node_state without children, copies of its other children
    (transient attributes), and of the lrm_resource elements the changes name."""

    def __init__(self, live: _Node, shallow: _Node) -> None:
        self.live = live
        self.shallow = shallow
        self.live_lrm: _Node | None = None
        self.lrm: _Node | None = None
        self.live_resources: _Node | None = None
        self.resources: _Node | None = None
        self.touched: dict[str, _Node] = {}


__all__ = ["apply_status_ops", "expand_increment", "node_states", "touched_nodes", "LiveStatus",
           "StatusOp"]
