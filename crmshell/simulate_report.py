"""What `simulate` prints and saves, composed as crm_simulate (Pacemaker 2.1) composes it.

The sections come in crm_simulate's order: the execution date, the current status, the
requested modifications (what-if injections), the scores, the Transition Summary, the
executed actions and the revised status. Like crm_simulate:

- `-Q` prints only the scores (and the blank lines that separate sections);
- `-s` switches to crm_simulate's plain text: lists lose their headings, bullets and
  indentation, and node lists their "Online:" label (crm_simulate turns its
  `--text-fancy` off when it shows scores).

Pure apart from the wall clock passed in (what crm_simulate reads for injected results).
"""

from __future__ import annotations

import copy
import datetime
import re

from daemon.records import field, record
from daemon.scheduler.inject import Injections, OpSpec

# Node-list items carry their label as an item id, which plain text leaves out.
_NODE_LIST_LABEL = re.compile(r"^(?:Online|OFFLINE|RemoteOnline|RemoteOFFLINE|GuestOnline): "
                              r"(\[.*)$")


@record
class SimulateOptions:
    xml_file: str | None = None
    live: bool = False
    run: bool = False
    simulate: bool = False
    scores: bool = False
    quiet: bool = False
    explain: str | None = None
    help: bool = False
    status: bool = True                 # the current status (configure simulate leaves it out)
    injections: Injections = field(default_factory=Injections)
    op_fail: list[OpSpec] = field(default_factory=list)
    set_datetime: str | None = None
    save_input: str | None = None
    save_output: str | None = None
    save_graph: str | None = None
    save_dotfile: str | None = None
    in_place: bool = False


@record
class Report:
    """The printed lines, and the documents crm_simulate can save: the input after the
    injections (-I), the output after the simulated execution (-O), the graph (-G, -D)."""

    lines: list[str]
    input_cib: object
    output_cib: object
    graph: str | None = None
    dot: str | None = None


def parse_datetime(text: str) -> int:
    """--set-datetime's ISO 8601 date (UTC unless it has an offset, which may follow the
    time after a space as crm_simulate allows); DateError when it is not one."""
    from daemon.scheduler.dates import parse_date

    return parse_date(re.sub(r"\s+([+-]\d)", r"\1", text))


def effective_time(cib, opts: SimulateOptions, wall_clock: int) -> tuple[int, bool, str | None]:
    """(now, fixed, the line announcing it): --set-datetime, else the CIB's
    execution-date, else the wall clock (announced by nothing)."""
    from daemon.scheduler.engine import effective_now

    if opts.set_datetime is not None:
        moment = parse_datetime(opts.set_datetime)
        return moment, True, f"Setting effective cluster time: {opts.set_datetime}"
    value = cib.get("execution-date")
    if value is None or not value.strip().isdigit():
        return effective_now(cib, wall_clock), False, None
    moment = datetime.datetime.fromtimestamp(int(value), datetime.timezone.utc)
    return int(value), False, f"Using the original execution date of: {moment:%Y-%m-%d %H:%M:%S}Z"


def plain_items(lines: list[str]) -> list[str]:
    """crm_simulate's plain text of a list: a heading (an item followed by deeper ones)
    is left out, items lose their indentation and bullet, node lists their label."""
    out = []
    for number, line in enumerate(lines):
        if not line.strip():
            out.append("")
            continue
        depth = len(line) - len(line.lstrip())
        following = lines[number + 1] if number + 1 < len(lines) else ""
        if following.strip() and len(following) - len(following.lstrip()) > depth:
            continue
        text = line.lstrip()
        if text.startswith("* "):
            text = text[2:]
        out.append(_NODE_LIST_LABEL.sub(r"\1", text))
    return out


class _Composer:
    """Sections separated by blank lines the way crm_simulate's spacers do."""

    def __init__(self, plain: bool) -> None:
        self.plain = plain
        self.lines: list[str] = []
        self.printed = False

    def spacer(self) -> None:
        if self.printed:
            self.lines.append("")

    def section(self, title: str, items: list[str]) -> None:
        if self.plain:
            self.lines += plain_items(items)
        else:
            self.lines += [f"{title}:"] + items


def simulate_report(cib, opts: SimulateOptions, wall_clock: int) -> Report:
    """Everything `simulate` prints and saves for a CIB (which is left untouched)."""
    from daemon.scheduler import schedule
    from daemon.scheduler.engine import build_working_set
    from daemon.scheduler.inject import apply_injections
    from daemon.scheduler.status_view import cluster_status_lines, status_preamble

    cib = copy.deepcopy(cib)
    now, fixed, date = effective_time(cib, opts, wall_clock)
    out = _Composer(plain=opts.scores)
    show = not opts.quiet
    if show and date:
        out.lines.append(date)
        out.printed = not opts.status        # without the status, a blank line follows it
    if show and opts.status:
        current = build_working_set(cib, now)
        preamble = status_preamble(current)
        out.lines += preamble + ([""] if preamble else [])
        out.section("Current cluster status", cluster_status_lines(current))
        out.printed = True
    if opts.injections:
        out.spacer()
        changes = apply_injections(cib, opts.injections, wall_clock)
        if show:
            out.section("Performing Requested Modifications", [f"  * {c}" for c in changes])
            if date:
                out.lines.append(date)
        out.printed = True
    report = Report(out.lines, cib, cib)
    if not (opts.run or opts.simulate):
        return report
    # as crm_simulate: a digest differing only in masked private parameters is no change
    transition = schedule(cib, now, explain=opts.explain is not None,
                          scores=opts.scores, fixed_now=fixed, sanitized=True)
    if opts.scores:
        out.spacer()
        out.lines += transition.scores_in_order
        out.printed = True
    if show:
        out.spacer()
        out.section("Transition Summary", transition.summary_lines)
        out.printed = True
    if opts.explain is not None:
        out.lines += [""] + explain_lines(transition, opts.explain)
    _graph_files(report, transition, opts)
    if opts.simulate:
        from daemon.scheduler.simulate import execute
        out.spacer()
        execution = execute(transition.working_set, opts.op_fail, wall_clock)
        report.output_cib = execution.revised
        if show:
            out.section("Executing Cluster Transition", execution.lines)
            if date:
                out.lines.append(date)
        out.printed = True
        if show:
            out.spacer()
            out.section("Revised Cluster Status",
                        cluster_status_lines(build_working_set(execution.revised, now)))
    return report


def _graph_files(report: Report, transition, opts: SimulateOptions) -> None:
    if opts.save_graph is None and opts.save_dotfile is None:
        return  # and the graph modules stay unimported: they are a plain run's start-up cost
    from daemon.scheduler.graph import build_graph
    from daemon.scheduler.graph_files import graph_dot, graph_xml
    from daemon.scheduler.recheck import next_recheck

    ws = transition.working_set
    if opts.save_graph is not None:
        dc_uuid = ws.cib.get("dc-uuid") or ""
        report.graph = graph_xml(ws, build_graph(ws, 0, dc_uuid), next_recheck(ws))
    if opts.save_dotfile is not None:
        report.dot = graph_dot(ws)


def report_lines(cib, opts: SimulateOptions, now: int) -> list[str]:
    """What `simulate` prints for a CIB already in memory (the shell's staged CIB, too)."""
    return simulate_report(cib, opts, now).lines


# ---- --explain -----------------------------------------------------------------------------

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
