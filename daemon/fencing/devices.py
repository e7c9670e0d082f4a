"""The fence devices a CIB defines, as the fencer sees them: pure, from the lxml CIB.

A device is a `primitive class="stonith"` anywhere under `resources` (in a group or clone
too). What the fencer needs of it:

- its instance attributes (the agent's parameters and the fencer's own `pcmk_*` ones),
  evaluated as the scheduler evaluates them (several sets by score, id-refs, `#default`);
- whether it is disabled: `target-role=Stopped` on it, a parent or in `rsc_defaults` keeps
  *every* node from using it (Pacemaker: "no node can use that device");
- the nodes a location constraint with a negative score keeps from *executing* it: such a
  constraint is about which node may run the agent, not about which node it may fence
  (Pacemaker: "that node will never be chosen to execute fencing using the device");
- its `priority` meta-attribute: without a topology, devices are tried highest first, then
  in CIB order.

Left out, and why: location rules, resource sets and `symmetric-cluster=false` (which node
executes is the integrator's choice; the simple `node=`/`score=` form is what fencing
configurations use); node attributes in instance-attribute rules (Pacemaker's documentation
advises against rules on fence devices).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from daemon.fencing.errors import FencingConfigError
from daemon.scheduler import rules, scores

PARENT_TAGS = frozenset({"group", "clone", "master", "bundle"})


@dataclass(frozen=True)
class Device:
    """One fence device. `params` hold secrets (passwords): they stay out of `repr`."""

    id: str
    agent: str
    params: Mapping[str, str] = field(repr=False)
    priority: int = 0
    disabled: bool = False
    banned_from: frozenset[str] = frozenset()
    order: int = 0

    def may_execute_on(self, node: str | None) -> bool:
        """Whether `node` may run this device's agent (None: any node may)."""
        return node is None or node.lower() not in self.banned_from


def _id_lookup(cib):
    index: dict[str, object] = {}

    def lookup(xml_id: str):
        if not index:
            for el in cib.iter():
                if isinstance(el.tag, str) and el.get("id") and el.get("id-ref") is None:
                    index.setdefault(el.get("id"), el)
        return index.get(xml_id)
    return lookup


def _ancestors(prim) -> list:
    return [a for a in prim.iterancestors() if a.tag in PARENT_TAGS]


def _params(prim, parents, inp: rules.RuleInput, lookup) -> dict[str, str]:
    params: dict[str, str] = {}
    for el in [prim, *parents]:
        rules.unpack_nvpair_sets(el, "instance_attributes", inp, params, lookup=lookup)
    return params


def _meta(prim, parents, rsc_defaults, inp: rules.RuleInput, lookup) -> dict[str, str]:
    meta: dict[str, str] = {}
    for el in [prim, *parents, rsc_defaults]:
        rules.unpack_nvpair_sets(el, "meta_attributes", inp, meta, lookup=lookup)
    return meta


def _bans(cib, ids: set[str], device_id: str) -> frozenset[str]:
    banned: set[str] = set()
    for loc in cib.iterfind("configuration/constraints/rsc_location"):
        node = loc.get("node")
        if node is None or scores.parse(loc.get("score"), 0) >= 0:
            continue
        rsc, pattern = loc.get("rsc"), loc.get("rsc-pattern")
        try:
            applies = rsc in ids if rsc is not None else (
                pattern is not None and re.search(pattern, device_id) is not None)
        except re.error:
            applies = False          # crm verify reports it; the scheduler ignores it too
        if applies:
            banned.add(node.lower())
    return frozenset(banned)


def read_devices(cib, *, now_s: int = 0) -> tuple[dict[str, Device], list[FencingConfigError]]:
    """Every fence device of `cib` by id, in CIB order, and the problems met reading them
    (a device without an agent is left out). Rules are evaluated at `now_s` (Unix time)."""
    devices: dict[str, Device] = {}
    problems: list[FencingConfigError] = []
    resources = cib.find("configuration/resources")
    if resources is None:
        return devices, problems
    rsc_defaults = cib.find("configuration/rsc_defaults")
    lookup = _id_lookup(cib)
    inp = rules.RuleInput(now=now_s, rsc_standard="stonith")
    for order, prim in enumerate(resources.iter("primitive")):
        if prim.get("class") != "stonith":
            continue
        rid = prim.get("id") or "(primitive without id)"
        agent = prim.get("type")
        if not agent:
            problems.append(FencingConfigError(rid, "type", "the device names no fence agent"))
            continue
        parents = _ancestors(prim)
        meta = _meta(prim, parents, rsc_defaults, inp, lookup)
        priority = scores.parse(meta.get("priority"), 0)
        disabled = meta.get("target-role", "Started").lower() == "stopped"
        ids = {rid, *(p.get("id") for p in parents if p.get("id"))}
        devices[rid] = Device(rid, agent, MappingProxyType(_params(prim, parents, inp, lookup)),
                              priority, disabled, _bans(cib, ids, rid), order)
    return devices, problems
