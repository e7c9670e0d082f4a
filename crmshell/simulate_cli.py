"""`crmshell simulate`: crm_simulate's calling convention over our scheduler.

    crmshell simulate -x FILE [-S | -R] [-s] [-Q] [--explain RSC]

Prints the cluster status, the Transition Summary in Pacemaker's line format, with -S the
executed actions and the revised status, with -s the allocation and promotion scores, and
with --explain a table of what decided a resource's placement. Exit status: 0 done,
1 unreadable or invalid CIB (or unknown resource), 2 usage error.
"""

from __future__ import annotations

import datetime
import sys
import time
from dataclasses import dataclass

USAGE = """\
usage: crmshell simulate -x FILE [-S | -R] [-s] [-Q] [--explain RSC]
       crmshell [--cib-file FILE] simulate -L [-S | -R] [-s] [-Q] [--explain RSC]

Compute what the cluster would do for the CIB in FILE (its configuration and status).

Options:
  -x, --xml-file FILE   the CIB to read ('-' reads standard input)
  -L, --live-check      the session's CIB: --cib-file, CIB_file or CIB_shadow (the live
                        cluster once the node daemon exists)
  -R, --run             run the scheduler and print the Transition Summary
  -S, --simulate        as -R, then simulate the transition: print the actions as they
                        are executed and the revised cluster status
  -s, --show-scores     print the allocation and promotion scores (implies -R)
  -Q, --quiet           do not print the cluster status before the transition
      --explain RSC     explain the placement of resource RSC: every contribution to its
                        score on each node and the decision (implies -R)
  -h, --help            show this help and exit

Exit status: 0 success, 1 the CIB cannot be read or used, 2 usage errors.
"""


class _Usage(Exception):
    pass


@dataclass
class SimulateOptions:
    xml_file: str | None = None
    run: bool = False
    simulate: bool = False
    scores: bool = False
    quiet: bool = False
    explain: str | None = None
    help: bool = False
    live: bool = False


_FLAGS = {"-R": "run", "--run": "run", "-S": "simulate", "--simulate": "simulate",
          "-s": "scores", "--show-scores": "scores", "-Q": "quiet", "--quiet": "quiet",
          "-h": "help", "--help": "help", "-L": "live", "--live-check": "live"}
_VALUED = {"-x": "xml_file", "--xml-file": "xml_file", "--explain": "explain"}


def parse_args(args: list[str]) -> SimulateOptions:
    opts = SimulateOptions()
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in _FLAGS and not eq:
            setattr(opts, _FLAGS[name], True)
        elif name in _VALUED:
            if not eq:
                if i + 1 >= len(args):
                    raise _Usage(f"option {name} needs a value")
                i += 1
                value = args[i]
            setattr(opts, _VALUED[name], value)
        elif len(arg) > 2 and arg[0] == "-" and arg[1] != "-" \
                and all(f"-{c}" in _FLAGS for c in arg[1:]):
            for c in arg[1:]:                       # bundled short flags: -SsQ
                setattr(opts, _FLAGS[f"-{c}"], True)
        else:
            raise _Usage(f"unknown argument '{arg}'")
        i += 1
    if opts.help:
        return opts
    if opts.xml_file is None and not opts.live:
        raise _Usage("no input: give the CIB with -x FILE (or -L for the session's CIB)")
    if opts.xml_file is not None and opts.live:
        raise _Usage("give either -x FILE or -L, not both")
    if opts.scores or opts.explain:
        opts.run = True
    return opts


def main(args: list[str], *, cib_file: str | None = None) -> int:
    try:
        opts = parse_args(list(args))
    except _Usage as err:
        sys.stderr.write(f"crmshell simulate: {err}\n{USAGE}")
        return 2
    if opts.help:
        sys.stdout.write(USAGE)
        return 0
    from daemon.cib.errors import CibError
    from daemon.scheduler import SchedulerError

    from crmshell.errors import ShellError
    try:
        lines = run(opts, cib_file=cib_file)
    except (SchedulerError, OSError, ShellError, CibError) as err:  # bad input, unknown rsc
        sys.stderr.write(f"crmshell simulate: {err}\n")
        return 1
    except Exception as err:  # a scheduler bug: say so plainly instead of a traceback
        sys.stderr.write(f"crmshell simulate: internal error while scheduling "
                         f"{opts.xml_file}: {err!r} (please report it with the file)\n")
        return 1
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def _load(path: str):
    from daemon.scheduler.cib_xml import load_cib, parse_cib_text
    if path == "-":
        return parse_cib_text(sys.stdin.buffer.read(), "<stdin>")
    return load_cib(path)


def _date_line(cib) -> list[str]:
    value = cib.get("execution-date")
    if value is None or not value.strip().isdigit():
        return []
    moment = datetime.datetime.fromtimestamp(int(value), datetime.timezone.utc)
    return [f"Using the original execution date of: {moment:%Y-%m-%d %H:%M:%S}Z"]


def _session_cib(cib_file: str | None):
    """The CIB of `-L`: what the shell would work on (a file, a shadow, the live cluster)."""
    import os

    from crmshell.cib.choose import Where, session_source

    return session_source(Where(cib_file=cib_file), os.environ).load().root


def run(opts: SimulateOptions, *, cib_file: str | None = None) -> list[str]:
    """Everything the command prints, as lines (pure apart from reading the input)."""
    cib = _session_cib(cib_file) if opts.live else _load(opts.xml_file)
    return report_lines(cib, opts, int(time.time()))


def report_lines(cib, opts: SimulateOptions, now: int) -> list[str]:
    """What `simulate` prints for a CIB already in memory (the shell's staged CIB, too)."""
    from daemon.scheduler import schedule
    from daemon.scheduler.engine import build_working_set, effective_now
    from daemon.scheduler.status_view import cluster_status_lines, status_preamble

    now = effective_now(cib, now)
    out = list(_date_line(cib))
    if not opts.quiet:
        current = build_working_set(cib, now)
        preamble = status_preamble(current)
        out += preamble + ([""] if preamble else [])
        out += ["Current cluster status:"] + cluster_status_lines(current)
    if not (opts.run or opts.simulate):
        return out
    transition = schedule(cib, now, explain=opts.explain is not None, scores=opts.scores)
    if opts.scores:
        out += ["", "Allocation scores:"] + transition.allocation_scores
        out += transition.promotion_scores
    out += ["", "Transition Summary:"] + transition.summary_lines
    if opts.explain is not None:
        out += [""] + explain_lines(transition, opts.explain)
    if opts.simulate:
        out += [""] + simulate_lines(transition, now)
    while opts.quiet and out and not out[0]:
        out.pop(0)
    return out


def simulate_lines(transition, now: int) -> list[str]:
    from daemon.scheduler.engine import build_working_set
    from daemon.scheduler.simulate import (execution_order, executor_names, revised_cib,
                                           step_line)
    from daemon.scheduler.status_view import cluster_status_lines
    ws = transition.working_set
    order = execution_order(ws)
    names = executor_names(ws)
    out = ["Executing Cluster Transition:"]
    out += [f"  * {step_line(action, names)}" for action in order]
    revised = revised_cib(ws, order)
    out += _date_line(revised)
    out += ["", "Revised Cluster Status:"]
    out += cluster_status_lines(build_working_set(revised, now))
    return out


def explain_lines(transition, rsc_id: str) -> list[str]:
    from tabulate import tabulate

    from daemon.scheduler import scores
    from daemon.scheduler.explain import explain
    out: list[str] = []
    for exp in explain(transition, rsc_id):
        headers = ["node", "state"] + [c.label for c in exp.contributions] + ["score"]
        rows = []
        for node in exp.nodes:
            row = [node + (" *" if node in exp.active_on else ""), exp.node_states[node]]
            for contribution in exp.contributions:
                value = contribution.per_node.get(node)
                row.append("" if value is None else _signed(scores.text(value)))
            final = exp.final.get(node)
            row.append("" if final is None else scores.text(final))
            rows.append(row)
        out.append(f"Placement of {exp.resource} (* = active there now):")
        out += tabulate(rows, headers=_wrap(headers), tablefmt="simple",
                        disable_numparse=True).splitlines()
        out.append("")
        out += exp.decision
        if exp.actions:
            out.append("Transition: " + "; ".join(a.lstrip("* ") for a in exp.actions))
        else:
            out.append("Transition: nothing to do for it.")
        out.append("")
    while out and not out[-1]:
        out.pop()
    return out


def _signed(text: str) -> str:
    return text if text.startswith("-") or text == "0" else f"+{text}"


def _wrap(headers: list[str], width: int = 18) -> list[str]:
    """Long contribution names wrapped onto several header lines."""
    wrapped = []
    for header in headers:
        words, line, lines = header.split(), "", []
        for word in words:
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        lines.append(line)
        wrapped.append("\n".join(lines))
    return wrapped
