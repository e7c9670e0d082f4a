"""Fencing history as crm_mon shows it: failed, pending and (on request) successful fencing.

The history is not in the CIB: the fencer keeps it, so the daemon passes it in as
`FenceEvent`s, newest first, as Pacemaker's fencer reports them. Without one (a CIB file),
no fencing section is shown, as `CIB_file=... crm_mon` shows none.
"""

from __future__ import annotations

from dataclasses import dataclass

from daemon.status.timefmt import iso_text

PENDING = "pending"
DONE = "successful"
FAILED = "failed"


@dataclass(frozen=True)
class FenceEvent:
    action: str               # reboot, off, on
    target: str
    state: str                # PENDING, DONE or FAILED
    client: str
    origin: str
    delegate: str | None = None
    completed: int = 0        # Unix time, for DONE and FAILED
    exit_reason: str | None = None


def later_succeeded(event: FenceEvent, history: list[FenceEvent]) -> str | None:
    """stonith__later_succeeded(): for a failed event, the delegate of a newer successful
    one of the same action on the same target (looked for only among the events before
    it in the newest-first history; None also when that success names no delegate)."""
    if event.state != FAILED:
        return None
    for other in history:
        if other is event:
            break
        if (other.state == DONE and other.target.lower() == event.target.lower()
                and other.action == event.action and other.completed > event.completed):
            return other.delegate
    return None


def reduce_history(history: list[FenceEvent]) -> list[FenceEvent]:
    """Pending events, and the newest completed event of each target, action and outcome
    (crm_mon's fence history below level 3)."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for event in history:
        if event.state != PENDING:
            flavour = (event.target, event.action, event.state)
            if flavour in seen:
                continue
            seen.add(flavour)
        out.append(event)
    return out


def description(event: FenceEvent, history: list[FenceEvent], *, full: bool,
                technical: bool) -> str:
    """'reboot of node2 by node1 for crmshell@node1 last failed at ...' (friendly) or with
    key=value details (technical, crm_mon -R)."""
    done = event.state in (DONE, FAILED)
    when = iso_text(event.completed) if done else None
    text = f"{event.action} of {event.target}"
    if not technical:
        if done and event.delegate is not None:
            text += f" by {event.delegate}"
        text += f" for {event.client}@{event.origin}"
        if not full:
            text += " last"
    text += f" {event.state}"
    if event.state == FAILED and event.exit_reason:
        text += f" ({event.exit_reason})"
    if technical:
        text += ": "
        if done and event.delegate is not None:
            text += f"delegate={event.delegate}, "
        text += f"client={event.client}, origin={event.origin}"
        if when is not None:
            label = "completed" if full else (
                "last-failed" if event.state == FAILED else "last-successful")
            text += f", {label}='{when}'"
    elif when is not None:
        text += f" at {when}"
    succeeded = later_succeeded(event, history)
    if succeeded is not None:
        text += f" (a later attempt from {succeeded} succeeded)"
    return text
