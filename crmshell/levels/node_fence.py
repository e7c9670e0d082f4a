"""`node fence NODE`: crmsh's command, carried out by the cluster's fencing as
`stonith_admin --reboot` (or `--fence` with `off`) would.

crmsh 4.4.1 asks "Fencing NODE will shut down the node and migrate any resources that are
running on it! Do you want to fence NODE?" unless forced, and then leaves it to the cluster;
here the request goes to crmshelld, which has the DC (or, when the DC is the target, another
member) run the fence agents, and the command reports how it ended: who fenced the node and
when, or why it could not be fenced. The node's resources are recovered elsewhere
afterwards; with -w the command also waits for that.
"""

from __future__ import annotations

import sys

from crmshell.errors import ShellError, UsageError

ACTIONS = ("reboot", "off")
YES = ("-y", "--yes")
USAGE = "fence <node> [reboot|off] [-y|--yes]"


def parse_words(node: str, words: tuple[str, ...]) -> tuple[str, str | None, bool]:
    """(node, action or None for the cluster's stonith-action, confirmed already)."""
    if node.startswith("-"):
        raise UsageError(f"fence: '{node}' is not a node name (the node comes first); "
                         f"usage: {USAGE}")
    action, yes = None, False
    for word in words:
        if word in YES:
            yes = True
        elif word in ACTIONS and action is None:
            action = word
        elif word in ACTIONS:
            raise UsageError(f"fence: give one action, not '{action}' and '{word}'; "
                             f"usage: {USAGE}")
        else:
            raise UsageError(f"fence: unexpected '{word}'; usage: {USAGE}")
    return node, action, yes


def cluster_property(root, name: str) -> str | None:
    """A cluster option of crm_config, by any of its spellings (stonith-/fencing-)."""
    from daemon.cib.options import cluster_option

    spec = cluster_option(name)
    names = set(spec.names) if spec is not None else {name}
    for pair in root.iterfind("configuration/crm_config/cluster_property_set/nvpair"):
        if pair.get("name") in names:
            return pair.get("value")
    return None


def check_known(root, node: str) -> None:
    """Before asking: a node the CIB has never heard of cannot be fenced (crmshelld would
    refuse it too, after the question)."""
    names = {e.get(a) for e in (*root.iterfind("configuration/nodes/node"),
                                *root.iterfind("status/node_state")) for a in ("uname", "id")}
    names.discard(None)
    if node not in names:
        known = sorted({e.get("uname") for e in root.iterfind("configuration/nodes/node")
                        if e.get("uname")})
        raise ShellError(f"node {node} is not in the cluster (known: "
                         f"{', '.join(known) or 'none'})")


def check_enabled(root, node: str) -> None:
    from daemon.scheduler.cluster_options import is_false

    if is_false(cluster_property(root, "stonith-enabled")):
        raise ShellError(f"fencing is disabled (stonith-enabled=false): {node} is not fenced; "
                         "enable it with 'configure property stonith-enabled=true'")


def confirmed(ctx, node: str, yes: bool) -> bool:
    """crmsh's question, unless -y or -F said yes already; asked at the prompt, or on a
    terminal for a one-shot command. Without a way to ask, the answer is no."""
    question = (f"Fencing {node} will shut down the node and migrate any resources that are "
                f"running on it! Do you want to fence {node}?")
    if yes or ctx.options.force:
        ctx.report(f"{question} [YES]")
        return True
    if ctx.ask is not None:
        return ctx.ask(question, ["yes", "no"]) == "yes"
    if not sys.stdin.isatty():
        raise ShellError(f"fencing {node} needs a confirmation and there is no terminal to "
                         "ask on: add -y (or --yes), or run crmshell with -F")
    while True:
        try:
            answer = input(f"{question[:-1]} (y/n)? ").strip().lower()
        except EOFError:
            return False
        if answer[:1] in ("y", "n"):
            return answer[:1] == "y"


def outcome(record: dict, tolerated: bool) -> str:
    """How a fencing ended, in one line, from its history record."""
    from daemon.status.timefmt import iso_text

    when = iso_text(int(record.get("completed_ms", 0)) // 1000)
    took = (int(record.get("completed_ms", 0)) - int(record.get("created_ms", 0))) / 1000
    text = (f"{record.get('target')} was fenced ({record.get('action')}) by "
            f"{record.get('delegate')} at {when}")
    if tolerated:
        return text + " (within the tolerance: not fenced again)"
    return text + f", {took:.1f} s after it was asked"


def fence(ctx, node: str, words: tuple[str, ...]) -> None:
    from crmshell.levels.admin_common import live_source, settle

    node, action, yes = parse_words(node, words)
    source = live_source(ctx, "fencing a node")
    root = source.load().root
    check_known(root, node)
    check_enabled(root, node)
    action = action or cluster_property(root, "stonith-action") or "reboot"
    if action == "poweroff":
        action = "off"          # the deprecated spelling Pacemaker still accepts
    if not confirmed(ctx, node, yes):
        raise ShellError(f"{node} not fenced: not confirmed")
    ctx.report(f"fencing {node} ({action}): waiting for the cluster to carry it out")
    reply = source.call("fence", {"target": node, "action": action, "client": "crmshell"})
    ctx.report(outcome(reply.result.get("record") or {}, bool(reply.result.get("tolerated"))))
    settle(ctx)
