"""The updates nodes replicate, and how they travel in an envelope.

Each kind is what one node asks of every node's store:

    patch    a client's v2 patchset (body), checked against its base on applying
    replace  a client's whole configuration or one section (body)
    status   status changes from the cluster (operation results, attributes, node states)
    dc       what the DC keeps on <cib> and in cib-bootstrap-options
    nodes    node entries the configuration must hold

`meta` says who asked and when, so applying needs no clock and gives the same result on
every node.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from daemon.controller.messages import ActionResult, NodeRef
from daemon.replication import values
from daemon.replication.wire import Envelope, WireError, shown

KINDS = ("patch", "replace", "status", "dc", "nodes")


# The client name of the updates a DC's controller makes (node states, DC attributes, node
# entries, fencing records): only the DC of the membership may send them (admission).
CONTROLLER_CLIENT = "crmshelld-controller"


@dataclass(frozen=True)
class Meta:
    origin: str
    client: str
    user: str
    when: float


@dataclass(frozen=True)
class Update:
    kind: str
    meta: Meta
    body: bytes = b""
    force: bool = False
    section: str | None = None
    ops: tuple = ()
    results: tuple[ActionResult, ...] = ()
    dc: NodeRef | None = None
    quorate: bool = False
    nodes: tuple[NodeRef, ...] = ()
    dc_version: str = ""
    cluster_name: str | None = None


def to_envelope(update: Update, origin: str, request: int) -> Envelope:
    fields: dict = {"update": update.kind, "meta": values.to_json(update.meta)}
    if update.kind == "patch":
        fields["force"] = update.force
    elif update.kind == "replace":
        fields["section"] = update.section
        fields["force"] = update.force
    elif update.kind == "status":
        fields["ops"] = [values.status_op_to_json(op) for op in update.ops]
        fields["results"] = [values.to_json(r) for r in update.results]
    elif update.kind == "dc":
        fields["dc"] = values.to_json(update.dc)
        fields["quorate"] = update.quorate
        fields["dc_version"] = update.dc_version
        fields["cluster_name"] = update.cluster_name
    elif update.kind == "nodes":
        fields["nodes"] = [values.to_json(n) for n in update.nodes]
    return Envelope("update", origin, request, fields, update.body)


def from_envelope(env: Envelope) -> Update:
    f = env.fields
    kind = f.get("update")
    if kind not in KINDS:
        raise WireError(f"fields.update: {shown(kind)} is not one of {', '.join(KINDS)}")
    meta = values.from_json(Meta, f.get("meta"), "fields.meta")
    if kind == "patch":
        return Update(kind, meta, env.body, force=_bool(f, "force"))
    if kind == "replace":
        section = f.get("section")
        if section is not None and not isinstance(section, str):
            raise WireError("fields.section: expected a string or null")
        return Update(kind, meta, env.body, section=section, force=_bool(f, "force"))
    if kind == "status":
        return Update(kind, meta, ops=values.status_ops_from_json(f.get("ops"), "fields.ops"),
                      results=values.results_from_json(f.get("results"), "fields.results"))
    if kind == "dc":
        name = f.get("cluster_name")
        if name is not None and not isinstance(name, str):
            raise WireError("fields.cluster_name: expected a string or null")
        if not isinstance(f.get("dc_version"), str):
            raise WireError("fields.dc_version: expected a string")
        return Update(kind, meta, dc=values.from_json(NodeRef, f.get("dc"), "fields.dc"),
                      quorate=_bool(f, "quorate"), dc_version=f["dc_version"],
                      cluster_name=name)
    nodes = f.get("nodes")
    if not isinstance(nodes, list):
        raise WireError("fields.nodes: expected a list")
    return Update(kind, meta, nodes=tuple(values.from_json(NodeRef, n, f"fields.nodes[{i}]")
                                          for i, n in enumerate(nodes)))


def _bool(fields: dict, name: str) -> bool:
    value = fields.get(name, False)
    if not isinstance(value, bool):
        raise WireError(f"fields.{name}: expected true or false")
    return value
