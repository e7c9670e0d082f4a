"""Parsing one lrm_rsc_op history entry: keys, expected result, ordering by call id."""

from __future__ import annotations

from daemon.scheduler.glib_sort import merge_sort

# Execution status codes (op-status)
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
EXEC_MAX = 11

# OCF exit codes
OCF_OK = 0
OCF_UNKNOWN_ERROR = 1
OCF_INVALID_PARAM = 2
OCF_UNIMPLEMENT_FEATURE = 3
OCF_INSUFFICIENT_PRIV = 4
OCF_NOT_INSTALLED = 5
OCF_NOT_CONFIGURED = 6
OCF_NOT_RUNNING = 7
OCF_RUNNING_PROMOTED = 8
OCF_FAILED_PROMOTED = 9
OCF_DEGRADED = 190
OCF_DEGRADED_PROMOTED = 191
OCF_UNKNOWN = 193


def to_int(text: str | None, default: int) -> int:
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        return default


def interval_of(op) -> int:
    return max(0, to_int(op.get("interval"), 0))


def expected_rc(op) -> int:
    """The expected exit code from the transition key 'tid:action:target_rc:uuid'."""
    key = op.get("transition-key")
    if key is None:
        return -1
    parts = key.split(":")
    if len(parts) < 4:
        return -1
    return to_int(parts[2], -1)


def history_key(op) -> str:
    key = op.get("operation_key")
    return key if key else (op.get("id") or "")


def is_probe(op) -> bool:
    return op.get("operation") == "monitor" and interval_of(op) == 0


def mask_probe_failure(op) -> bool:
    if not is_probe(op):
        return False
    rc = to_int(op.get("rc-code"), OCF_OK)
    status = to_int(op.get("op-status"), -2)
    return rc in (OCF_NOT_INSTALLED, OCF_INVALID_PARAM) or status == EXEC_NOT_INSTALLED


def effective_rc(rc: int) -> int:
    if rc == OCF_DEGRADED:
        return OCF_OK
    if rc == OCF_DEGRADED_PROMOTED:
        return OCF_RUNNING_PROMOTED
    return rc


def _decode_magic(magic: str | None) -> tuple[str | None, int]:
    """(transition uuid, transition id) from 'status:rc;tid:action:target:uuid'."""
    if not magic or ";" not in magic:
        return None, -1
    key = magic.split(";", 1)[1]
    parts = key.split(":")
    if len(parts) < 4:
        return None, -1
    return parts[3], to_int(parts[0], -1)


def is_newer(a, b, same_node_default: bool = True) -> int:
    """pe__is_newer_op(): <0 if a is older than b, >0 if newer, 0 if unknown/equal."""
    a_node = a.get("on_node")
    b_node = b.get("on_node")
    if a_node is None or b_node is None:
        same_node = same_node_default
    else:
        same_node = a_node.lower() == b_node.lower()
    if same_node and a.get("id") == b.get("id"):
        return 0
    a_call = to_int(a.get("call-id"), -1)
    b_call = to_int(b.get("call-id"), -1)
    if a_call == -1 and b_call == -1:
        return 0
    if same_node and 0 <= a_call < b_call:
        return -1
    if same_node and b_call >= 0 and a_call > b_call:
        return 1
    if a_call >= 0 and b_call >= 0 and (not same_node or a_call == b_call):
        la = to_int(a.get("last-rc-change"), -1)
        lb = to_int(b.get("last-rc-change"), -1)
        if 0 <= la < lb:
            return -1
        if lb >= 0 and la > lb:
            return 1
        return 0
    a_uuid, a_id = _decode_magic(a.get("transition-magic"))
    b_uuid, b_id = _decode_magic(b.get("transition-magic"))
    if a.get("transition-magic") is None or b.get("transition-magic") is None:
        return 0
    if a_uuid is None or b_uuid is None:
        return 0
    if a_uuid.lower() != b_uuid.lower() or a_id == b_id:
        if b_call == -1:
            return -1
        if a_call == -1:
            return 1
    elif (0 <= a_id < b_id) or b_id == -1:
        return -1
    elif (b_id >= 0 and a_id > b_id) or a_id == -1:
        return 1
    return 0


def sorted_by_call_id(ops: list) -> list:
    """History entries oldest first, as g_list_sort() orders Pacemaker's prepended list."""
    return merge_sort(list(reversed(ops)), lambda a, b: is_newer(a, b, True))


def active_indexes(ops: list) -> tuple[int, int]:
    """calculate_active_ops(): (start index, stop index) in a sorted history."""
    stop_index = -1
    start_index = -1
    implied_monitor_start = -1
    implied_clone_start = -1
    for counter, op in enumerate(ops):
        task = op.get("operation")
        status = op.get("op-status")
        if task == "stop" and status == "0":
            stop_index = counter
        elif task in ("start", "migrate_from"):
            start_index = counter
        elif implied_monitor_start <= stop_index and task == "monitor":
            if op.get("rc-code") in ("0", "8"):
                implied_monitor_start = counter
        elif task in ("promote", "demote"):
            implied_clone_start = counter
    if start_index == -1:
        if implied_clone_start != -1:
            start_index = implied_clone_start
        elif implied_monitor_start != -1:
            start_index = implied_monitor_start
    return start_index, stop_index
