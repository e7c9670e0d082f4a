"""How an operation's result is recorded in the status section, as Pacemaker's controller
records it (pure: a result and the node in, status changes out).

Where a result goes (`lrm_rsc_op` ids):
- a failed result (a failed execution, or an exit code other than the expected one) goes to
  `<rsc>_last_failure_0`; a failed one-shot operation also to `<rsc>_last_0`;
- a recurring operation's result to `<rsc>_<task>_<interval>` (the executor reports its
  first result and every change, so that is when it is recorded);
- migrations to their own key (`<rsc>_migrate_to_0`), kept apart from `_last_0`;
- everything else (start, stop, promote, demote, probes) to `<rsc>_last_0`.
A reload is recorded as the start it amounts to when it succeeded, as a monitor when not.
Notifications, cancellations and meta-data are not recorded.

What goes away: a successful stop deletes the entries of the recurring operations it
cancelled (the resource is not monitored any more); a cancelled recurring operation's
entry is deleted (`cancelled`); its last failure stays, as in Pacemaker.

`op-digest` is computed from the request's parameters plus its `CRM_meta_*` attributes
through the scheduler's own digest functions, so the scheduler finds no change to restart
for. Agents that can reload (meta-data offers reload-agent, or reload before OCF 1.1) also
get `op-force-restart` (the parameters a reload cannot change) and `op-restart-digest`
(their digest); agents with private parameters `op-secure-params`/`op-secure-digest`.
"""

from __future__ import annotations

from daemon.cib.status_ops import DeleteOp, RecordOp, StatusOp
from daemon.executor import codes
from daemon.executor.meta.model import AgentMeta
from daemon.executor.model import OpRequest, OpResult
from daemon.scheduler.digests import digest_of, filter_for_digest

FEATURE_SET = "3.16.1"
ORIGIN = "crmshell-executor"
# The uuid Pacemaker puts in the transition key of results nobody scheduled.
FAKE_TE_UUID = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"

_NOT_RECORDED = frozenset({"cancel", "delete", "notify", "meta-data", "metadata"})
_MIGRATIONS = frozenset({"migrate_to", "migrate_from"})
# The actions whose records carry the digests that depend on meta-data (reload, secrets).
_NEEDS_METADATA = frozenset({"start", "monitor", "promote", "demote", "reload",
                             "reload-agent", "migrate_to", "migrate_from", "notify"})
_STANDARDS_WITH_PARAMETERS = frozenset({"ocf", "stonith"})


def recorded_task(result: OpResult) -> str:
    """The task name the history holds for a result (a reload is a start or a monitor)."""
    task = result.request.action
    if task in ("reload", "reload-agent"):
        return "start" if result.op_status == codes.EXEC_DONE else "monitor"
    return task


def record_ids(result: OpResult) -> list[str]:
    """The ids of the `lrm_rsc_op` entries a result is written to (see the module doc)."""
    req = result.request
    rsc = req.rsc_id
    task = recorded_task(result)
    if req.action in _MIGRATIONS:
        return [f"{rsc}_{task}_{req.interval_ms}"]
    if codes.did_fail(result.rc, result.op_status, req.expected_rc):
        return [f"{rsc}_last_failure_0"] + ([f"{rsc}_last_0"] if req.interval_ms == 0 else [])
    if req.interval_ms > 0:
        return [f"{rsc}_{task}_{req.interval_ms}"]
    return [f"{rsc}_last_0"]


def digest_params(req: OpRequest) -> dict[str, str]:
    """What the op-digest is computed over: parameters and `CRM_meta_*`, filtered exactly as
    the scheduler filters them."""
    return filter_for_digest({**req.params, **req.crm_meta()})


def _restart_attrs(req: OpRequest, meta: AgentMeta) -> list[tuple[str, str]]:
    if req.interval_ms > 0:          # monitors are not reloadable
        return []
    # Listed last parameter first, as Pacemaker's controller lists them.
    params = list(reversed(meta.parameters))
    if meta.supports_reload_agent:
        names = [p.name for p in params if not p.reloadable]
    elif meta.supports_legacy_reload:
        names = [p.name for p in params if p.unique]
    else:
        return []
    values = {n: req.params[n] for n in names if n in req.params}
    listed = f" {' '.join(names)} " if names else ""
    return [("op-force-restart", listed), ("op-restart-digest", digest_of(values))]


def _secure_attrs(req: OpRequest, meta: AgentMeta) -> list[tuple[str, str]]:
    private = list(reversed(meta.private_parameters))
    if not private:
        return []
    public = {k: v for k, v in digest_params(req).items() if k not in private}
    return [("op-secure-params", f" {' '.join(private)} "), ("op-secure-digest", digest_of(public))]


def op_attrs(result: OpResult, node_name: str, op_id: str, *, meta: AgentMeta | None = None,
             last_rc_change_s: int | None = None) -> tuple[tuple[str, str], ...]:
    """Every attribute of one `lrm_rsc_op`, in the order Pacemaker writes them."""
    req = result.request
    task = recorded_task(result)
    target_rc = req.expected_rc
    key = req.transition_key or f"{result.call_id}:-1:{target_rc}:{FAKE_TE_UUID}"
    failed = codes.did_fail(result.rc, result.op_status, target_rc)
    changed = last_rc_change_s if last_rc_change_s is not None else result.started_ms // 1000
    attrs = [
        ("id", op_id),
        ("operation_key", f"{req.rsc_id}_{task}_{req.interval_ms}"),
        ("operation", task),
        ("crm-debug-origin", ORIGIN),
        ("crm_feature_set", FEATURE_SET),
        ("transition-key", key),
        ("transition-magic", f"{result.op_status}:{result.rc};{key}"),
        ("exit-reason", result.exit_reason if failed else ""),
        ("on_node", node_name),
        ("call-id", str(result.call_id)),
        ("rc-code", str(result.rc)),
        ("op-status", str(result.op_status)),
        ("interval", str(req.interval_ms)),
        ("last-rc-change", str(changed)),
        ("exec-time", str(result.exec_ms)),
        ("queue-time", str(result.queue_ms)),
    ]
    if req.action in _MIGRATIONS:
        attrs += [(name, req.meta[name]) for name in ("migrate_source", "migrate_target")
                  if name in req.meta]
    attrs.append(("op-digest", digest_of(digest_params(req))))
    if (meta is not None and req.agent.standard in _STANDARDS_WITH_PARAMETERS
            and req.action in _NEEDS_METADATA):
        attrs += _restart_attrs(req, meta) + _secure_attrs(req, meta)
    return tuple(attrs)


def record(result: OpResult, node_id: str, node_name: str, *, meta: AgentMeta | None = None,
           last_rc_change_s: int | None = None) -> tuple[StatusOp, ...]:
    """The status changes that record `result` on the node. `meta` is the agent's meta-data
    (for the reload and secret digests; None: without them); `last_rc_change_s` overrides
    when the result last changed (default: when this run started)."""
    req = result.request
    if req.action in _NOT_RECORDED or result.op_status == codes.EXEC_CANCELLED:
        return ()
    spec = req.agent
    lock = _shutdown_lock(result)
    ops: list[StatusOp] = [
        RecordOp(node_id, node_name, req.rsc_id, spec.standard, spec.provider, spec.type,
                 op_attrs(result, node_name, op_id, meta=meta,
                          last_rc_change_s=last_rc_change_s), lock)
        for op_id in record_ids(result)]
    if req.action == "stop" and not codes.did_fail(result.rc, result.op_status,
                                                   req.expected_rc):
        ops += [DeleteOp(node_id, req.rsc_id, key) for key in result.cancelled]
    return tuple(ops)


def _shutdown_lock(result: OpResult) -> int | None:
    """The shutdown lock the scheduler put on the action (None: no lock): kept by a stop
    that succeeded or a probe that found the resource stopped, cleared by anything else,
    as Pacemaker's controller does."""
    value = result.request.meta.get("shutdown_lock")
    if value is None or not value.isdigit():
        return None
    req = result.request
    stopped = (req.action == "stop" and result.rc == codes.OCF_SUCCESS) or (
        req.action == "monitor" and req.interval_ms == 0 and result.rc == codes.OCF_NOT_RUNNING)
    return int(value) if stopped and result.op_status == codes.EXEC_DONE else 0


def pending(req: OpRequest, node_id: str, node_name: str, now_ms: int) -> tuple[StatusOp, ...]:
    """The record of an operation that has begun (record-pending, true unless the operation
    says otherwise): call id -1, op-status pending, so the status shows it in progress."""
    if req.action in _NOT_RECORDED or req.meta.get("record_pending", "true").lower() in (
            "false", "no", "0", "off", "n"):
        return ()
    marker = OpResult(req, -1, codes.OCF_UNKNOWN, codes.EXEC_PENDING, started_ms=now_ms)
    return record(marker, node_id, node_name)


def cancelled(req: OpRequest, node_id: str) -> tuple[StatusOp, ...]:
    """What cancelling a recurring operation removes: its own entry."""
    return (DeleteOp(node_id, req.rsc_id, req.op_key),)
