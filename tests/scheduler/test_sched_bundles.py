"""Container bundles: their expansion into Pacemaker's implicit resources (ids, parameters,
guest nodes) and what the scheduler plans for them. The expected plans were checked
against crm_simulate (Debian's 2.1.5, whose bundle handling these cases share with 3.0)."""

from __future__ import annotations

import re
from collections import Counter

from lxml import etree

from daemon.scheduler import bundle, schedule
from daemon.scheduler.cib_xml import parse_cib_text
from daemon.scheduler.digests import digest_of, filter_for_digest
from daemon.scheduler.engine import build_working_set
from daemon.scheduler.params import rsc_params
from sched_cib import cib, dummy, node_state, nvpairs, stateful
from tests.shared_paths import SCHEDULER_TIER3_CASES as SCHED_TIER3

NOW = 1_767_225_600
NODES = ["node1", "node2", "node3"]


def _bundle(bid: str, *, agent: str = "podman", replicas: int = 2, network: str = "",
            inner: str = "", meta: dict[str, str] | None = None, extra: str = "") -> str:
    meta_xml = (f'<meta_attributes id="{bid}-meta">{nvpairs(bid + "-meta", meta)}'
                '</meta_attributes>') if meta else ""
    return (f'<bundle id="{bid}">{meta_xml}<{agent} image="img" replicas="{replicas}"{extra}/>'
            f'{network}{inner}</bundle>')


def _plan(resources: str, constraints: str = "", nodes=NODES, status=None) -> Counter:
    text = cib(nodes=nodes, resources=resources, constraints=constraints, status=status)
    lines = schedule(parse_cib_text(text), NOW).summary_lines
    return Counter(re.sub(r"\s+", " ", line.strip()) for line in lines)


def _working_set(resources: str, nodes=NODES):
    return build_working_set(parse_cib_text(cib(nodes=nodes, resources=resources)), NOW)


IP_NET = '<network ip-range-start="192.168.122.131" control-port="3121"/>'


def test_replicas_expand_into_pacemakers_implicit_resources():
    ws = _working_set(_bundle("b", network=IP_NET, inner=dummy("app")))
    top = ws.resources[0]
    assert [r.id for r in top.children] == [
        "b-podman-0", "b-ip-192.168.122.131", "b-0",
        "b-podman-1", "b-ip-192.168.122.132", "b-1", "b-clone"]
    assert [r.id for r in top.children[-1].children] == ["app:0", "app:1"]
    guests = [n for n in ws.nodes if n.attrs.get("#kind") == "container"]
    assert [n.name for n in guests] == ["b-0", "b-1"]
    assert all(n.remote_rsc.launcher.replica_container for n in guests)
    app0 = ws.rsc_by_id["app:0"]
    assert list(app0.allowed) == [ws.find_node("b-0")]
    assert app0.meta["external-ip"] == "192.168.122.131"
    remote = ws.rsc_by_id["b-1"]
    assert rsc_params(ws, remote, None) == {"addr": "192.168.122.132", "port": "3121"}


def test_promotable_bundle_wraps_its_primitive_in_a_master():
    ws = _working_set(_bundle("p", inner=stateful("st"), network=IP_NET,
                              extra=' promoted-max="1"'))
    inner = ws.rsc_by_id["p-master"]
    assert inner.promotable and inner.promoted_max == 1 and inner.clone_max == 2


def test_ip_range_rolls_over_the_last_octet():
    assert bundle._next_ip("10.0.0.253") == "10.0.0.254"
    assert bundle._next_ip("10.0.0.254") == "10.0.1.1"
    assert bundle._next_ip("10.0.254.254") is None
    assert bundle._next_ip("fe80::1") is None


def test_container_parameters_digest_as_pacemakers():
    """The podman container of a real case: its recorded op-digest is reproduced from the
    parameters built for it (run_opts with the remote port, key and log mounts)."""
    path = SCHED_TIER3 / "xml" / "bundle-promoted-location-3.xml"
    root = etree.parse(str(path)).getroot()
    ws = build_working_set(root, NOW)
    container = ws.rsc_by_id["base-bundle-podman-0"]
    params = filter_for_digest(dict(rsc_params(ws, container, ws.find_node("node3"))))
    recorded = root.xpath("//lrm_rsc_op[@id='base-bundle-podman-0_last_0' and "
                          "@operation='start']/@op-digest")[0]
    assert digest_of(params) == recorded


def test_a_new_bundle_starts_containers_connections_then_instances():
    plan = _plan(_bundle("b", network=IP_NET, inner=dummy("app")))
    assert plan == Counter([
        "* Start b-podman-0 ( node1 )", "* Start b-ip-192.168.122.131 ( node1 )",
        "* Start b-0 ( node1 )", "* Start app:0 ( b-0 )",
        "* Start b-podman-1 ( node2 )", "* Start b-ip-192.168.122.132 ( node2 )",
        "* Start b-1 ( node2 )", "* Start app:1 ( b-1 )"])


def test_without_an_ip_range_one_replica_runs_per_host():
    plan = _plan(_bundle("w", replicas=3), nodes=["node1", "node2"])
    assert plan == Counter(["* Start w-podman-0 ( node1 )", "* Start w-podman-1 ( node2 )"])


def test_constraints_on_the_bundle_reach_its_replicas():
    resources = _bundle("b", agent="docker", network='<network control-port="3121"/>',
                        inner=dummy("app")) + dummy("vip")
    constraints = ('<rsc_location id="l1" rsc="b" node="node3" score="100"/>'
                   '<rsc_colocation id="c1" rsc="vip" with-rsc="b" score="INFINITY"/>'
                   '<rsc_order id="o1" first="b" then="vip"/>')
    plan = _plan(resources, constraints)
    assert plan == Counter([
        "* Start b-docker-0 ( node3 )", "* Start b-0 ( node3 )", "* Start app:0 ( b-0 )",
        "* Start b-docker-1 ( node1 )", "* Start b-1 ( node1 )", "* Start app:1 ( b-1 )",
        "* Start vip ( node1 )"])


def _running_bundle_status(resources: str, promoted_on: str | None = None) -> str:
    """Both replicas of bundle p (control port, Stateful inside) running, one per node,
    their history digests made from the implicit resources' own parameters."""
    from sched_cib import lrm_resource, op
    ws = _working_set(resources, nodes=["node1", "node2"])
    states = []
    for index, node in enumerate(["node1", "node2"]):
        container = f"p-podman-{index}"
        guest = f"p-{index}"
        container_params = rsc_params(ws, ws.rsc_by_id[container], None)
        lrm = lrm_resource(container, [op(container, node, "start", 10 + index,
                                          params=container_params)], "podman")
        lrm = lrm.replace('provider="pacemaker" type="podman"',
                          'provider="heartbeat" type="podman"')
        lrm += lrm_resource(guest, [op(guest, node, "start", 20 + index,
                                       params={"addr": node, "port": "3121"})], "remote")
        attrs = {"master-st": "10" if node == promoted_on else "5"}
        states.append(node_state(node, lrm, attrs=attrs))
        promoted = node == promoted_on
        inner = lrm_resource("st", [op("st", guest, "start", 30 + index),
                                    op("st", guest, "monitor", 40 + index,
                                       rc=8 if promoted else 0,
                                       interval_ms=11000 if promoted else 10000)],
                             "Stateful")
        states.append(f'<node_state id="{guest}" uname="{guest}"><lrm id="{guest}">'
                      f'<lrm_resources>{inner}</lrm_resources></lrm></node_state>')
    return "".join(states)


PROMOTABLE = _bundle("p", inner=stateful("st"), network='<network control-port="3121"/>',
                     meta={"promotable": "true", "container-attribute-target": "host"})


def test_a_running_bundle_stays_where_it_is_and_promotes_one_instance():
    plan = _plan(PROMOTABLE, nodes=["node1", "node2"],
                 status=_running_bundle_status(PROMOTABLE))
    assert plan == Counter(["* Promote st:0 ( Unpromoted -> Promoted p-0 )"]), plan


def test_promotion_scores_are_read_from_the_container_host():
    """master-st is set on the hosts (container-attribute-target=host): the higher one,
    node2's, keeps its instance promoted."""
    plan = _plan(PROMOTABLE, nodes=["node1", "node2"],
                 status=_running_bundle_status(PROMOTABLE, promoted_on="node2"))
    assert plan == Counter(), plan


def test_status_shows_bundles_and_guest_nodes_as_crm_simulate_does():
    from daemon.scheduler.engine import build_working_set as build
    from daemon.scheduler.status_view import cluster_status_lines
    path = SCHED_TIER3 / "xml" / "bundle-promoted-location-3.xml"
    lines = [re.sub(r"\s+", " ", line) for line in
             cluster_status_lines(build(etree.parse(str(path)).getroot(), NOW))]
    assert " * GuestOnline: [ base-bundle-0 base-bundle-1 base-bundle-2 ]" in lines
    assert " * Container bundle set: base-bundle [localhost/pcmktest]:" in lines
    assert " * base-bundle-0 (ocf:pacemaker:Stateful): Promoted node3" in lines
