"""What each step tells its agent: parameters, port, action, timeout, attempts; no secrets shown."""

from __future__ import annotations

import pytest

from daemon.executor.classes.stonith import fence_stdin
from daemon.fencing.capable import AgentFacts
from daemon.fencing.plan import plan_fencing
from daemon.fencing.redaction import MASK, is_secret, mask_secrets, redacted
from tests.fencing.fence_fixtures import agent_meta, cib, device


def only_step(config, target="node1", action="reboot", **kw):
    plan = plan_fencing(config, target, action, **kw)
    assert plan.ok, plan.notes
    return plan.levels[0].steps[0]


def test_agent_input_is_the_device_parameters_without_the_fencers_plus_target():
    config = cib(device("f1", ipaddr="10.0.0.9", login="admin", passwd="s3cret",
                        pcmk_host_map="node1:3;node2:4", pcmk_delay_max="5s",
                        pcmk_reboot_timeout="90s"))
    step = only_step(config)
    assert dict(step.params) == {"ipaddr": "10.0.0.9", "login": "admin", "passwd": "s3cret",
                                 "nodename": "node1", "port": "3"}
    assert step.stdin() == fence_stdin(step.agent_action, step.params)
    assert step.stdin().decode().splitlines() == [
        "action=reboot", "ipaddr=10.0.0.9", "login=admin", "passwd=s3cret",
        "nodename=node1", "port=3"]


def test_without_a_map_the_port_is_the_node_name():
    step = only_step(cib(device("f1", pcmk_host_list="node1")))
    assert (step.port, step.params["port"]) == ("node1", "node1")


@pytest.mark.parametrize("host_argument, expected", [("plug", {"plug": "3"}),
                                                     ("none", {})])
def test_host_argument(host_argument, expected):
    config = cib(device("f1", pcmk_host_map="node1:3", pcmk_host_argument=host_argument))
    step = only_step(config)
    assert {k: v for k, v in step.params.items() if k in ("port", "plug")} == expected
    assert step.port == (None if host_argument == "none" else "3")


@pytest.mark.parametrize("params, arg", [(("plug", "ip"), "plug"), (("ip",), None),
                                         (("port", "plug"), "port")])
def test_default_host_argument_follows_the_agents_meta_data(params, arg):
    facts = AgentFacts(meta={"fence_x": agent_meta("fence_x", ("reboot",), params)})
    step = only_step(cib(device("f1", agent="fence_x", pcmk_host_list="node1")), facts=facts)
    assert {k for k in step.params if k in ("port", "plug")} == ({arg} if arg else set())


def test_a_configured_port_is_kept_unless_dynamic():
    kept = only_step(cib(device("f1", pcmk_host_list="node1", port="fixed")))
    assert kept.params["port"] == "fixed"
    dynamic = only_step(cib(device("f1", pcmk_host_list="node1", port="dynamic")))
    assert dynamic.params["port"] == "node1"


def test_pcmk_action_overrides_and_a_configured_action_is_mapped():
    assert only_step(cib(device("f1", pcmk_host_list="node1", pcmk_reboot_action="cycle"))
                     ).agent_action == "cycle"
    config = cib(device("f1", pcmk_host_list="node1", action="off"))
    assert only_step(config).agent_action == "off"
    assert "action" not in only_step(config).params
    assert only_step(config, action="off").agent_action == "off"
    other = cib(device("f1", pcmk_host_list="node1", action="poweroff"))
    assert only_step(other, action="off").agent_action == "poweroff"


def test_reboot_becomes_off_for_an_agent_that_cannot_reboot():
    facts = AgentFacts(meta={"fence_x": agent_meta("fence_x", ("off", "on"))})
    step = only_step(cib(device("f1", agent="fence_x", pcmk_host_list="node1",
                                pcmk_off_timeout="15s")), facts=facts)
    assert (step.action, step.agent_action, step.timeout_ms) == ("off", "off", 15_000)


def test_timeouts_and_attempts():
    config = cib(device("f1", pcmk_host_list="node1", pcmk_reboot_timeout="2min",
                        pcmk_reboot_retries="5", pcmk_off_timeout="PT30S"))
    reboot = only_step(config)
    assert (reboot.timeout_ms, reboot.attempts) == (120_000, 5)
    off = only_step(config, action="off")
    assert (off.timeout_ms, off.attempts) == (30_000, 2)
    plain = only_step(cib(device("f1", pcmk_host_list="node1")), timeout_ms=45_000)
    assert (plain.timeout_ms, plain.attempts) == (45_000, 2)
    assert only_step(cib(device("f1", pcmk_host_list="node1"))).timeout_ms == 60_000
    zero = only_step(cib(device("f1", pcmk_host_list="node1", pcmk_reboot_retries="0")))
    assert zero.attempts == 1


def test_bad_timeout_names_the_device_and_attribute():
    plan = plan_fencing(cib(device("f1", pcmk_host_list="node1", pcmk_reboot_timeout="soon")),
                        "node1")
    assert not plan.ok
    assert [(p.element_id, p.attribute) for p in plan.problems] == [("f1",
                                                                    "pcmk_reboot_timeout")]


def test_a_value_with_a_newline_is_refused_as_a_problem():
    plan = plan_fencing(cib(device("f1", pcmk_host_list="node1", login="a\nport=evil")),
                        "node1")
    assert not plan.ok
    assert [(p.element_id, p.attribute) for p in plan.problems] == [("f1", "login")]


def test_nodeid_only_for_agents_that_take_it():
    facts = AgentFacts(meta={"fence_scsi": agent_meta("fence_scsi", ("off", "on"),
                                                      ("nodeid", "devices"))})
    scsi = cib(device("f1", agent="fence_scsi", pcmk_host_list="node1"))
    assert only_step(scsi, action="off", facts=facts, nodeid=3).params["nodeid"] == "3"
    other = cib(device("f1", pcmk_host_list="node1"))
    assert "nodeid" not in only_step(other, action="off", nodeid=3).params


def test_secrets_stay_out_of_reprs_and_redactions():
    config = cib(device("f1", pcmk_host_list="node1", passwd="s3cret", community="pub1ic",
                        login="admin"))
    plan = plan_fencing(config, "node1")
    assert "s3cret" not in repr(plan) and "pub1ic" not in repr(plan)
    step = plan.levels[0].steps[0]
    shown = redacted(step.params)
    assert shown["passwd"] == MASK and shown["community"] == MASK and shown["login"] == "admin"
    assert mask_secrets("login failed for admin/s3cret", step.params) == \
        f"login failed for admin/{MASK}"
    assert is_secret("snmp_priv_passwd") and is_secret("hexadecimal_kg")
    assert is_secret("account", private=("account",)) and not is_secret("ipaddr")
