"""The result codes of agents and of running them: one table each, read by everything else.

Pacemaker keeps two numbers per result: the agent's exit code, mapped to OCF whatever the
standard (`rc-code`), and the execution status, whether the agent could be run and finished
at all (`op-status`). Other standards' codes are mapped to OCF here: LSB (whose status action
has codes of its own), systemd unit states and fence agents.

The failure classes are what Pacemaker does with an unexpected result: `soft` restarts the
resource here or moves it, `hard` bans it from this node, `fatal` stops it everywhere until
the failure is cleaned up.
"""

from __future__ import annotations

from dataclasses import dataclass

NONE, SOFT, HARD, FATAL = "none", "soft", "hard", "fatal"

# ---- OCF exit codes -------------------------------------------------------------------------

OCF_SUCCESS = 0
OCF_ERR_GENERIC = 1
OCF_ERR_ARGS = 2
OCF_ERR_UNIMPLEMENTED = 3
OCF_ERR_PERM = 4
OCF_ERR_INSTALLED = 5
OCF_ERR_CONFIGURED = 6
OCF_NOT_RUNNING = 7
OCF_RUNNING_PROMOTED = 8
OCF_FAILED_PROMOTED = 9
OCF_DEGRADED = 190
OCF_DEGRADED_PROMOTED = 191
OCF_UNKNOWN = 193          # no result yet (a pending operation), Pacemaker's CRM_EX_NONE


@dataclass(frozen=True)
class OcfCode:
    """`text` is Pacemaker's short name for the code (what crm_mon shows), `failure` the
    recovery an unexpected result of this code gets, `meaning` what the agent says."""

    rc: int
    name: str
    text: str
    failure: str
    meaning: str


OCF_CODES: dict[int, OcfCode] = {c.rc: c for c in (
    OcfCode(0, "OCF_SUCCESS", "ok", SOFT, "the action succeeded (or: the resource runs)"),
    OcfCode(1, "OCF_ERR_GENERIC", "error", SOFT, "the action failed for a transient reason"),
    OcfCode(2, "OCF_ERR_ARGS", "invalid parameter", HARD,
            "the configuration is not valid on this node"),
    OcfCode(3, "OCF_ERR_UNIMPLEMENTED", "unimplemented feature", HARD,
            "the agent does not implement the action"),
    OcfCode(4, "OCF_ERR_PERM", "insufficient privileges", HARD,
            "the agent lacks the privileges it needs"),
    OcfCode(5, "OCF_ERR_INSTALLED", "not installed", HARD,
            "something the agent needs is missing on this node"),
    OcfCode(6, "OCF_ERR_CONFIGURED", "not configured", FATAL,
            "the configuration is invalid anywhere"),
    OcfCode(7, "OCF_NOT_RUNNING", "not running", SOFT, "the resource is cleanly stopped"),
    OcfCode(8, "OCF_RUNNING_PROMOTED", "promoted", SOFT, "the resource runs promoted"),
    OcfCode(9, "OCF_FAILED_PROMOTED", "promoted (failed)", SOFT,
            "the resource failed while (possibly) promoted"),
    OcfCode(190, "OCF_DEGRADED", "degraded", NONE,
            "the resource runs but is more likely to fail soon"),
    OcfCode(191, "OCF_DEGRADED_PROMOTED", "degraded promoted", NONE,
            "the resource runs promoted but is more likely to fail soon"),
    OcfCode(193, "OCF_UNKNOWN", "unknown", NONE, "no result (yet)"),
)}


def ocf_text(rc: int) -> str:
    code = OCF_CODES.get(rc)
    return code.text if code else "unknown"


def failure_class(rc: int) -> str:
    """How Pacemaker recovers from an unexpected `rc` (custom codes count as soft)."""
    code = OCF_CODES.get(rc)
    return code.failure if code else SOFT


def ocf_from_exit(exit_code: int) -> int:
    """An OCF agent's exit status as a result code: anything outside the OCF table (a shell's
    126/127, a crash) is a generic error."""
    return exit_code if exit_code in OCF_CODES and exit_code != OCF_UNKNOWN else OCF_ERR_GENERIC


# ---- execution status (op-status) ------------------------------------------------------------

EXEC_PENDING = -1
EXEC_DONE = 0
EXEC_CANCELLED = 1
EXEC_TIMEOUT = 2
EXEC_NOT_SUPPORTED = 3
EXEC_ERROR = 4
EXEC_ERROR_HARD = 5
EXEC_ERROR_FATAL = 6
EXEC_NOT_INSTALLED = 7
EXEC_NOT_CONNECTED = 8
EXEC_INVALID = 9
EXEC_NO_FENCE_DEVICE = 10
EXEC_NO_SECRETS = 11


@dataclass(frozen=True)
class ExecStatus:
    value: int
    name: str
    text: str          # Pacemaker's pcmk_exec_status_str()
    failed: bool       # counts as a failed operation whatever the exit code


EXEC_STATUSES: dict[int, ExecStatus] = {s.value: s for s in (
    ExecStatus(-1, "PCMK_EXEC_PENDING", "Pending", False),
    ExecStatus(0, "PCMK_EXEC_DONE", "Done", False),
    ExecStatus(1, "PCMK_EXEC_CANCELLED", "Cancelled", False),
    ExecStatus(2, "PCMK_EXEC_TIMEOUT", "Timed out", True),
    ExecStatus(3, "PCMK_EXEC_NOT_SUPPORTED", "Unsupported", True),
    ExecStatus(4, "PCMK_EXEC_ERROR", "Error", True),
    ExecStatus(5, "PCMK_EXEC_ERROR_HARD", "Hard error", True),
    ExecStatus(6, "PCMK_EXEC_ERROR_FATAL", "Fatal error", True),
    # Not installed is judged by its exit code (5, a hard error), as Pacemaker does.
    ExecStatus(7, "PCMK_EXEC_NOT_INSTALLED", "Not installed", False),
    ExecStatus(8, "PCMK_EXEC_NOT_CONNECTED", "Internal communication failure", True),
    ExecStatus(9, "PCMK_EXEC_INVALID", "Cannot execute now", True),
    ExecStatus(10, "PCMK_EXEC_NO_FENCE_DEVICE", "No fence device", False),
    ExecStatus(11, "PCMK_EXEC_NO_SECRETS", "CIB secrets unavailable", False),
)}


def exec_text(status: int) -> str:
    entry = EXEC_STATUSES.get(status)
    return entry.text if entry else "Unrecognized status"


def did_fail(rc: int, op_status: int, expected_rc: int) -> bool:
    """Whether a result is a failure Pacemaker records as `<rsc>_last_failure_0`: a failed
    execution, or a finished one whose code is not the expected one. Pending and cancelled
    results never are."""
    if op_status in (EXEC_PENDING, EXEC_CANCELLED):
        return False
    entry = EXEC_STATUSES.get(op_status)
    if entry is not None and entry.failed:
        return True
    return rc != expected_rc


# ---- LSB init scripts ------------------------------------------------------------------------

# Actions other than status share codes 0-7 with OCF; anything above is a generic error.
LSB_MAX_SHARED = 7

# status has its own codes (LSB 3.0, "Init Script Actions").
LSB_STATUS_OK = 0
LSB_STATUS_DEAD_PID = 1
LSB_STATUS_DEAD_LOCK = 2
LSB_STATUS_NOT_RUNNING = 3
LSB_STATUS_UNKNOWN = 4
LSB_STATUS_NOT_INSTALLED = 150
LSB_STATUS_INSUFFICIENT_PRIV = 151

LSB_STATUS_TO_OCF: dict[int, int] = {
    LSB_STATUS_OK: OCF_SUCCESS,
    LSB_STATUS_DEAD_PID: OCF_NOT_RUNNING,
    LSB_STATUS_DEAD_LOCK: OCF_NOT_RUNNING,
    LSB_STATUS_NOT_RUNNING: OCF_NOT_RUNNING,
    LSB_STATUS_UNKNOWN: OCF_ERR_GENERIC,
    LSB_STATUS_NOT_INSTALLED: OCF_ERR_INSTALLED,
    LSB_STATUS_INSUFFICIENT_PRIV: OCF_ERR_PERM,
}


def lsb_to_ocf(action: str, exit_code: int) -> int:
    if action in ("status", "monitor"):
        return LSB_STATUS_TO_OCF.get(exit_code, OCF_ERR_GENERIC)
    return exit_code if 0 <= exit_code <= LSB_MAX_SHARED else OCF_ERR_GENERIC


# ---- systemd units ---------------------------------------------------------------------------

# A unit's ActiveState as a monitor result; None: in transition (the result is pending).
SYSTEMD_ACTIVE_STATE: dict[str, int | None] = {
    "active": OCF_SUCCESS,
    "reloading": OCF_SUCCESS,
    "inactive": OCF_NOT_RUNNING,
    "failed": OCF_NOT_RUNNING,
    "activating": None,
    "deactivating": None,
}
SYSTEMD_NOT_FOUND = "not-found"     # LoadState of a unit no unit file defines
SYSTEMCTL_OK = 0                    # systemctl start/stop: the job finished successfully

# ---- fence agents ----------------------------------------------------------------------------

FENCE_OK = 0            # the action succeeded; for status: the port is on
FENCE_ERROR = 1         # the action failed (or the device cannot be reached)
FENCE_OFF = 2           # status: the port is off

FENCE_TO_OCF: dict[int, int] = {
    FENCE_OK: OCF_SUCCESS,
    FENCE_ERROR: OCF_ERR_GENERIC,
    FENCE_OFF: OCF_NOT_RUNNING,
}
