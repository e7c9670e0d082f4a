"""Recording results in the status section, as Pacemaker's controller does (pure)."""

from __future__ import annotations

import pytest

from daemon.cib.status_ops import DeleteOp, RecordOp
from daemon.executor import codes, history
from daemon.executor.meta.model import AgentMeta, Parameter, make_action
from daemon.executor.model import AgentSpec, OpResult
from daemon.scheduler.digests import digest_of
from exec_fixtures import request

DUMMY = AgentSpec("ocf", "heartbeat", "Dummy")
KEY = "12:3:0:6b1c6e3d-4f4a-4c3e-9e2b-1f2f3a4b5c6d"
ATTR_ORDER = ["id", "operation_key", "operation", "crm-debug-origin", "crm_feature_set",
              "transition-key", "transition-magic", "exit-reason", "on_node", "call-id",
              "rc-code", "op-status", "interval", "last-rc-change", "exec-time", "queue-time",
              "op-digest"]


def result(action="start", interval=0, rc=0, status=codes.EXEC_DONE, *, key=KEY, reason="",
           params=None, meta=None, call_id=7, cancelled=(), agent=DUMMY):
    req = request("d", agent, action, interval, params=params or {"state": "/run/d.state"},
                  meta=meta, transition_key=key)
    return OpResult(req, call_id, rc, status, reason, "", 1_700_000_123_456, 15, 2, cancelled)


def records(ops):
    return {op.op_id: dict(op.attrs) for op in ops if isinstance(op, RecordOp)}


def test_successful_start_goes_to_last_0_with_every_attribute():
    ops = history.record(result(), "1", "node1")
    assert len(ops) == 1
    op = ops[0]
    assert (op.node_id, op.node_name, op.rsc_id, op.rsc_class, op.rsc_provider, op.rsc_type) == (
        "1", "node1", "d", "ocf", "heartbeat", "Dummy")
    assert [name for name, _ in op.attrs] == ATTR_ORDER
    attrs = dict(op.attrs)
    assert attrs["id"] == "d_last_0" and attrs["operation_key"] == "d_start_0"
    assert attrs["operation"] == "start" and attrs["crm_feature_set"] == "3.16.1"
    assert attrs["transition-magic"] == f"0:0;{KEY}" and attrs["transition-key"] == KEY
    assert (attrs["call-id"], attrs["rc-code"], attrs["op-status"], attrs["interval"]) == (
        "7", "0", "0", "0")
    assert attrs["last-rc-change"] == "1700000123"
    assert (attrs["exec-time"], attrs["queue-time"], attrs["exit-reason"]) == ("15", "2", "")
    # a one-shot operation's digest covers the parameters only, no CRM_meta_*
    assert attrs["op-digest"] == digest_of({"state": "/run/d.state"})


def test_recurring_monitor_digest_keeps_its_timeout():
    attrs = records(history.record(result("monitor", 10_000), "1", "node1"))["d_monitor_10000"]
    assert attrs["operation_key"] == "d_monitor_10000" and attrs["interval"] == "10000"
    assert attrs["op-digest"] == digest_of({"state": "/run/d.state",
                                            "CRM_meta_timeout": "20000"})


def test_failed_one_shot_goes_to_last_failure_and_last():
    ops = records(history.record(result(rc=1, reason="cannot write it"), "1", "node1"))
    assert set(ops) == {"d_last_failure_0", "d_last_0"}
    assert ops["d_last_failure_0"]["exit-reason"] == "cannot write it"
    assert ops["d_last_failure_0"]["operation_key"] == "d_start_0"
    assert ops["d_last_0"]["rc-code"] == "1"


def test_failed_recurring_monitor_goes_to_last_failure_only():
    ops = records(history.record(result("monitor", 10_000, rc=7), "1", "node1"))
    assert set(ops) == {"d_last_failure_0"}
    assert ops["d_last_failure_0"]["operation_key"] == "d_monitor_10000"


@pytest.mark.parametrize("rc,ids", [(7, {"d_last_0"}), (0, {"d_last_0", "d_last_failure_0"})])
def test_probes_expect_not_running(rc, ids):
    probe = result("monitor", rc=rc, key="3:1:7:6b1c6e3d-4f4a-4c3e-9e2b-1f2f3a4b5c6d",
                   meta={"op_target_rc": "7"})
    assert set(records(history.record(probe, "1", "node1"))) == ids


def test_a_timeout_is_a_failure_whatever_the_code():
    ops = records(history.record(result(rc=1, status=codes.EXEC_TIMEOUT,
                                        reason="start did not complete"), "1", "node1"))
    assert ops["d_last_failure_0"]["transition-magic"] == f"2:1;{KEY}"


def test_without_a_transition_key_a_fake_one_is_recorded():
    attrs = records(history.record(result(key=None, call_id=33), "1", "node1"))["d_last_0"]
    assert attrs["transition-key"] == "33:-1:0:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"


def test_stop_deletes_the_monitors_it_cancelled():
    ops = history.record(result("stop", cancelled=("d_monitor_10000",)), "1", "node1")
    assert ops[1:] == (DeleteOp("1", "d", "d_monitor_10000"),)
    failed = history.record(result("stop", rc=1, cancelled=("d_monitor_10000",)), "1", "n")
    assert not [op for op in failed if isinstance(op, DeleteOp)]


def test_what_is_not_recorded():
    assert history.record(result("notify"), "1", "node1") == ()
    assert history.record(result("monitor", 10_000, status=codes.EXEC_CANCELLED), "1", "n") == ()
    assert history.cancelled(request("d", DUMMY, "monitor", 10_000), "1") == (
        DeleteOp("1", "d", "d_monitor_10000"),)


def test_reload_is_recorded_as_start_or_monitor():
    ok = records(history.record(result("reload-agent"), "1", "node1"))["d_last_0"]
    assert ok["operation"] == "start" and ok["operation_key"] == "d_start_0"
    failed = records(history.record(result("reload", rc=1, status=codes.EXEC_ERROR), "1", "n"))
    assert failed["d_last_failure_0"]["operation"] == "monitor"


def test_migrations_keep_their_own_entries():
    meta = {"migrate_source": "node1", "migrate_target": "node2"}
    ops = records(history.record(result("migrate_to", meta=meta), "1", "node1"))
    attrs = ops["d_migrate_to_0"]
    assert (attrs["migrate_source"], attrs["migrate_target"]) == ("node1", "node2")


def _meta(version: str, actions: list[str], params: list[Parameter]) -> AgentMeta:
    return AgentMeta(DUMMY, version=version, ocf_version=version, parameters=tuple(params),
                     actions=tuple(make_action(a, []) for a in actions))


def test_restart_digest_for_pre_1_1_agents_lists_unique_parameters():
    meta = _meta("1.0", ["start", "reload"],
                 [Parameter("state", unique=True), Parameter("fake"),
                  Parameter("other", unique=True)])
    attrs = records(history.record(result(params={"state": "/s", "fake": "x"}), "1", "n",
                                   meta=meta))["d_last_0"]
    assert attrs["op-force-restart"] == " other state "
    assert attrs["op-restart-digest"] == digest_of({"state": "/s"})
    monitor = records(history.record(result("monitor", 10_000), "1", "n", meta=meta))
    assert "op-force-restart" not in monitor["d_monitor_10000"]   # monitors do not reload


def test_restart_digest_for_ocf_1_1_lists_what_is_not_reloadable():
    meta = _meta("1.1", ["start", "reload-agent", "reload"],
                 [Parameter("state", unique=True), Parameter("fake", reloadable=True)])
    attrs = records(history.record(result(params={"state": "/s", "fake": "x"}), "1", "n",
                                   meta=meta))["d_last_0"]
    assert attrs["op-force-restart"] == " state "
    # reload-agent declared by a pre-1.1 agent is not used, as in Pacemaker
    old = _meta("1.0", ["start", "reload-agent"], [Parameter("state")])
    assert "op-force-restart" not in records(history.record(result(), "1", "n",
                                                            meta=old))["d_last_0"]


def test_secret_parameters_get_a_secure_digest():
    meta = _meta("1.0", ["start"], [Parameter("ip"), Parameter("passwd")])
    attrs = records(history.record(result(params={"ip": "a", "passwd": "s3cret"}), "1", "n",
                                   meta=meta))["d_last_0"]
    assert attrs["op-secure-params"] == " passwd "
    assert attrs["op-secure-digest"] == digest_of({"ip": "a"})
    assert "s3cret" not in repr(attrs)


def test_pending_record():
    ops = history.pending(request("d", DUMMY, "start", transition_key=KEY), "1", "node1",
                          1_700_000_000_000)
    attrs = records(ops)["d_last_0"]
    assert (attrs["call-id"], attrs["rc-code"], attrs["op-status"]) == ("-1", "193", "-1")
    assert history.pending(request("d", DUMMY, "start", meta={"record_pending": "false"}),
                           "1", "n", 0) == ()


@pytest.mark.parametrize("action, interval, rc, status, lock", [
    ("stop", 0, 0, codes.EXEC_DONE, 1234),          # stopped for the shutdown: kept
    ("monitor", 0, 7, codes.EXEC_DONE, 1234),       # a probe found it stopped: kept
    ("stop", 0, 1, codes.EXEC_DONE, 0),             # anything else clears it
    ("start", 0, 0, codes.EXEC_DONE, 0),
    ("stop", 0, 0, codes.EXEC_TIMEOUT, 0),
])
def test_a_shutdown_lock_is_kept_by_a_stop_and_cleared_otherwise(action, interval, rc, status,
                                                                 lock):
    ops = history.record(result(action, interval, rc, status, meta={"shutdown_lock": "1234"}),
                         "1", "node1")
    assert {op.lock_time for op in ops if isinstance(op, RecordOp)} == {lock}
    assert {op.lock_time for op in history.record(result(action, interval, rc, status),
                                                   "1", "node1")
            if isinstance(op, RecordOp)} == {None}


def test_the_lock_goes_on_the_resources_history_entry():
    from lxml import etree

    from daemon.cib.status_apply import apply_status_ops
    cib = etree.fromstring('<cib><configuration/><status/></cib>')
    stop, = history.record(result("stop", meta={"shutdown_lock": "1234"}), "1", "node1")
    apply_status_ops(cib, [stop])
    assert cib.find(".//lrm_resource").get("shutdown-lock") == "1234"
    start, = history.record(result("start", meta={"shutdown_lock": "1234"}), "1", "node1")
    apply_status_ops(cib, [start])
    assert cib.find(".//lrm_resource").get("shutdown-lock") is None
