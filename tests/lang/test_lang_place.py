"""Placing definitions into a CIB: crmsh's rules for new objects, containers, merges,
monitor ops, the fencing topology and `load update`. Expected XML was recorded from crmsh
4.4.1 (`crm -f` on an empty CIB, then `cibadmin -Q --scope configuration`)."""

from __future__ import annotations

import copy

import pytest
from lxml import etree

from crm_cases import canonical, empty_cib
from crmshell.lang.build import build, BuildContext
from crmshell.lang.errors import DefinitionError
from crmshell.lang.parser import parse_document, parse_statement
from crmshell.lang.place import define, define_all, place
from daemon.cib.ids import IdAllocator


class Session:
    """An empty CIB and its ids, with `run` applying definitions like `configure` does."""

    def __init__(self) -> None:
        self.cib = empty_cib()
        self.ids = IdAllocator.from_tree(self.conf)

    @property
    def conf(self):
        return self.cib.find("configuration")

    def run(self, *lines: str, mode: str = "create") -> list[str]:
        changed: list[str] = []
        for line in lines:
            changed += define(self.cib, parse_statement(line), self.ids, mode=mode)
        return changed

    def xml(self, path: str) -> str:
        found = self.conf.xpath(path)
        assert len(found) == 1, (path, found)
        return etree.tostring(found[0]).decode()

    def ids_in_sync(self) -> bool:
        rebuilt = IdAllocator.from_tree(self.conf)
        return all(self.ids.holders(i) == rebuilt.holders(i) for i in rebuilt)

    def snapshot(self):
        return copy.deepcopy(self.conf), sorted(self.ids)


def same(xml_a: str, xml_b: str) -> bool:
    parser = etree.XMLParser(remove_blank_text=True)
    return canonical(etree.fromstring(xml_a, parser)) == canonical(etree.fromstring(xml_b, parser))


@pytest.fixture
def s():
    return Session()


def _refused(s: Session, line: str, fragment: str, mode: str = "create") -> None:
    before_conf, before_ids = s.snapshot()
    with pytest.raises(DefinitionError) as info:
        s.run(line, mode=mode)
    assert fragment in str(info.value)
    assert canonical(s.conf) == canonical(before_conf)
    assert sorted(s.ids) == before_ids


def test_new_objects_are_appended_and_existing_ids_refused(s):
    s.run("primitive d1 Dummy", "primitive d2 Dummy params state=1")
    assert [e.get("id") for e in s.conf.find("resources")] == ["d1", "d2"]
    _refused(s, "primitive d1 Dummy params fake=1", "primitive d1 already has that id")
    _refused(s, "location d2 d1 100: node1", "primitive d2 already has that id")
    _refused(s, "primitive d3 Dummy params $id=d2-instance_attributes a=1",
             "id 'd2-instance_attributes' in primitive d3 is already in use")
    _refused(s, "primitive d3 Dummy params $id=x a=1 meta $id=x b=2", "id 'x' is given twice")
    assert s.ids_in_sync()


def test_a_resource_may_share_a_node_name(s):
    s.run("node node1", "primitive node1 Dummy params a=1")
    assert s.ids.holders("node1") == 2
    assert s.ids_in_sync()


def test_group_takes_its_members_and_goes_last(s):
    s.run("primitive p1 Dummy", "primitive p2 Dummy", "primitive p3 Dummy", "primitive p4 Dummy",
          "group g1 p1 p2", "clone c1 g1", "primitive p5 Dummy", "group g2 p4 p3")
    resources = s.conf.find("resources")
    assert [e.get("id") for e in resources] == ["c1", "p5", "g2"]
    assert [e.get("id") for e in resources.find("group")] == ["p4", "p3"]
    assert [e.get("id") for e in resources.find("clone/group")] == ["p1", "p2"]
    assert s.ids_in_sync()


def test_container_refusals(s):
    s.run("primitive p1 Dummy", "primitive p2 Dummy", "group g1 p1", "clone c1 p2")
    _refused(s, "group g2 p1", "g2: p1 is already in group g1")
    _refused(s, "group g2 p9", "group g2: resource p9 does not exist")
    _refused(s, "group g2 g1", "group g1 cannot be a member (a group holds primitive)")
    _refused(s, "ms m1 c1", "clone c1 cannot be a member (a ms holds primitive or group)")
    s.run("primitive p3 Dummy", "ms m1 p3")
    assert s.conf.find("resources/master/primitive").get("id") == "p3"


def test_grouping_redirects_constraints_as_crmsh(s):
    s.run("node node1", "node node2", "primitive d1 Dummy", "primitive d2 Dummy",
          "primitive d3 Dummy", "location l2 d1 100: node1", "colocation c1 inf: d1 d2",
          "order o1 d1 d2 d3", "colocation c2 inf: d1 d3")
    changed = s.run("group g d1 d2")
    assert set(changed) >= {"g", "l2", "o1", "c2", "c1", "d1", "d2"}
    expected = """<constraints>
      <rsc_location id="l2" rsc="g" score="100" node="node1"/>
      <rsc_order id="o1" first="g" then="d3"/>
      <rsc_colocation id="c2" score="INFINITY" rsc="g" with-rsc="d3"/>
    </constraints>"""
    assert same(s.xml("constraints"), expected)
    assert s.ids_in_sync()


def test_property_sets_merge(s):
    s.run("property stonith-enabled=false", "property no-quorum-policy=ignore",
          "property stonith-enabled=true", "rsc_defaults resource-stickiness=100",
          "rsc_defaults $id=rd2 migration-threshold=3", "op_defaults timeout=20s",
          "property $id=cpset2 maintenance-mode=true")
    assert same(s.xml("crm_config"), """<crm_config>
      <cluster_property_set id="cib-bootstrap-options">
        <nvpair name="stonith-enabled" value="true" id="cib-bootstrap-options-stonith-enabled"/>
        <nvpair name="no-quorum-policy" value="ignore" id="cib-bootstrap-options-no-quorum-policy"/>
      </cluster_property_set>
      <cluster_property_set id="cpset2">
        <nvpair name="maintenance-mode" value="true" id="cpset2-maintenance-mode"/>
      </cluster_property_set></crm_config>""")
    assert same(s.xml("rsc_defaults"), """<rsc_defaults>
      <meta_attributes id="rsc-options">
        <nvpair name="resource-stickiness" value="100" id="rsc-options-resource-stickiness"/>
      </meta_attributes>
      <meta_attributes id="rd2">
        <nvpair name="migration-threshold" value="3" id="rd2-migration-threshold"/>
      </meta_attributes></rsc_defaults>""")
    # sections are created in the order they are first needed
    assert [e.tag for e in s.conf] == ["crm_config", "nodes", "resources", "constraints",
                                       "rsc_defaults", "op_defaults"]


def test_property_rule_is_appended_to_the_existing_set(s):
    s.run("property stonith-enabled=false", "property rule #uname eq node1 stonith-enabled=no")
    assert same(s.xml("crm_config/cluster_property_set"), """
      <cluster_property_set id="cib-bootstrap-options">
        <nvpair name="stonith-enabled" value="no" id="cib-bootstrap-options-stonith-enabled"/>
        <rule score="INFINITY" id="cib-bootstrap-options-rule">
          <expression operation="eq" attribute="#uname" value="node1" id="cib-bootstrap-options-rule-expression"/>
        </rule>
      </cluster_property_set>""")


def test_node_attributes_merge_with_crmsh_ids(s):
    # crmsh numbers the sets it merged away, so later ones get -1 (recorded from crm 4.4.1)
    s.run("node node1 attributes a=1 utilization u=1",
          "node node1 attributes b=2 a=3 utilization v=2",
          "node node1 description=foo c=1")
    assert same(s.xml("nodes/node"), """<node uname="node1" id="node1">
      <instance_attributes id="node1-instance_attributes">
        <nvpair name="a" value="3" id="node1-instance_attributes-a"/>
        <nvpair name="b" value="2" id="node1-instance_attributes-0-b"/>
        <nvpair name="c" value="1" id="node1-instance_attributes-1-c"/>
      </instance_attributes>
      <utilization id="node1-utilization">
        <nvpair name="u" value="1" id="node1-utilization-u"/>
        <nvpair name="v" value="2" id="node1-utilization-0-v"/>
      </utilization></node>""")


def test_monitor_adds_an_op(s):
    s.run("primitive d1 Dummy operations $id=d1-ops op monitor interval=60m", "monitor d1 60s:30s",
          "primitive d2 Dummy", "monitor d2:Started 30s", "group g d2")
    assert s.xml("resources/primitive/operations/op[2]") == \
        '<op name="monitor" interval="60s" timeout="30s" id="d1-monitor-60s"/>'
    assert s.xml("resources/group/primitive/operations/op") == \
        '<op name="monitor" role="Started" interval="30s" id="d2-monitor-30s"/>'
    _refused(s, "monitor d1 1h", "d1 already has a monitor op with interval 1h")
    _refused(s, "monitor d1 3600s", "interval 3600s")
    _refused(s, "monitor g 10s", "group g is not a primitive")
    _refused(s, "monitor d9 10s", "resource d9 does not exist")


def test_fencing_topology_without_targets_uses_the_nodes_and_replaces(s):
    s.run("node node2", "node node1", "primitive st stonith:null params hostlist=node1",
          "primitive st2 stonith:null params hostlist=node1", "fencing_topology st st2")
    assert [(lvl.get("target"), lvl.get("index"), lvl.get("devices"), lvl.get("id"))
            for lvl in s.conf.find("fencing-topology")] == [
        ("node1", "1", "st", "fencing"), ("node1", "2", "st2", "fencing-0"),
        ("node2", "1", "st", "fencing-1"), ("node2", "2", "st2", "fencing-2")]
    # a new topology replaces the old one; levels that stay keep their ids, as in crmsh's
    # `load update` (crmsh itself refuses a second fencing_topology at the prompt)
    s.run("fencing_topology node1: st2 attr:rack=1 st pattern:n.* st2")
    assert same(s.xml("fencing-topology"), """<fencing-topology>
      <fencing-level target="node1" index="1" devices="st2" id="fencing-0"/>
      <fencing-level index="1" devices="st" target-attribute="rack" target-value="1" id="fencing-3"/>
      <fencing-level index="1" devices="st2" target-pattern="n.*" id="fencing-4"/>
      </fencing-topology>""")
    assert s.ids_in_sync()


def test_update_replaces_in_place_and_keeps_ids(s):
    s.run("primitive d0 Dummy", "primitive d1 Dummy params $myset:a=1 meta m=1 op monitor interval=10",
          "primitive d2 Dummy")
    changed = s.run("primitive d1 Dummy params a=2 b=3 op monitor interval=10 timeout=5 "
                    "op start interval=0", mode="update")
    assert changed == ["d1"]
    assert [e.get("id") for e in s.conf.find("resources")] == ["d0", "d1", "d2"]
    assert same(s.xml("resources/primitive[@id='d1']"), """
      <primitive id="d1" class="ocf" provider="heartbeat" type="Dummy">
        <instance_attributes id="d1-instance_attributes">
          <nvpair name="a" value="2" id="myset"/>
          <nvpair name="b" value="3" id="d1-instance_attributes-b"/>
        </instance_attributes>
        <operations>
          <op name="monitor" interval="10" timeout="5" id="d1-monitor-10"/>
          <op name="start" interval="0" id="d1-start-0"/>
        </operations>
      </primitive>""")
    assert s.ids_in_sync()


def test_update_of_a_group_relinks_dropped_members(s):
    s.run("primitive a Dummy", "primitive b Dummy", "primitive c Dummy", "group g a b")
    s.run("group g a c", mode="update")
    resources = s.conf.find("resources")
    assert [e.get("id") for e in resources] == ["g", "b"]
    assert [e.get("id") for e in resources.find("group")] == ["a", "c"]
    assert s.ids_in_sync()


def test_load_update_creates_in_processing_order_then_updates():
    s = Session()
    s.run("primitive p0 Dummy params a=1", "primitive p1 Dummy")
    text = ("clone c1 p1\n# comment\nprimitive p2 Dummy\nprimitive p0 Dummy params a=2\n"
            "group g p2\nproperty stonith-enabled=false\n")
    changed = define_all(s.cib, parse_document(text), s.ids, mode="update")
    assert changed[:3] == ["p2", "g", "c1"]
    assert [e.get("id") for e in s.conf.find("resources")] == ["p0", "g", "c1"]
    assert s.conf.find("resources/group/primitive")[0].text == "# comment"
    assert s.xml("resources/primitive[@id='p0']/instance_attributes/nvpair").count('value="2"') == 1
    assert s.ids_in_sync()


def test_comments_go_first_in_the_element(s):
    stmts = parse_document("primitive p1 Dummy\n# one\n# two\nclone c1 p1 meta a=1")
    for stmt in stmts:
        define(s.cib, stmt, s.ids)
    clone = s.conf.find("resources/clone")
    assert [c.text if not isinstance(c.tag, str) else c.tag for c in clone] == \
        ["# one", "# two", "meta_attributes", "primitive"]


def test_xml_definitions(s):
    s.run("primitive d1 Dummy",
          "xml <rsc_location id='l1' rsc='d1'><rule score='10'><expression attribute='#uname' "
          "operation='eq' value='n1'/></rule></rsc_location>",
          "xml <group id='g'><primitive id='d1' class='ocf' provider='heartbeat' type='Delay'/>"
          "</group>")
    assert s.conf.find("constraints/rsc_location/rule").get("id") == "l1-rule"
    assert s.conf.find("constraints/rsc_location/rule/expression").get("id") == "l1-rule-expression"
    assert [e.get("id") for e in s.conf.find("resources")] == ["g"]
    assert s.conf.find("resources/group/primitive").get("type") == "Delay"
    assert s.ids_in_sync()


def test_id_references_to_objects_resolve_to_their_sets(s):
    s.run("primitive d1 Dummy params a=1 operations $id=d1-ops op monitor interval=10",
          "primitive d2 Dummy params $id-ref=d1 operations $id-ref=d1",
          "location l2 d1 rule $id=l2-rule1 100: #uname eq node1",
          "location l7 d2 rule $id-ref=l2")
    assert s.conf.find("resources/primitive[@id='d2']/instance_attributes").get("id-ref") == \
        "d1-instance_attributes"
    assert s.conf.find("resources/primitive[@id='d2']/operations").get("id-ref") == "d1-ops"
    assert s.conf.find("constraints/rsc_location[@id='l7']/rule").get("id-ref") == "l2-rule1"


def test_place_refuses_unknown_mode_and_builds_without_a_cib():
    stmt = parse_statement("primitive d1 Dummy params a=1")
    ids = IdAllocator()
    built = build(stmt, ids, context=BuildContext())
    assert (built.kind, built.id, built.section) == ("primitive", "d1", "resources")
    with pytest.raises(ValueError):
        place(empty_cib(), built, ids, mode="replace")
    built.release()
    assert list(ids) == []


def test_bare_agent_types_use_the_providers_lookup():
    s = Session()
    stmt = parse_statement("primitive s1 Stateful")
    define(s.cib, stmt, s.ids, providers=lambda agent: ["pacemaker"])
    assert s.conf.find("resources/primitive").get("provider") == "pacemaker"
    define(s.cib, parse_statement("primitive s2 Stateful"), s.ids)
    assert s.conf.find("resources/primitive[@id='s2']").get("provider") == "heartbeat"
