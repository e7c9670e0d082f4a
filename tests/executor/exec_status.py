"""Applies status-section changes to a CIB element, as `daemon/cib/status_ops.py` describes
them, for the round-trip tests (the replicated store does the same on a live node)."""

from __future__ import annotations

from lxml import etree

from daemon.cib.status_ops import DeleteOp, RecordOp


def _child(parent, tag: str, **attrs):
    for elem in parent.iterchildren(tag):
        if all(elem.get(k) == v for k, v in attrs.items() if k == "id"):
            return elem
    return etree.SubElement(parent, tag, **{k: v for k, v in attrs.items() if v is not None})


def _lrm_resources(cib, node_id: str, node_name: str | None):
    status = cib.find("status")
    state = None
    for elem in status.iterchildren("node_state"):
        if elem.get("id") == node_id:
            state = elem
    if state is None:
        state = etree.SubElement(status, "node_state", id=node_id, uname=node_name or node_id)
    lrm = _child(state, "lrm", id=node_id)
    return _child(lrm, "lrm_resources")


def apply(cib, ops) -> None:
    for op in ops:
        if isinstance(op, RecordOp):
            resources = _lrm_resources(cib, op.node_id, op.node_name)
            rsc = _child(resources, "lrm_resource", id=op.rsc_id)
            rsc.set("class", op.rsc_class)
            if op.rsc_provider:
                rsc.set("provider", op.rsc_provider)
            rsc.set("type", op.rsc_type)
            for old in rsc.iterchildren("lrm_rsc_op"):
                if old.get("id") == op.op_id:
                    rsc.remove(old)
            entry = etree.SubElement(rsc, "lrm_rsc_op")
            for name, value in op.attrs:
                entry.set(name, value)
        elif isinstance(op, DeleteOp):
            resources = _lrm_resources(cib, op.node_id, None)
            for rsc in resources.iterchildren("lrm_resource"):
                if rsc.get("id") == op.rsc_id:
                    for old in list(rsc.iterchildren("lrm_rsc_op")):
                        if old.get("id") == op.op_id:
                            rsc.remove(old)
        else:
            raise AssertionError(f"not expected from the executor: {op}")
