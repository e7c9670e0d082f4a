"""Scenario scripts for the controller core, with golden traces (etcd raft's testdata style).

A script is stanzas: a command line, optional argument lines, `----`, then the exact commands
the core returned. Commands:

    dc NODE                       the election says NODE is DC (the core is node1)
    members [synced] NODE...      the process group's members (synced: after a sync round
                                  installed another member's CIB)
    quorum yes|no
    config                        the configuration changed
    status                        a status change with no result (an attribute, a cleanup)
    plan [max-attempts=N]         answer the pending Schedule (stonith-max-attempts N); argument lines are actions:
                                  ID KIND KEY [NODE] [after=ID,ID] [timeout=MS] [meta=k:v,...]
    result ID rc=N [status=S] [transition=T]   a result for action ID of the current graph
    monitor RSC INTERVAL rc=N transition=T action=A   a recurring monitor's later result
    tick MS                       the clock moves on by MS and a timer fires
    fenced ID ok|failed
    manual-start NODE             a fencing of NODE no transition asked for began here
    manual-done NODE ok|failed [by-me]   ... and ended (by-me: this node carried it out)

Run with CRMSHELL_REWRITE=1 to rewrite the expected output; review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

from daemon.controller import messages as msg
from daemon.controller.core import Controller
from daemon.scheduler.graph import Graph, GraphAction, GraphResource, transition_key

NODES = {f"node{i}": msg.NodeRef(str(i), f"node{i}") for i in range(1, 10)}
UUID = "dc-uuid"


class Harness:
    def __init__(self) -> None:
        self.core = Controller(NODES["node1"], dc_uuid=UUID, cores=1)
        self.now = 1_000_000
        self.pending: msg.Schedule | None = None
        self.graph: Graph | None = None

    def step(self, event) -> list[str]:
        out = []
        for command in self.core.step(event):
            if isinstance(command, msg.Schedule):
                self.pending = command
            out.append(render(command))
        return out

    def run(self, line: str, args: list[str]) -> list[str]:
        words = line.split()
        cmd, rest = words[0], words[1:]
        self.now += 1
        if cmd == "dc":
            node = NODES[rest[0]]
            return self.step(msg.DcChanged(self.now, node, node == self.core.me))
        if cmd == "members":
            synced = rest[:1] == ["synced"]
            return self.step(msg.MembershipChanged(
                self.now, tuple(NODES[n] for n in rest[synced:]), synced=synced))
        if cmd == "quorum":
            return self.step(msg.QuorumChanged(self.now, rest[0] == "yes"))
        if cmd == "config":
            return self.step(msg.CibChanged(self.now, config=True))
        if cmd == "status":
            from daemon.cib.status_ops import SetTransientAttr
            op = SetTransientAttr("1", "node1", "foo", "bar")
            return self.step(msg.CibChanged(self.now, status_ops=(op,)))
        if cmd == "plan":
            assert self.pending is not None, "plan without a pending Schedule"
            self.graph = graph_from(self.pending.transition_id, args)
            seq = self.pending.seq
            self.pending = None
            opts = dict(w.split("=", 1) for w in rest)
            return self.step(msg.Planned(self.now, seq, self.graph, recheck_interval_ms=0,
                                         fence_max_attempts=int(opts.get("max-attempts", 10))))
        if cmd == "result":
            opts = dict(w.split("=", 1) for w in rest[1:])
            action = self.graph.by_id()[int(rest[0])]
            tid = int(opts.get("transition", self.graph.transition_id))
            key = transition_key(action.id, tid, action.expected_rc, UUID)
            node = NODES[action.node]
            rsc = action.rsc.id if action.rsc else "-"
            result = msg.ActionResult(node, rsc, action.key, action.task, action.interval_ms,
                                      key, int(opts["rc"]), int(opts.get("status", 0)),
                                      when_s=self.now // 1000)
            return self.step(msg.CibChanged(self.now, results=(result,)))
        if cmd == "monitor":
            opts = dict(w.split("=", 1) for w in rest[2:])
            rsc, interval = rest[0], int(rest[1])
            key = transition_key(int(opts["action"]), int(opts["transition"]), 0, UUID)
            result = msg.ActionResult(NODES["node1"], rsc, f"{rsc}_monitor_{interval}",
                                      "monitor", interval, key, int(opts["rc"]), 0,
                                      when_s=self.now // 1000)
            return self.step(msg.CibChanged(self.now, results=(result,)))
        if cmd == "tick":
            self.now += int(rest[0])
            return self.step(msg.Tick(self.now))
        if cmd == "fenced":
            return self.step(msg.FenceDone(self.now, self.graph.transition_id, int(rest[0]),
                                           rest[1] == "ok"))
        if cmd == "manual-start":
            return self.step(msg.ManualFenceStarted(self.now, NODES[rest[0]]))
        if cmd == "manual-done":
            return self.step(msg.ManualFenceDone(self.now, NODES[rest[0]], rest[1] == "ok",
                                                 "agent failed" if rest[1] != "ok" else "",
                                                 by_me="by-me" in rest[2:]))
        raise ValueError(f"unknown scenario command {cmd!r}")


def graph_from(transition_id: int, lines: list[str]) -> Graph:
    actions = []
    for line in lines:
        words = line.split()
        action_id, kind, key = int(words[0]), words[1], words[2]
        node = words[3] if len(words) > 3 and "=" not in words[3] else None
        opts = dict(w.split("=", 1) for w in words[3:] if "=" in w)
        rsc_id, task, interval = split_key(key)
        inputs = tuple(int(i) for i in opts.get("after", "").split(",") if i)
        meta = dict(kv.split(":", 1) for kv in opts.get("meta", "").split(",") if kv)
        expected = int(opts.get("expect", 7 if task == "monitor" and interval == 0 else 0))
        rsc = GraphResource(rsc_id, rsc_id, "ocf", "crmshell", "Dummy") if kind != "pseudo" else None
        actions.append(GraphAction(
            id=action_id, kind=kind, task=task, key=key, node=node,
            node_id=NODES[node].id if node else None, rsc=rsc, interval_ms=interval,
            timeout_ms=int(opts.get("timeout", 20000)), expected_rc=expected,
            transition_key=transition_key(action_id, transition_id, expected, UUID),
            inputs=inputs, params={}, meta=meta))
    return Graph(transition_id, tuple(actions))


def split_key(key: str) -> tuple[str, str, int]:
    rest, _, interval = key.rpartition("_")
    for task in ("clear_failcount", "lrm_delete", "do_shutdown", "monitor", "start", "stop",
                 "promote", "demote", "stonith", "notify", "cancel", "running", "stopped"):
        if rest.endswith("_" + task):
            return rest[: -len(task) - 1], task, int(interval)
    return rest, rest, int(interval)


def render(command) -> str:
    name = type(command).__name__
    if isinstance(command, msg.Log):
        return f"{command.level}: {command.message}"
    if isinstance(command, msg.Execute):
        a = command.action
        return f"Execute {a.key} on {a.node} (action {a.id})"
    if isinstance(command, msg.RecordStatus):
        ops = "; ".join(_op(o) for o in command.ops)
        return f"RecordStatus [{command.reason}] {ops}"
    if isinstance(command, msg.SetTimer):
        return f"SetTimer {'none' if command.at_ms is None else command.at_ms}"
    if isinstance(command, msg.Schedule):
        return f"Schedule seq={command.seq} transition={command.transition_id}"
    if isinstance(command, msg.KeepDcAttributes):
        return f"KeepDcAttributes dc={command.dc.name} quorate={command.quorate}"
    if isinstance(command, msg.EnsureNodes):
        return "EnsureNodes " + " ".join(n.name for n in command.nodes)
    if isinstance(command, msg.BecameIdle):
        return f"BecameIdle after transition {command.transition_id}"
    if isinstance(command, msg.Fence):
        delay = f" after {command.delay_ms} ms" if command.delay_ms else ""
        return f"Fence {command.target} ({command.action}) action {command.action_id}{delay}"
    if isinstance(command, msg.NodeShutdown):
        return f"NodeShutdown {command.node}"
    return f"{name} {command}"


def _op(op) -> str:
    fields = ", ".join(f"{k}={v}" for k, v in vars(op).items()) if hasattr(op, "__dict__") else ""
    if not fields:
        from dataclasses import asdict
        fields = ", ".join(f"{k}={v}" for k, v in asdict(op).items())
    return f"{type(op).__name__}({fields})"


def run_file(path: Path) -> tuple[str, str]:
    """(expected, actual) text of a scenario file."""
    text = path.read_text()
    harness = Harness()
    out_lines: list[str] = []
    for stanza in text.split("\n\n"):
        if not stanza.strip():
            continue
        head, sep, _ = stanza.partition("----")
        lines = [ln for ln in head.strip("\n").splitlines()]
        comments = [ln for ln in lines if ln.startswith("#")]
        body = [ln for ln in lines if not ln.startswith("#")]
        command, args = body[0], [ln.strip() for ln in body[1:]]
        produced = harness.run(command, args)
        out_lines.append("\n".join([*comments, *body, "----", *produced]))
    actual = "\n\n".join(out_lines) + "\n"
    if os.environ.get("CRMSHELL_REWRITE") and actual != text:
        path.write_text(actual)
        return actual, actual
    return text, actual
