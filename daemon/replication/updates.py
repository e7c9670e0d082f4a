"""The updates nodes replicate, and how they travel in an envelope.

Each kind is what one node asks of every node's store:

    patch    a client's v2 patchset (body), checked against its base on applying
    replace  a client's whole configuration or one section (body)
    status   status changes from the cluster (operation results, attributes, node states)
    dc       what the DC keeps on <cib> and in cib-bootstrap-options
    nodes    node entries the configuration must hold

`meta` says who asked and when, so applying needs no clock and gives the same result on
every node.

One message carries one update (kind "update") or several of one sender in order (kind
"updates", see `outbox`): each entry is the fields of one update with its request number
and the size of its body, and the bodies follow one another in the message's body.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from daemon.controller.messages import ActionResult, NodeRef
from daemon.replication import values
from daemon.replication.wire import Envelope, WireError, is_int, shown

KINDS = ("patch", "replace", "status", "dc", "nodes")
MAX_BATCH = 256             # updates in one "updates" message


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


def to_batch(items, origin: str) -> Envelope:
    """The (request, update) pairs of `items` in one message, in their order."""
    entries, bodies = [], []
    for request, update in items:
        fields = to_envelope(update, origin, request).fields
        entries.append({**fields, "request": request, "size": len(update.body)})
        bodies.append(update.body)
    return Envelope("updates", origin, 0, {"updates": entries}, b"".join(bodies))


def from_batch(env: Envelope) -> list[tuple[int, Update]]:
    """The (request, update) pairs of an "updates" message; WireError names the entry at
    fault, and then none of them is used."""
    entries = env.fields.get("updates")
    if not isinstance(entries, list) or not 0 < len(entries) <= MAX_BATCH:
        raise WireError(f"fields.updates: expected a list of 1 to {MAX_BATCH} updates")
    out, offset = [], 0
    for i, entry in enumerate(entries):
        where = f"fields.updates[{i}]"
        if not isinstance(entry, dict):
            raise WireError(f"{where}: expected an object")
        request, size = entry.get("request"), entry.get("size")
        if not is_int(request, 0):
            raise WireError(f"{where}.request: expected a request number, got {shown(request)}")
        if not is_int(size, 0, len(env.body) - offset):
            raise WireError(f"{where}.size: {shown(size)} runs past the body "
                            f"({len(env.body) - offset} bytes left)")
        fields = {k: v for k, v in entry.items() if k not in ("request", "size")}
        try:
            update = from_envelope(Envelope("update", env.origin, request, fields,
                                            env.body[offset:offset + size]))
        except WireError as err:
            text = str(err)
            raise WireError(f"{where}.{text[7:]}" if text.startswith("fields.")
                            else f"{where}: {text}") from None
        out.append((request, update))
        offset += size
    if offset != len(env.body):
        raise WireError(f"body: {len(env.body) - offset} bytes follow the last update's")
    return out


def _bool(fields: dict, name: str) -> bool:
    value = fields.get(name, False)
    if not isinstance(value, bool):
        raise WireError(f"fields.{name}: expected true or false")
    return value
