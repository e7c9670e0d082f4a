"""Pacemaker Remote and guest nodes in the scheduler (daemon/scheduler/remote_nodes.py and
remote_orderings.py): the nodes their connections define, their online state, placement
on them, the orderings against the connection, and guests "fenced" by their launcher."""

from __future__ import annotations

import pytest
from lxml import etree

from daemon.scheduler import digests, load_cib, schedule
from daemon.scheduler import remote_nodes as rn
from daemon.scheduler.engine import build_working_set, run_pipeline
from tests.scheduler import sched_cib as c
from tests.scheduler.sched_conformance import normalise

NOW = 1_767_225_600
NODES = ["node1", "node2"]


def remote(rsc_id: str, params: dict[str, str] | None = None) -> str:
    inner = (f'<instance_attributes id="{rsc_id}-params">{c.nvpairs(rsc_id + "-p", params)}'
             '</instance_attributes>') if params else ""
    return (f'<primitive id="{rsc_id}" class="ocf" provider="pacemaker" type="remote">{inner}'
            f'<operations><op id="{rsc_id}-monitor-30s" name="monitor" interval="30s" '
            'timeout="20s"/></operations></primitive>')


def vm(rsc_id: str, guest: str) -> str:
    return c.dummy(rsc_id, meta={"remote-node": guest})


def prefer(rsc: str, node: str, score: str = "100") -> str:
    return f'<rsc_location id="loc-{rsc}-{node}" rsc="{rsc}" node="{node}" score="{score}"/>'


def connection_running(rsc_id: str, node: str, call_id: int = 20, *,
                       launcher: str | None = None) -> str:
    ops = [c.op(rsc_id, node, "start", call_id),
           c.op(rsc_id, node, "monitor", call_id + 1, interval_ms=30000)]
    extra = f' container="{launcher}"' if launcher else ""
    return (f'<lrm_resource id="{rsc_id}" class="ocf" provider="pacemaker" type="remote"'
            f'{extra}>{"".join(ops)}</lrm_resource>')


def remote_state(name: str, lrm: str = "") -> str:
    return (f'<node_state id="{name}" uname="{name}" remote_node="true">'
            f'<lrm id="{name}"><lrm_resources>{lrm}</lrm_resources></lrm></node_state>')


def _cib(tmp_path, **kw):
    path = tmp_path / "cib.xml"
    path.write_text(c.cib(nodes=NODES, **kw))
    return load_cib(str(path))


def _summary(tmp_path, **kw) -> list[str]:
    return sorted(normalise(x) for x in schedule(_cib(tmp_path, **kw), NOW,
                                                 sanitized=True).summary_lines)


def _before(action, first_key: str) -> bool:
    return any(rel.action.key == first_key for rel in action.before)


# ---- the model -----------------------------------------------------------------------

def test_connection_primitive_defines_a_remote_node(tmp_path):
    ws = build_working_set(_cib(tmp_path, resources=remote("remote1") + c.dummy("rsc1")), NOW)
    node = ws.node_by_name["remote1"]
    rsc = ws.rsc_by_id["remote1"]
    assert node.kind == rn.REMOTE and node.attrs["#kind"] == "remote"
    assert rn.connection(node) is rsc and rsc.is_remote_connection
    assert rn.is_remote(node) and not rn.is_guest(node) and rn.launcher(node) is None
    assert rsc.migratable            # a remote node's connection migrates by default
    assert [n.name for n in ws.nodes] == ["node1", "node2", "remote1"]   # in name order
    assert not node.online           # nothing says its connection is up


def test_remote_node_meta_defines_a_guest_with_an_implicit_connection(tmp_path):
    ws = build_working_set(_cib(tmp_path, resources=vm("vm1", "guest1")), NOW)
    guest = ws.node_by_name["guest1"]
    connection = ws.rsc_by_id["guest1"]
    assert connection.is_remote_connection and connection.launcher is ws.rsc_by_id["vm1"]
    assert ws.rsc_by_id["vm1"].launched == [connection]
    assert rn.is_guest(guest) and not rn.is_remote(guest)
    assert guest.attrs["#kind"] == "container"
    assert not connection.migratable
    assert rn.contains_guest(ws, ws.rsc_by_id["vm1"]) is connection
    # the implicit connection is not written into the caller's CIB
    assert ws.cib.find("configuration/resources/primitive[@id='guest1']") is None


def test_guest_connection_carries_address_port_and_timeout():
    prim = rn.guest_connection_xml("g1", "vm1", None, None, "90s", "10.0.0.5", "3121")
    text = etree.tostring(prim).decode()
    assert 'name="container" value="vm1"' in text
    assert 'name="addr" value="10.0.0.5"' in text and 'name="port" value="3121"' in text
    assert 'name="start" interval="0" timeout="90s"' in text


def test_guest_lives_on_its_launchers_host(tmp_path):
    status = (c.node_state("node1", c.running("vm1", "node1")
                           + connection_running("guest1", "node1", launcher="vm1"))
              + c.node_state("node2") + remote_state("guest1"))
    ws = build_working_set(_cib(tmp_path, resources=vm("vm1", "guest1"), status=status), NOW)
    guest = ws.node_by_name["guest1"]
    assert guest.online and rn.host(guest) is ws.node_by_name["node1"]


# ---- scheduling ------------------------------------------------------------------------

def test_remote_node_comes_online_once_its_connection_is_placed(tmp_path):
    lines = _summary(tmp_path, resources=remote("remote1") + c.dummy("rsc1"),
                     constraints=prefer("rsc1", "remote1") + prefer("remote1", "node2"))
    assert lines == ["* Start remote1 (node2)", "* Start rsc1 (remote1)"]


def test_actions_on_a_remote_node_follow_its_connection_start(tmp_path):
    ws = run_pipeline(_cib(tmp_path, resources=remote("remote1") + c.dummy("rsc1"),
                           constraints=prefer("rsc1", "remote1")), NOW)
    start = [a for a in ws.rsc_by_id["rsc1"].actions if a.task == "start"][0]
    assert start.node.name == "remote1"
    assert _before(start, "remote1_start_0")


def test_connections_and_fence_devices_never_run_on_remote_nodes(tmp_path):
    ws = run_pipeline(_cib(tmp_path, resources=remote("remote1") + remote("remote2")), NOW)
    for rsc_id in ("remote1", "remote2"):
        rsc = ws.rsc_by_id[rsc_id]
        assert rsc.assigned_to is not None and rsc.assigned_to.kind != rn.REMOTE


def test_guest_starts_with_its_launcher_and_hosts_resources(tmp_path):
    lines = _summary(tmp_path, resources=vm("vm1", "guest1") + c.dummy("rsc1"),
                     constraints=prefer("vm1", "node2") + prefer("rsc1", "guest1"))
    assert lines == ["* Start guest1 (node2)", "* Start rsc1 (guest1)", "* Start vm1 (node2)"]


def test_failed_launcher_fences_its_guest_and_recovers(tmp_path):
    vm_history = c.lrm_resource("vm1", [c.op("vm1", "node1", "start", 10),
                                         c.op("vm1", "node1", "monitor", 11, rc=7,
                                              interval_ms=10000, expected=0)])
    status = (c.node_state("node1", vm_history
                           + connection_running("guest1", "node1", launcher="vm1"))
              + c.node_state("node2")
              + remote_state("guest1", c.running("rsc1", "guest1")))
    lines = _summary(tmp_path, resources=vm("vm1", "guest1") + c.dummy("rsc1"),
                     constraints=prefer("vm1", "node1") + prefer("rsc1", "guest1"),
                     status=status)
    assert "* Fence (reboot) guest1 (resource: vm1) 'guest is unclean'" in lines
    assert "* Recover vm1 (node1)" in lines
    assert "* Recover rsc1 (guest1)" in lines


def test_stopping_a_connection_stops_its_nodes_resources_first(tmp_path):
    status = (c.node_state("node1", connection_running("remote1", "node1"))
              + c.node_state("node2") + remote_state("remote1", c.running("rsc1", "remote1")))
    resources = remote("remote1").replace(
        '<operations>', '<meta_attributes id="r1-meta"><nvpair id="r1-tr" name="target-role" '
        'value="Stopped"/></meta_attributes><operations>') + c.dummy("rsc1")
    ws = run_pipeline(_cib(tmp_path, resources=resources,
                           constraints=prefer("rsc1", "remote1", "INFINITY"), status=status), NOW)
    stop_conn = [a for a in ws.rsc_by_id["remote1"].actions if a.task == "stop"][0]
    assert not stop_conn.optional
    assert _before(stop_conn, "rsc1_stop_0")


def test_launcher_failure_threshold_counts_its_connections_failures(tmp_path):
    status = (c.node_state("node1", c.running("vm1", "node1")
                           + connection_running("guest1", "node1", launcher="vm1"),
                           attrs={"fail-count-guest1#monitor_30000": "INFINITY",
                                  "last-failure-guest1#monitor_30000": "1700000000"})
              + c.node_state("node2") + remote_state("guest1"))
    lines = _summary(tmp_path, resources=vm("vm1", "guest1"), status=status)
    assert "* Move vm1 (node1 -> node2)" in lines


# ---- digests of masked private parameters ------------------------------------------------

def test_only_private_parameters_changed_is_no_change_when_sanitized(tmp_path):
    params = {"ip": "10.0.0.1", "passwd": "secret"}
    recorded = c.op("rsc1", "node1", "start", 10, params={"ip": "10.0.0.1", "passwd": "old"})
    recorded = recorded.replace(
        ' op-digest=', f' op-secure-params=" passwd " op-secure-digest='
        f'"{digests.digest_of({"ip": "10.0.0.1"})}" op-digest=')
    cib = _cib(tmp_path, resources=c.dummy("rsc1", params=params),
               status=c.node_state("node1", c.lrm_resource("rsc1", [
                   recorded, c.op("rsc1", "node1", "monitor", 11, interval_ms=10000,
                                  params=params)])) + c.node_state("node2"))
    assert [normalise(x) for x in schedule(cib, NOW, sanitized=True).summary_lines] == []
    assert [normalise(x) for x in schedule(cib, NOW).summary_lines] == ["* Restart rsc1 (node1)"]


# ---- scenarios whose summaries crm_simulate (2.1.5) gives identically --------------------

FENCER = '<primitive id="fencer" class="stonith" type="fence_xvm"/>'
FENCING = {"stonith-enabled": "true"}


def _fencer_on(node: str) -> str:
    return ('<lrm_resource id="fencer" class="stonith" type="fence_xvm">'
            f'{c.op("fencer", node, "start", 5)}</lrm_resource>')


def _conn(rsc_id: str, node: str, call_id: int = 20, *, launcher: str | None = None,
          monitor_rc: int = 0, start_rc: int = 0) -> str:
    ops = [c.op(rsc_id, node, "start", call_id, rc=start_rc, expected=0)]
    if not start_rc:
        ops.append(c.op(rsc_id, node, "monitor", call_id + 1, interval_ms=30000, rc=monitor_rc,
                        expected=0))
    extra = f' container="{launcher}"' if launcher else ""
    return (f'<lrm_resource id="{rsc_id}" class="ocf" provider="pacemaker" type="remote"'
            f'{extra}>{"".join(ops)}</lrm_resource>')


def _rstate(name: str, lrm: str = "", attrs: dict[str, str] | None = None) -> str:
    transient = (f'<transient_attributes id="{name}"><instance_attributes id="st-{name}">'
                 f'{c.nvpairs("st-" + name, attrs)}</instance_attributes>'
                 '</transient_attributes>') if attrs else ""
    return (f'<node_state id="{name}" uname="{name}" remote_node="true">{transient}'
            f'<lrm id="{name}"><lrm_resources>{lrm}</lrm_resources></lrm></node_state>')


def _guest_running(*, host_lost: bool = False) -> str:
    """vm1 (launching guest1) on node1, rsc1 on guest1; a fence device on node2 when node1
    is lost."""
    return (c.node_state("node1", c.running("vm1", "node1")
                         + _conn("guest1", "node1", launcher="vm1"), lost=host_lost)
            + c.node_state("node2", _fencer_on("node2") if host_lost else "")
            + _rstate("guest1", c.running("rsc1", "guest1")))


ON_REMOTE = prefer("rsc1", "remote1")
ON_GUEST = prefer("rsc1", "guest1")
SCENARIOS = {
    "connection migrates off a standby node": (
        dict(resources=remote("remote1") + c.dummy("rsc1"), constraints=ON_REMOTE,
             node_attrs={"node1": {"standby": "on"}},
             status=c.node_state("node1", _conn("remote1", "node1")) + c.node_state("node2")
             + _rstate("remote1", c.running("rsc1", "remote1"))),
        ["* Migrate remote1 (node1 -> node2)"]),
    "failed connection start is recovered": (
        dict(resources=remote("remote1") + c.dummy("rsc1"), constraints=ON_REMOTE,
             status=c.node_state("node1", _conn("remote1", "node1", start_rc=1))
             + c.node_state("node2") + _rstate("remote1")),
        ["* Recover remote1 (node1)", "* Start rsc1 (remote1)"]),
    "lost connection fences the remote node": (
        dict(resources=FENCER + remote("remote1") + c.dummy("rsc1"), constraints=ON_REMOTE,
             props=FENCING,
             status=c.node_state("node1", _conn("remote1", "node1", monitor_rc=1))
             + c.node_state("node2", _fencer_on("node2"))
             + _rstate("remote1", c.running("rsc1", "remote1"))),
        ["* Fence (reboot) remote1 'remote connection is unrecoverable'",
         "* Move rsc1 (remote1 -> node1)", "* Recover remote1 (node1)"]),
    "connection on a lost node moves without fencing the remote node": (
        dict(resources=FENCER + remote("remote1") + c.dummy("rsc1"), constraints=ON_REMOTE,
             props=FENCING,
             status=c.node_state("node1", _conn("remote1", "node1"), lost=True)
             + c.node_state("node2", _fencer_on("node2"))
             + _rstate("remote1", c.running("rsc1", "remote1"))),
        ["* Fence (reboot) node1 'peer is no longer part of the cluster'",
         "* Move remote1 (node1 -> node2)"]),
    "remote node without discovery gets no probes": (
        dict(resources=remote("remote1") + c.dummy("rsc1"),
             status=c.node_state("node1", _conn("remote1", "node1")) + c.node_state("node2")
             + _rstate("remote1", "", {"resource-discovery-enabled": "false"})),
        ["* Start rsc1 (node2)"]),
    "shutting down a remote node stops its connection": (
        dict(resources=remote("remote1") + c.dummy("rsc1"), constraints=ON_REMOTE,
             status=c.node_state("node1", _conn("remote1", "node1")) + c.node_state("node2")
             + _rstate("remote1", c.running("rsc1", "remote1"), {"shutdown": "1234"})),
        ["* Move rsc1 (remote1 -> node1)",
         "* Stop remote1 (node1) due to node availability"]),
    "stopped launcher stops its guest": (
        dict(resources=c.dummy("vm1", meta={"remote-node": "guest1", "target-role": "Stopped"})
             + c.dummy("rsc1"), constraints=ON_GUEST,
             status=_guest_running()),
        ["* Move rsc1 (guest1 -> node1)", "* Stop guest1 (node1) due to node availability",
         "* Stop vm1 (node1) due to node availability"]),
    "guest moves with its launcher": (
        dict(resources=vm("vm1", "guest1") + c.dummy("rsc1"),
             constraints=ON_GUEST + prefer("vm1", "node2", "200"),
             status=_guest_running()),
        ["* Move guest1 (node1 -> node2)", "* Move vm1 (node1 -> node2)",
         "* Restart rsc1 (guest1) due to required vm1 start"]),
    "guest of a lost host is fenced by recovering its launcher elsewhere": (
        dict(resources=FENCER + vm("vm1", "guest1") + c.dummy("rsc1"), constraints=ON_GUEST,
             props=FENCING,
             status=_guest_running(host_lost=True)),
        ["* Fence (reboot) guest1 (resource: vm1) 'guest is unclean'",
         "* Fence (reboot) node1 'peer is no longer part of the cluster'",
         "* Move guest1 (node1 -> node2)", "* Recover rsc1 (guest1)",
         "* Recover vm1 (node1 -> node2)"]),
    "clone instances count and use remote nodes": (
        dict(resources=remote("remote1") + remote("remote2") + c.clone("cl", c.dummy("crsc")),
             status=c.node_state("node1", _conn("remote1", "node1"))
             + c.node_state("node2", _conn("remote2", "node2", 30))
             + _rstate("remote1") + _rstate("remote2")),
        ["* Start crsc:0 (remote1)", "* Start crsc:1 (remote2)", "* Start crsc:2 (node1)",
         "* Start crsc:3 (node2)"]),
    "unseen remote node needs no fencing once its connection starts": (
        dict(resources=FENCER + remote("remote1") + c.dummy("rsc1"), props=FENCING,
             constraints=ON_REMOTE,
             status=c.node_state("node1") + c.node_state("node2", _fencer_on("node2"))),
        ["* Start remote1 (node1)", "* Start rsc1 (remote1)"]),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_as_crm_simulate_plans_it(tmp_path, name):
    kw, expected = SCENARIOS[name]
    assert _summary(tmp_path, **kw) == sorted(expected)
