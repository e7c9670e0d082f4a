"""The `site` level: multi-site tickets, as crmsh's `site ticket` runs crm_ticket.

Granting, revoking, standby and activation change the ticket's state in the running
cluster's status section (the daemon's `ticket` op), which the scheduler reads for
`rsc_ticket` constraints; `show` and `time` read it from the session's CIB, a file
included. To try ticket changes offline, `cibstatus ticket` edits a CIB's status section.
"""

from __future__ import annotations

from crmshell.completion import kinds as k
from crmshell.errors import ShellError, UsageError
from crmshell.levels.admin_common import live_source, settle
from crmshell.ui.command import command
from crmshell.ui.level import Level

WRITES = ("grant", "revoke", "standby", "activate", "delete")
ACTIONS = (*WRITES, "show", "time")


def ticket_states(root) -> dict[str, dict[str, str]]:
    return {t.get("id"): dict(t.attrib) for t in root.iterfind("status/tickets/ticket_state")
            if t.get("id")}


def describe(ticket: str, state: dict[str, str] | None) -> str:
    """One ticket as `crm_ticket --info` lists it: granted or revoked, standby, when."""
    if state is None:
        return f"{ticket}\trevoked (no state recorded)"
    words = ["granted" if state.get("granted") == "true" else "revoked"]
    if state.get("standby") == "true":
        words.append("[standby]")
    if state.get("last-granted"):
        words.append(f"last-granted={_when(state['last-granted'])}")
    return f"{ticket}\t{' '.join(words)}"


def _when(epoch: str) -> str:
    import time

    try:
        return time.strftime("%a %b %e %H:%M:%S %Y", time.localtime(int(epoch)))
    except (ValueError, OverflowError, OSError):
        return epoch


class SiteLevel(Level):
    name = "site"
    summary = "multi-site support: tickets"

    @command(usage="ticket {grant|revoke|standby|activate|show|time|delete} <ticket>",
             completers=(k.choice(*ACTIONS), None))
    def do_ticket(self, ctx, action: str, ticket: str) -> None:
        """Grant, revoke, put in standby, show or delete a ticket."""
        if action not in ACTIONS:
            raise UsageError(f"ticket: '{action}' is not one of {', '.join(ACTIONS)}; usage: "
                             "ticket {grant|revoke|standby|activate|show|time|delete} <ticket>")
        if action in WRITES:
            live_source(ctx, f"ticket {action}").call("ticket", {"action": action,
                                                                  "ticket": ticket})
            ctx.report(f"ticket {ticket}: {action} done")
            settle(ctx)
            return
        state = ticket_states(ctx.source.load().root).get(ticket)
        if action == "show":
            ctx.write(describe(ticket, state))
        elif state is None or not state.get("last-granted"):
            raise ShellError(f"ticket {ticket} has never been granted")
        else:
            ctx.write(f"{ticket} last-granted: {_when(state['last-granted'])}")
