"""Which devices fence a node, in which order: host checks, devices' state, topologies."""

from __future__ import annotations

import pytest

from daemon.fencing.capable import AgentFacts
from daemon.fencing.plan import check_configuration, plan_fencing
from tests.fencing.fence_fixtures import agent_meta, cib, device, level, node


def devices_of(plan) -> list[list[str]]:
    return [list(lv.devices) for lv in plan.levels]


def problems_of(plan) -> list[tuple[str, str | None]]:
    return [(p.element_id, p.attribute) for p in plan.problems]


# ---- host checks -------------------------------------------------------------------------

def test_static_list_from_host_list_without_case():
    config = cib(device("f1", pcmk_host_list="Node1,node2") + device("f2", pcmk_host_list="node3"))
    assert devices_of(plan_fencing(config, "node1")) == [["f1"]]
    assert devices_of(plan_fencing(config, "node3")) == [["f2"]]


def test_static_list_from_host_map_is_the_default_with_a_map():
    config = cib(device("f1", pcmk_host_map="node1:p1;node2=p2"))
    plan = plan_fencing(config, "node2")
    assert devices_of(plan) == [["f1"]] and plan.levels[0].steps[0].port == "p2"
    assert not plan_fencing(config, "node3").ok


@pytest.mark.parametrize("check, why", [("static-list", "static-list needs"),
                                         ("dynamic_list", "'dynamic_list' is not one of")])
def test_a_bad_host_check_names_the_device_and_others_still_fence(check, why):
    config = cib(device("f1", pcmk_host_check=check) + device("f2", pcmk_host_list="node1"))
    plan = plan_fencing(config, "node1")
    assert devices_of(plan) == [["f2"]]
    assert problems_of(plan) == [("f1", "pcmk_host_check")]
    assert why in str(plan.problems[0])


@pytest.mark.parametrize("lists", [
    {"f1": ["node1", "node2"]},
    lambda dev: ["node1", "node2"] if dev == "f1" else None,
])
def test_dynamic_list_from_the_callers_list_output(lists):
    config = cib(device("f1", pcmk_host_check="dynamic-list") + device("f2"))
    facts = AgentFacts(lists=lists)
    assert devices_of(plan_fencing(config, "node2", facts=facts)) == [["f1"]]
    assert not plan_fencing(config, "node3", facts=facts).ok


def test_dynamic_list_is_matched_by_the_mapped_port():
    config = cib(device("f1", pcmk_host_check="dynamic-list", pcmk_host_map="node1:vm-a"))
    assert plan_fencing(config, "node1", facts=AgentFacts(lists={"f1": ["vm-a"]})).ok
    assert not plan_fencing(config, "node1", facts=AgentFacts(lists={"f1": ["node1"]})).ok


def test_without_host_list_map_or_meta_data_the_default_is_dynamic_list():
    config = cib(device("f1"))
    assert not plan_fencing(config, "node1").ok           # no list known: fences nothing
    assert plan_fencing(config, "node1", facts=AgentFacts(lists={"f1": ["node1"]})).ok


def test_status_check_asks_the_callers_status_answers():
    config = cib(device("f1", pcmk_host_check="status", pcmk_host_map="node1:7"))
    asked = []

    def status(dev, port):
        asked.append((dev, port))
        return port == "7"
    assert plan_fencing(config, "node1", facts=AgentFacts(status=status)).ok
    assert asked == [("f1", "7")]
    assert not plan_fencing(config, "node2", facts=AgentFacts(status=status)).ok
    assert not plan_fencing(config, "node1").ok           # nobody asked: cannot tell


def test_none_fences_any_node():
    config = cib(device("f1", pcmk_host_check="none"))
    assert devices_of(plan_fencing(config, "anything")) == [["f1"]]


@pytest.mark.parametrize("actions, listed, mode_fences_node9", [
    (("list", "status", "reboot"), {"f1": ["node9"]}, True),     # dynamic-list, listed
    (("status", "reboot"), {}, "status"),                        # status
    (("reboot", "off", "on"), {}, True),                         # none: any node
    (("list", "reboot"), {}, False),                             # list failed, nothing else
])
def test_default_check_from_the_agents_meta_data(actions, listed, mode_fences_node9):
    config = cib(device("f1", agent="fence_x"))
    facts = AgentFacts(lists=listed, meta={"fence_x": agent_meta("fence_x", actions)},
                       status=lambda dev, port: port == "node9")
    plan = plan_fencing(config, "node9", facts=facts)
    assert plan.ok is bool(mode_fences_node9)
    if mode_fences_node9 == "status":
        assert not plan_fencing(config, "node8", facts=facts).ok


def test_malformed_host_map_entry_is_reported_and_the_good_entries_used():
    config = cib(device("f1", pcmk_host_map="node1:1;node2;node3:3"))
    plan = plan_fencing(config, "node3")
    assert devices_of(plan) == [["f1"]]
    assert problems_of(plan) == [("f1", "pcmk_host_map")]
    assert "'node2' has no ':'" in str(plan.problems[0])
    assert not plan_fencing(config, "node2").ok


# ---- the devices' own state --------------------------------------------------------------

def test_disabled_devices_are_not_used():
    config = cib(device("f1", meta={"target-role": "Stopped"}, pcmk_host_check="none")
                 + '<group id="g">' + device("f2", pcmk_host_check="none") + "</group>"
                 + '<group id="g2">' + nvpairs_stopped("g2")
                 + device("f3", pcmk_host_check="none") + "</group>"
                 + device("f4", pcmk_host_check="none"))
    plan = plan_fencing(config, "node1")
    assert devices_of(plan) == [["f2"], ["f4"]]
    assert any("f1 is disabled" in n for n in plan.notes)


def nvpairs_stopped(owner: str) -> str:
    return (f'<meta_attributes id="{owner}-meta"><nvpair id="{owner}-tr" name="target-role" '
            'value="Stopped"/></meta_attributes>')


def test_rsc_defaults_target_role_disables_every_device():
    config = cib(device("f1", pcmk_host_check="none"), rsc_defaults=nvpairs_stopped("d"))
    assert not plan_fencing(config, "node1").ok


def test_negative_location_keeps_the_executing_node_from_the_device_not_the_target():
    config = cib(device("f1", pcmk_host_check="none") + device("f2", pcmk_host_check="none"),
                 constraints='<rsc_location id="l1" rsc="f1" node="node2" score="-INFINITY"/>'
                             '<rsc_location id="l2" rsc="f2" node="node3" score="-10"/>'
                             '<rsc_location id="l3" rsc="f2" node="node1" score="100"/>')
    assert devices_of(plan_fencing(config, "node2", executing_node="node1")) == [["f1"], ["f2"]]
    assert devices_of(plan_fencing(config, "node1", executing_node="node2")) == [["f2"]]
    assert devices_of(plan_fencing(config, "node1", executing_node="NODE3")) == [["f1"]]
    assert devices_of(plan_fencing(config, "node1")) == [["f1"], ["f2"]]


def test_without_topology_devices_go_by_priority_then_cib_order():
    config = cib(device("low", pcmk_host_check="none")
                 + device("high", meta={"priority": "10"}, pcmk_host_check="none")
                 + device("also-low", pcmk_host_check="none"))
    plan = plan_fencing(config, "node1")
    assert devices_of(plan) == [["high"], ["low"], ["also-low"]]
    assert not plan.topology and all(lv.index is None for lv in plan.levels)


def test_instance_attributes_by_score_and_id_ref():
    text = ('<primitive id="f1" class="stonith" type="fence_test">'
            '<instance_attributes id="a" score="1"><nvpair id="a1" name="pcmk_host_list" '
            'value="node9"/></instance_attributes>'
            '<instance_attributes id="b" score="5"><nvpair id="b1" name="pcmk_host_list" '
            'value="node1"/><nvpair id-ref="shared-ip"/></instance_attributes></primitive>'
            '<primitive id="other" class="stonith" type="fence_test">'
            '<instance_attributes id="o"><nvpair id="shared-ip" name="ip" value="10.0.0.1"/>'
            '</instance_attributes></primitive>')
    plan = plan_fencing(cib(text), "node1")
    assert devices_of(plan) == [["f1"]]
    assert plan.levels[0].steps[0].params["ip"] == "10.0.0.1"


# ---- topology ----------------------------------------------------------------------------

TOPO_DEVICES = "".join(device(d, pcmk_host_check="none")
                       for d in ("ipmi1", "ipmi2", "pdu1", "pdu2", "spare"))


def test_topology_by_name_levels_in_index_order_all_devices_of_a_level():
    config = cib(TOPO_DEVICES, levels=(level("l2", 2, "pdu1,pdu2", target="node1")
                                       + level("l1", 1, "ipmi1", target="NODE1")
                                       + level("o1", 1, "ipmi2", target="node2")))
    plan = plan_fencing(config, "node1", "off")
    assert plan.topology
    assert [(lv.index, lv.id) for lv in plan.levels] == [(1, "l1"), (2, "l2")]
    assert devices_of(plan) == [["ipmi1"], ["pdu1", "pdu2"]]
    assert [(s.device, s.action) for s in plan.levels[1].steps] == [("pdu1", "off"),
                                                                   ("pdu2", "off")]
    assert "spare" not in sum(devices_of(plan), [])      # a topology uses only its devices


def test_reboot_by_a_level_of_several_devices_is_all_off_then_all_on():
    config = cib(TOPO_DEVICES, levels=level("l1", 1, "pdu1,pdu2", target="node1"))
    steps = plan_fencing(config, "node1", "reboot").levels[0].steps
    assert [(s.device, s.action, s.required) for s in steps] == [
        ("pdu1", "off", True), ("pdu2", "off", True), ("pdu1", "on", False),
        ("pdu2", "on", False)]


def test_reboot_remap_leaves_out_on_for_agents_without_it():
    config = cib(device("a", agent="fence_noon", pcmk_host_check="none")
                 + device("b", pcmk_host_check="none"),
                 levels=level("l1", 1, "a,b", target="node1"))
    facts = AgentFacts(meta={"fence_noon": agent_meta("fence_noon", ("reboot", "off"))})
    steps = plan_fencing(config, "node1", facts=facts).levels[0].steps
    assert [(s.device, s.action) for s in steps] == [("a", "off"), ("b", "off"), ("b", "on")]


def test_topology_by_pattern_is_a_regex_searched_in_the_name():
    config = cib(TOPO_DEVICES, levels=(level("p1", 1, "pdu1", target_pattern=r"^web-\d+$")
                                       + level("p2", 2, "spare", target_pattern=r"^web-\d+$")
                                       + level("db", 1, "ipmi2", target_pattern="db")))
    assert devices_of(plan_fencing(config, "web-12")) == [["pdu1"], ["spare"]]
    assert devices_of(plan_fencing(config, "prod-db-1")) == [["ipmi2"]]
    assert not plan_fencing(config, "web-x").topology


def test_topology_by_node_attribute():
    config = cib(TOPO_DEVICES, nodes=node("node1", rack="r1") + node("node2", rack="r2"),
                 levels=level("r1", 1, "pdu1", target_attribute="rack", target_value="r1"))
    assert devices_of(plan_fencing(config, "node1")) == [["pdu1"]]
    assert not plan_fencing(config, "node2").topology


def test_a_level_naming_the_node_wins_over_a_pattern():
    config = cib(TOPO_DEVICES, levels=(level("p", 1, "pdu1", target_pattern="node")
                                       + level("n", 1, "ipmi1", target="node1")))
    assert devices_of(plan_fencing(config, "node1")) == [["ipmi1"]]
    assert devices_of(plan_fencing(config, "node2")) == [["pdu1"]]


def test_levels_with_the_same_target_and_index_are_one_level():
    config = cib(TOPO_DEVICES, levels=(level("a", 1, "pdu1", target="node1")
                                       + level("b", 1, "pdu2", target="node1")))
    assert devices_of(plan_fencing(config, "node1", "off")) == [["pdu1", "pdu2"]]


def test_unknown_device_in_a_level_names_the_level_and_the_next_level_is_used():
    config = cib(TOPO_DEVICES, levels=(level("l1", 1, "ipmi1,nosuch", target="node1")
                                       + level("l2", 2, "pdu1", target="node1")))
    plan = plan_fencing(config, "node1")
    assert devices_of(plan) == [["pdu1"]]
    assert problems_of(plan) == [("l1", "devices")]
    assert "names no fence device 'nosuch'" in str(plan.problems[0])


def test_a_level_whose_device_cannot_fence_the_node_is_left_out():
    config = cib(device("only2", pcmk_host_list="node2") + TOPO_DEVICES,
                 levels=(level("l1", 1, "only2", target="node1")
                         + level("l2", 2, "pdu1", target="node1")))
    plan = plan_fencing(config, "node1")
    assert devices_of(plan) == [["pdu1"]] and plan.problems == ()
    assert any("only2 cannot fence node1" in n for n in plan.notes)


@pytest.mark.parametrize("bad, attribute", [
    (level("x", 0, "pdu1", target="node1"), "index"),
    (level("x", 10, "pdu1", target="node1"), "index"),
    (level("x", "one", "pdu1", target="node1"), "index"),
    (level("x", 1, "pdu1", target_pattern="node("), "target-pattern"),
    (level("x", 1, "pdu1", target_attribute="rack"), "target-value"),
    (level("x", 1, "pdu1,", target="node1"), "devices"),
    (level("x", 1, "pdu1"), None),
    (level("x", 1, "pdu1", target="node1", target_pattern="n"), None),
])
def test_malformed_levels_are_named(bad, attribute):
    config = cib(TOPO_DEVICES, levels=bad + level("ok", 2, "spare", target="node1"))
    plan = plan_fencing(config, "node1")
    assert problems_of(plan) == [("x", attribute)]
    assert devices_of(plan) == [["spare"]]


def test_no_device_gives_an_empty_plan_that_says_why():
    plan = plan_fencing(cib(device("f1", pcmk_host_list="node2")), "node1")
    assert not plan.ok and plan.notes == ("no fence device can reboot node1",)


def test_wrong_action_or_target_is_the_callers_error():
    with pytest.raises(ValueError, match="not a fencing action"):
        plan_fencing(cib(), "node1", "status")
    with pytest.raises(ValueError, match="target"):
        plan_fencing(cib(), "")


def test_check_configuration_lists_every_problem():
    config = cib(device("f1", pcmk_host_map="node1", pcmk_delay_base="node1:x")
                 + device("f2", pcmk_host_check="bogus", pcmk_off_timeout="soon")
                 + device("f3", pcmk_reboot_retries="many"),
                 levels=level("l1", 1, "f1,ghost", target="node1") + level("l2", 0, "f1"))
    found = sorted((p.element_id, p.attribute) for p in check_configuration(config))
    assert found == [("f1", "pcmk_delay_base"), ("f1", "pcmk_host_map"),
                     ("f2", "pcmk_host_check"), ("f2", "pcmk_off_timeout"),
                     ("f3", "pcmk_reboot_retries"), ("l1", "devices"), ("l2", None)]
    assert check_configuration(cib(TOPO_DEVICES)) == []
