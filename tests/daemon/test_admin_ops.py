"""Cleanup, refresh, fail counts and transient attributes as status changes (pure)."""

import pytest
from lxml import etree

from daemon import admin_ops
from daemon.cib.status_ops import ClearFailures, ClearNode, DeleteResource, SetTransientAttr

CIB = b"""<cib admin_epoch="0" epoch="3" num_updates="7">
<configuration><crm_config/><nodes><node id="1" uname="node1"/><node id="2" uname="node2"/></nodes>
<resources>
  <primitive id="ip" class="ocf" provider="heartbeat" type="IPaddr2"/>
  <group id="g"><primitive id="a" class="ocf" provider="crmshell" type="Dummy"/>
                <primitive id="b" class="ocf" provider="crmshell" type="Dummy"/></group>
  <clone id="c"><primitive id="d" class="ocf" provider="crmshell" type="Dummy"/></clone>
</resources><constraints/></configuration>
<status>
 <node_state id="1" uname="node1">
  <transient_attributes id="1"><instance_attributes id="status-1">
    <nvpair id="status-1-fail-count-a.monitor_10000" name="fail-count-a#monitor_10000" value="2"/>
    <nvpair id="status-1-last-failure-a.monitor_10000" name="last-failure-a#monitor_10000" value="1700000000"/>
    <nvpair id="status-1-standby" name="standby" value="on"/>
  </instance_attributes></transient_attributes>
  <lrm id="1"><lrm_resources>
   <lrm_resource id="a" class="ocf" provider="crmshell" type="Dummy">
     <lrm_rsc_op id="a_last_0" operation="start" transition-key="3:1:0:u" rc-code="0" op-status="0"/>
     <lrm_rsc_op id="a_last_failure_0" operation="monitor" transition-key="4:1:0:u" rc-code="7" op-status="0"/>
   </lrm_resource>
   <lrm_resource id="ip" class="ocf" provider="heartbeat" type="IPaddr2">
     <lrm_rsc_op id="ip_last_0" operation="start" transition-key="5:1:0:u" rc-code="0" op-status="0"/>
   </lrm_resource>
   <lrm_resource id="d:0" class="ocf" provider="crmshell" type="Dummy">
     <lrm_rsc_op id="d_last_0" operation="start" transition-key="6:1:0:u" rc-code="1" op-status="0"/>
   </lrm_resource>
  </lrm_resources></lrm>
 </node_state>
 <node_state id="2" uname="node2"/>
</status></cib>"""


@pytest.fixture
def cib():
    return etree.fromstring(CIB)


def test_cleanup_takes_only_failed_resources(cib):
    ops = admin_ops.cleanup(cib, None, None, refresh=False)
    assert ops == (DeleteResource("1", "a", only_failed=True), ClearFailures("1", "a"),
                   DeleteResource("1", "d:0", only_failed=True), ClearFailures("1", "d:0"))


def test_refresh_of_a_group_takes_its_members(cib):
    ops = admin_ops.cleanup(cib, "g", "node1", refresh=True)
    assert ops == (DeleteResource("1", "a", only_failed=False), ClearFailures("1", "a"))


def test_clone_and_instance_names_reach_the_instances(cib):
    for name in ("c", "d", "d:0"):
        ops = admin_ops.cleanup(cib, name, None, refresh=False)
        assert [op.rsc_id for op in ops] == ["d:0", "d:0"]


def test_cleanup_of_one_operation_is_passed_on(cib):
    ops = admin_ops.cleanup(cib, "a", None, refresh=False, operation="monitor", interval_ms=10000)
    assert ClearFailures("1", "a", "monitor", 10000) in ops


def test_unknown_resource_and_node_are_named(cib):
    with pytest.raises(admin_ops.AdminError, match="resource 'nope' is not in the configuration"):
        admin_ops.cleanup(cib, "nope", None, refresh=False)
    with pytest.raises(admin_ops.AdminError, match=r"node 'node9' .*known: node1, node2"):
        admin_ops.cleanup(cib, None, "node9", refresh=False)


def test_failcounts_are_read_per_operation(cib):
    assert admin_ops.failcounts(cib, "g", None) == [
        {"node": "node1", "resource": "a", "operation": "monitor_10000", "value": "2"}]
    assert admin_ops.failcounts(cib, "ip", None) == []


def test_transient_attributes(cib):
    assert admin_ops.get_attribute(cib, "node1", "standby") == "on"
    assert admin_ops.get_attribute(cib, "node2", "standby") is None
    assert admin_ops.set_attribute(cib, "node2", "standby", "on") == (
        SetTransientAttr("2", "node2", "standby", "on"),)
    assert admin_ops.clearstate(cib, "1") == (ClearNode("1", lrm=True, attrs=True),)
