"""`simulate`: crm_simulate's calling convention over our scheduler.

    crmshell simulate -x FILE|-L [-R|-S|-X] [-s] [-Q] [WHAT-IF ...] [-I|-O|-G|-D FILE]

The options are crm_simulate's (Pacemaker 2.1), what-if events included (-u, -d, -f,
-i, -F, -t, -q, -w and the ticket options), plus --explain RSC. The same arguments work as
the shell's top-level `simulate` command. Exit status: 0 done, 1 unreadable or invalid CIB
(or unknown resource or node), 2 usage error. `help simulate` documents the options.
"""

from __future__ import annotations

import sys
import time

from crmshell.simulate_report import Report, SimulateOptions, parse_datetime, simulate_report


class SimulateUsage(Exception):
    """Arguments crm_simulate would refuse (the message says which)."""


# option -> (short, attribute): flags set True, valued options take one argument, the
# repeated ones append theirs.
_FLAGS = {"run": "R", "simulate": "S", "in-place": "X", "show-scores": "s", "quiet": "Q",
          "live-check": "L", "xml-pipe": "p", "help": "h"}
_VALUED = {"xml-file": "x", "set-datetime": "t", "quorum": "q", "watchdog": "w",
           "save-input": "I", "save-output": "O", "save-graph": "G", "save-dotfile": "D",
           "explain": None}
_REPEATED = {"node-up": "u", "node-down": "d", "node-fail": "f", "op-inject": "i",
             "op-fail": "F", "ticket-grant": "g", "ticket-revoke": "r", "ticket-standby": "b",
             "ticket-activate": "e"}
_SHORT = {short: name for table in (_FLAGS, _VALUED, _REPEATED)
          for name, short in table.items() if short}


def _set(opts: SimulateOptions, name: str, value: str | None) -> None:
    from daemon.scheduler.inject import InjectionError, parse_op_spec

    attribute = name.replace("-", "_")
    if name in _FLAGS:
        setattr(opts, {"show-scores": "scores", "live-check": "live",
                       "xml-pipe": "xml_file"}.get(name, attribute),
                "-" if name == "xml-pipe" else True)
    elif name in ("op-inject", "op-fail"):
        try:
            spec = parse_op_spec(value)
        except InjectionError as err:
            raise SimulateUsage(f"--{name}: {err}") from None
        (opts.injections.op_inject if name == "op-inject" else opts.op_fail).append(spec)
    elif name in _REPEATED:
        getattr(opts.injections, attribute).append(value)
    elif name in ("quorum", "watchdog"):
        setattr(opts.injections, attribute, value)
    else:
        setattr(opts, attribute, value)


def _words(args: list[str]):
    """(option name, value or None) for each option, crm_simulate's way: long options with
    '=' or a separate value, bundled short flags (-SQ), a short option's value attached
    (-unode1) or following."""
    pending = list(reversed(args))

    def value_of(label: str, attached: str) -> str:
        if attached:
            return attached
        if not pending:
            raise SimulateUsage(f"option {label} needs a value")
        return pending.pop()

    while pending:
        arg = pending.pop()
        if arg.startswith("--"):
            name, eq, value = arg[2:].partition("=")
            if name in _FLAGS and not eq:
                yield name, None
            elif name in _VALUED or name in _REPEATED:
                yield name, value if eq else value_of(f"--{name}", "")
            else:
                raise SimulateUsage(f"unknown argument '{arg}'" if name not in _FLAGS
                                    else f"option --{name} takes no value")
            continue
        names = [_SHORT.get(letter) for letter in arg[1:]]
        if len(arg) < 2 or arg[0] != "-" or names[0] is None:
            raise SimulateUsage(f"unknown argument '{arg}'")
        for position, name in enumerate(names, 2):
            if name in _FLAGS:
                yield name, None
            elif name is not None:
                yield name, value_of(f"-{arg[position - 1]}", arg[position:])
                break
            else:
                raise SimulateUsage(f"unknown argument '{arg}'")


def parse_args(args: list[str]) -> SimulateOptions:
    from daemon.scheduler.dates import DateError

    opts = SimulateOptions()
    for name, value in _words(list(args)):
        _set(opts, name, value)
    if opts.help:
        return opts
    if opts.xml_file is None and not opts.live:
        raise SimulateUsage("no input: give the CIB with -x FILE (or -L for the session's CIB)")
    if opts.xml_file is not None and opts.live:
        raise SimulateUsage("give either -x FILE or -L, not both")
    if opts.in_place and (opts.live or opts.xml_file == "-"):
        raise SimulateUsage("-X stores the result back into the input: it needs -x FILE")
    if opts.set_datetime is not None:
        try:
            parse_datetime(opts.set_datetime)
        except DateError:
            raise SimulateUsage(f"--set-datetime: '{opts.set_datetime}' is not an ISO 8601 "
                                "date (e.g. 2026-06-01 12:00:00)") from None
    if opts.in_place:
        opts.simulate = True
    if opts.scores or opts.explain or opts.save_graph or opts.save_dotfile:
        opts.run = True
    return opts


def usage_text() -> str:
    """`help simulate` (the top level's entry: the level class is not needed for it)."""
    from crmshell.ui.help import command_help
    from crmshell.ui.level import Level

    return command_help(Level, "simulate") + "\n"


def main(args: list[str], *, cib_file: str | None = None) -> int:
    from daemon.cib.errors import CibError
    from daemon.scheduler import SchedulerError

    from crmshell.errors import ShellError
    try:
        opts = parse_args(list(args))
    except SimulateUsage as err:
        sys.stderr.write(f"crmshell simulate: {err}\n(see 'crmshell simulate --help')\n")
        return 2
    if opts.help:
        sys.stdout.write(usage_text())
        return 0
    try:
        lines = run(opts, cib_file=cib_file)
    except (SchedulerError, OSError, ShellError, CibError) as err:  # bad input, unknown rsc
        sys.stderr.write(f"crmshell simulate: {err}\n")
        return 1
    except Exception as err:  # a scheduler bug: say so plainly instead of a traceback
        sys.stderr.write(f"crmshell simulate: internal error while scheduling "
                         f"{opts.xml_file}: {err!r} (please report it with the file)\n")
        return 1
    if lines:
        sys.stdout.write("\n".join(lines) + "\n")
    return 0


def _load(path: str, whole: bool):
    """The input CIB; `whole` keeps every attribute of the history (the file is saved
    again), otherwise the scheduler's slimmed reading."""
    from daemon.scheduler.cib_xml import load_cib, parse_cib_text
    if path == "-":
        return parse_cib_text(sys.stdin.buffer.read(), "<stdin>")
    if whole:
        from daemon.scheduler.errors import CibInputError
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise CibInputError(f"{path}: cannot read: {exc.strerror or exc}") from None
        return parse_cib_text(data, path)
    return load_cib(path)


def _session_cib(cib_file: str | None):
    """The CIB of `-L`: what the shell would work on (a file, a shadow, the live cluster)."""
    import os

    from crmshell.cib.choose import Where, session_source

    return session_source(Where(cib_file=cib_file), os.environ).load().root


def _saves(opts: SimulateOptions) -> bool:
    return bool(opts.save_input or opts.save_output or opts.in_place)


def run(opts: SimulateOptions, *, cib_file: str | None = None, cib=None) -> list[str]:
    """Everything the command prints, as lines, after writing the files it was asked to
    save; `cib` is the input already loaded (the shell's -L), else it is read."""
    if cib is None:
        cib = _session_cib(cib_file) if opts.live else _load(opts.xml_file, _saves(opts))
    report = simulate_report(cib, opts, int(time.time()))
    save_files(report, opts)
    return report.lines


def save_files(report: Report, opts: SimulateOptions) -> None:
    """-I, -O, -X, -G and -D: atomically, new files following the umask.

    The writing helpers are imported only when there is something to write: they bring in
    pathlib and tempfile, a tenth of a plain `simulate -S` run's start-up."""
    if not (_saves(opts) or opts.save_graph or opts.save_dotfile):
        return
    from daemon.cib.persist import current_umask, write_cib_file, write_file_atomically

    for path, cib in ((opts.save_input, report.input_cib), (opts.save_output, report.output_cib),
                      (opts.xml_file if opts.in_place else None, report.output_cib)):
        if path:
            write_cib_file(path, cib)
    for path, text in ((opts.save_graph, report.graph), (opts.save_dotfile, report.dot)):
        if path and text is not None:
            write_file_atomically(path, text.encode(), new_mode=0o666 & ~current_umask())
