"""How crm_mon names operation results: OCF exit codes, execution statuses, operation keys.

The words are Pacemaker 2.1's (services_ocf_exitcode_str(), pcmk_exec_status_str()):
status output is read by people and by scripts that grep it, so the exact strings matter.
"""

from __future__ import annotations

_OCF_EXIT_TEXT = {
    0: "ok",
    1: "error",
    2: "invalid parameter",
    3: "unimplemented feature",
    4: "insufficient privileges",
    5: "not installed",
    6: "not configured",
    7: "not running",
    8: "promoted",
    9: "promoted (failed)",
    190: "OCF_DEGRADED",
    191: "promoted (degraded)",
}

_EXEC_STATUS_TEXT = {
    -1: "pending",
    0: "complete",
    1: "Cancelled",
    2: "Timed Out",
    3: "NOT SUPPORTED",
    4: "Error",
    5: "Hard error",
    6: "Fatal error",
    7: "Not installed",
    8: "Internal communication failure",
    9: "Cannot execute now",
    10: "No fence device",
    11: "CIB secrets unavailable",
}
EXEC_DONE = 0

# Tasks whose names contain an underscore, so an operation key cannot simply be split there.
_TWO_WORD_TASKS = ("migrate_to", "migrate_from")


def exit_text(rc: int) -> str:
    return _OCF_EXIT_TEXT.get(rc, "unknown")


def exec_status_text(status: int) -> str:
    return _EXEC_STATUS_TEXT.get(status, "UNKNOWN!")


def scan_int(text: str | None, default: int = 0) -> int:
    """A leading integer as Pacemaker's pcmk__scan_min_int() reads it (default if none)."""
    value = leading_int(text)
    return default if value is None else value


def leading_int(text: str | None) -> int | None:
    """The integer a text starts with (after blanks, with its sign), as strtoll() finds
    it; None when there is none."""
    if text is None:
        return None
    text = text.strip()
    end = 1 if text[:1] in "+-" else 0
    while end < len(text) and text[end].isdigit():
        end += 1
    try:
        return int(text[:end])
    except ValueError:
        return None


def history_key(xml_op) -> str | None:
    """The operation key an entry is known by: operation_key, else its id."""
    return xml_op.get("operation_key") or xml_op.get("id")


def parse_op_key(key: str | None) -> tuple[str, str, int] | None:
    """(resource, task, interval ms) from 'rsc_task_interval', or None if it is not one.

    Resource ids may contain underscores, so the key is taken apart from the right; a
    notification key ('rsc_post_notify_start_0') keeps its whole task.
    """
    if not key:
        return None
    head, sep, interval = key.rpartition("_")
    if not sep or not interval.isdigit() or not head:
        return None
    for task in _TWO_WORD_TASKS:
        if head.endswith("_" + task):
            return head[:-len(task) - 1], task, int(interval)
    rsc, sep, task = head.rpartition("_")
    if not sep or not rsc or not task:
        return None
    for kind in ("_pre_notify", "_post_notify", "_confirmed-pre_notify",
                 "_confirmed-post_notify"):
        if rsc.endswith(kind):
            return rsc[:-len(kind)], f"{kind[1:]}_{task}", int(interval)
    return rsc, task, int(interval)


def readable_action(task: str, interval_ms: int) -> str:
    """A 0-interval monitor is a probe."""
    return "probe" if task == "monitor" and interval_ms == 0 else task
