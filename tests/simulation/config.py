"""The simulated cluster's configuration and the administrator's changes to it.

Three Dummy resources and a fence device, stonith-enabled=true: r1 requires fencing (said
explicitly), r2 only quorum, r3 the default (fencing, with stonith enabled); r1 and r3 are
monitored. Every node starts with this CIB on its disk, as after `cluster init` and `join`.

An edit is what an administrator commits with crmshell (a v2 patchset from the CIB as one
node has it to the edited one, epoch + 1, as the shell makes it): r3 stopped or started
again, r1 moved with a location constraint, a node put in standby or back online, r2's
stickiness changed. Each commit also writes its own number (`sim-commit`), so it always
changes the configuration and the checks can follow it.
"""

from __future__ import annotations

from lxml import etree

from tests.cib_store.helpers import commit

RESOURCES = ("r1", "r2", "r3")
# What the split-brain checks watch: not the fence device, nor r2, which requires only
# quorum and so is started without waiting for fencing (Pacemaker's meaning of requires).
FENCED_RESOURCES = ("r1", "r3")
MONITORED = ("r1", "r3")                # what can die on its own and be noticed
MONITOR_MS = 10_000


def initial_cib(nodes: int) -> bytes:
    names = [f"node{n}" for n in range(1, nodes + 1)]
    node_xml = "".join(f'<node id="{n}" uname="node{n}" type="member"/>'
                       for n in range(1, nodes + 1))
    return f"""<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="10" \
num_updates="0" admin_epoch="0">
<configuration>
<crm_config><cluster_property_set id="cib-bootstrap-options">
<nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" value="true"/>
<nvpair id="cib-bootstrap-options-sim-commit" name="sim-commit" value="0"/>
</cluster_property_set></crm_config>
<nodes>{node_xml}</nodes>
<resources>
<primitive id="fence" class="stonith" type="fence_sandbox">
<instance_attributes id="fence-instance_attributes">
<nvpair id="fence-instance_attributes-pcmk_host_list" name="pcmk_host_list" \
value="{' '.join(names)}"/></instance_attributes></primitive>
{_dummy("r1", "fencing", monitor=True)}{_dummy("r2", "quorum", monitor=False)}\
{_dummy("r3", None, monitor=True)}
</resources>
<constraints/>
</configuration>
<status/>
</cib>""".encode()


def _dummy(rsc: str, requires: str | None, *, monitor: bool) -> str:
    meta = "" if requires is None else (
        f'<meta_attributes id="{rsc}-meta_attributes"><nvpair id="{rsc}-meta_attributes-requires" '
        f'name="requires" value="{requires}"/></meta_attributes>')
    ops = "" if not monitor else (
        f'<operations><op id="{rsc}-monitor-10s" name="monitor" interval="{MONITOR_MS // 1000}s" '
        f'timeout="20s"/></operations>')
    return (f'<primitive id="{rsc}" class="ocf" provider="crmshell" type="Dummy">{meta}{ops}'
            '</primitive>')


def edit(root, rng, number: int, nodes: int) -> bytes:
    """A commit of one random change to the CIB `root` (as some node has it now)."""
    kind = rng.choice(("target-role", "location", "standby", "stickiness"))
    node = f"node{rng.randint(1, nodes)}"
    value = {"target-role": rng.choice(("Stopped", "Started")),
             "location": rng.choice(("50", "INFINITY", "-INFINITY", None)),
             "standby": rng.choice(("on", "off")),
             "stickiness": str(rng.choice((0, 100)))}[kind]

    def change(conf) -> None:
        _set(conf.find("crm_config/cluster_property_set"), "cib-bootstrap-options-sim-commit",
             "sim-commit", str(number))
        if kind == "target-role":
            _set(_meta(conf, "r3"), "r3-meta_attributes-target-role", "target-role", value)
        elif kind == "stickiness":
            _set(_meta(conf, "r2"), "r2-meta_attributes-resource-stickiness",
                 "resource-stickiness", value)
        elif kind == "location":
            constraints = conf.find("constraints")
            for old in constraints.findall("rsc_location[@id='loc-r1']"):
                constraints.remove(old)
            if value is not None:
                etree.SubElement(constraints, "rsc_location", id="loc-r1", rsc="r1",
                                 node=node, score=value)
        else:
            entry = conf.find(f"nodes/node[@uname='{node}']")
            attrs = entry.find("instance_attributes")
            if attrs is None:
                attrs = etree.SubElement(entry, "instance_attributes",
                                         id=f"nodes-{entry.get('id')}")
            _set(attrs, f"nodes-{entry.get('id')}-standby", "standby", value)

    return commit(root, change)


def _meta(conf, rsc: str):
    primitive = conf.find(f"resources/primitive[@id='{rsc}']")
    meta = primitive.find("meta_attributes")
    if meta is None:
        meta = etree.Element("meta_attributes", id=f"{rsc}-meta_attributes")
        primitive.insert(0, meta)
    return meta


def _set(nvset, nvid: str, name: str, value: str) -> None:
    pair = nvset.find(f"nvpair[@id='{nvid}']")
    if pair is None:
        pair = etree.SubElement(nvset, "nvpair", id=nvid, name=name)
    pair.set("value", value)
