"""The executor's values and result tables (pure, fast)."""

from __future__ import annotations

import pytest

from daemon.executor import codes
from daemon.executor.model import AgentSpec, OpRequest


@pytest.mark.parametrize("text,spec", [
    ("ocf:heartbeat:Dummy", AgentSpec("ocf", "heartbeat", "Dummy")),
    ("stonith:fence_xvm", AgentSpec("stonith", None, "fence_xvm")),
    ("stonith:external/ssh", AgentSpec("stonith", None, "external/ssh")),
    ("lsb:foo", AgentSpec("lsb", None, "foo")),
    ("systemd:getty@tty1", AgentSpec("systemd", None, "getty@tty1")),
    ("service:nginx", AgentSpec("service", None, "nginx")),
])
def test_agent_spec_parses_and_prints_back(text, spec):
    assert AgentSpec.parse(text) == spec
    assert str(spec) == text


@pytest.mark.parametrize("text,problem", [
    ("Dummy", "not an agent name"),
    ("ocf:Dummy", "needs a provider"),
    ("lsb:x:foo", "does not take a provider"),
    ("bogus:foo", "unknown agent class 'bogus'"),
    ("ocf::Dummy", "not an agent name"),
    ("ocf:a:b:c", "not an agent name"),
])
def test_bad_agent_names_say_what_is_wrong(text, problem):
    with pytest.raises(ValueError) as info:
        AgentSpec.parse(text)
    assert problem in str(info.value) and text in str(info.value)


def test_empty_provider_is_none_and_specs_sort():
    assert AgentSpec("lsb", "", "foo") == AgentSpec("lsb", None, "foo")
    assert hash(AgentSpec("lsb", "", "foo")) == hash(AgentSpec("lsb", None, "foo"))
    specs = [AgentSpec("ocf", "pacemaker", "A"), AgentSpec("lsb", None, "z"),
             AgentSpec("ocf", "heartbeat", "B")]
    assert [str(s) for s in sorted(specs)] == ["lsb:z", "ocf:heartbeat:B", "ocf:pacemaker:A"]
    assert AgentSpec("ocf", "heartbeat", "Dummy").cls == "ocf"


def test_request_expected_rc_from_key_then_meta():
    spec = AgentSpec("ocf", "heartbeat", "Dummy")
    assert OpRequest("d", spec, "monitor", 0, 1000, transition_key="3:7:7:uuid").expected_rc == 7
    assert OpRequest("d", spec, "monitor", 0, 1000, meta={"op_target_rc": "8"}).expected_rc == 8
    assert OpRequest("d", spec, "start", 0, 1000).expected_rc == 0
    assert OpRequest("d", spec, "monitor", 0, 1000).is_probe


def test_request_meta_as_pacemaker_passes_it():
    spec = AgentSpec("ocf", "heartbeat", "Dummy")
    req = OpRequest("d", spec, "monitor", 10_000, 20_000, {"state": "/x"},
                    {"clone-max": "2", "notify_start_uname": "n1 n2"})
    assert req.crm_meta() == {"CRM_meta_clone_max": "2", "CRM_meta_notify_start_uname": "n1 n2",
                              "CRM_meta_interval": "10000", "CRM_meta_timeout": "20000"}
    assert req.op_key == "d_monitor_10000"
    with pytest.raises(TypeError):
        req.params["state"] = "/y"      # requests are shared: read-only


def test_ocf_table_has_every_code_with_its_recovery():
    assert sorted(codes.OCF_CODES) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 190, 191, 193]
    assert codes.failure_class(codes.OCF_ERR_GENERIC) == codes.SOFT
    assert codes.failure_class(codes.OCF_ERR_INSTALLED) == codes.HARD
    assert codes.failure_class(codes.OCF_ERR_ARGS) == codes.HARD
    assert codes.failure_class(codes.OCF_ERR_CONFIGURED) == codes.FATAL
    assert codes.failure_class(42) == codes.SOFT
    assert codes.ocf_text(8) == "promoted" and codes.ocf_text(77) == "unknown"
    assert codes.ocf_from_exit(127) == codes.OCF_ERR_GENERIC
    assert codes.ocf_from_exit(190) == 190 and codes.ocf_from_exit(193) == 1


def test_execution_statuses_are_pacemakers():
    assert {s: codes.EXEC_STATUSES[s].name for s in (-1, 0, 2, 7, 11)} == {
        -1: "PCMK_EXEC_PENDING", 0: "PCMK_EXEC_DONE", 2: "PCMK_EXEC_TIMEOUT",
        7: "PCMK_EXEC_NOT_INSTALLED", 11: "PCMK_EXEC_NO_SECRETS"}
    assert sorted(codes.EXEC_STATUSES) == list(range(-1, 12))
    assert codes.exec_text(codes.EXEC_TIMEOUT) == "Timed out"


@pytest.mark.parametrize("rc,status,expected,failed", [
    (0, codes.EXEC_DONE, 0, False),
    (7, codes.EXEC_DONE, 7, False),        # a probe finding it stopped
    (0, codes.EXEC_DONE, 7, True),         # a probe finding it running
    (1, codes.EXEC_TIMEOUT, 1, True),      # a timeout fails whatever the code
    (5, codes.EXEC_NOT_INSTALLED, 0, True),
    (193, codes.EXEC_PENDING, 0, False),
    (0, codes.EXEC_CANCELLED, 7, False),
])
def test_what_counts_as_failed(rc, status, expected, failed):
    assert codes.did_fail(rc, status, expected) is failed


def test_lsb_status_has_its_own_codes():
    assert codes.lsb_to_ocf("status", 3) == codes.OCF_NOT_RUNNING
    assert codes.lsb_to_ocf("monitor", 1) == codes.OCF_NOT_RUNNING
    assert codes.lsb_to_ocf("status", 150) == codes.OCF_ERR_INSTALLED
    assert codes.lsb_to_ocf("status", 4) == codes.OCF_ERR_GENERIC
    assert codes.lsb_to_ocf("start", 3) == codes.OCF_ERR_UNIMPLEMENTED
    assert codes.lsb_to_ocf("start", 150) == codes.OCF_ERR_GENERIC
