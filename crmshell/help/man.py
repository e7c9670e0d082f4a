"""The crmshell(1) man page, generated from the same help texts as `help` and `--help`.

    python -m crmshell.help.man [OUTPUT]     (standard output without OUTPUT)

The page is generated at build or test time, not kept in the repository.
"""

from __future__ import annotations

import sys
from datetime import date

from crmshell.help import Entry, load_help

HEADER = """\
.TH CRMSHELL 1 "{date}" "crmshell {version}" "User Commands"
.SH NAME
crmshell \\- a crmsh-compatible shell for Pacemaker-style high-availability clusters
.SH SYNOPSIS
.B crmshell
[\\fIOPTIONS\\fR] [\\fILEVEL\\fR ...] [\\fICOMMAND\\fR [\\fIARGS\\fR ...]]
.br
.B crmshell
[\\fIOPTIONS\\fR] \\fB\\-f\\fR \\fIFILE\\fR
.SH OPTIONS
.TP
\\fB\\-f\\fR, \\fB\\-\\-file\\fR \\fIFILE\\fR
run the commands in FILE as a batch ('\\-' reads standard input)
.TP
\\fB\\-\\-cib\\-file\\fR \\fIPATH\\fR
work on the CIB in PATH instead of the live cluster (as CIB_file=PATH)
.TP
\\fB\\-F\\fR, \\fB\\-\\-force\\fR
do not ask; commit even when verify finds errors
.TP
\\fB\\-h\\fR, \\fB\\-\\-help\\fR
show help and exit (after a command: that command's help)
.TP
\\fB\\-\\-version\\fR
show the version and exit
"""

FOOTER = """\
.SH FILES
.TP
\\fI$XDG_CONFIG_HOME/crmshell/options\\fR
preferences set with the options level
.TP
\\fI$XDG_STATE_HOME/crmshell/history\\fR
the interactive shell's history
.SH ENVIRONMENT
CIB_file, CIB_shadow, CIB_shadow_dir, EDITOR, NO_COLOR, OCF_ROOT.
.SH "SEE ALSO"
crm(8), crm_verify(8), crm_simulate(8)
"""


def roff(text: str) -> str:
    """Escape text for roff: backslashes, leading dots and quotes, dashes."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text[:1] in (".", "'") else text


def _entry(entry: Entry, usage: list[str], heading: str) -> list[str]:
    lines = [".TP", f"\\fB{roff(heading)}\\fR"]
    for u in usage:
        lines += [f"\\fI{roff(u)}\\fR", ".br"]
    lines.append(roff(entry.summary))
    for paragraph in entry.description:
        lines += [".IP", roff(paragraph)]
    if entry.examples:
        lines += [".IP", "Example:", ".nf"] + [f"    {roff(e)}" for e in entry.examples] + [".fi"]
    return lines


def man_page(today: date | None = None) -> str:
    from crmshell import __version__
    from crmshell.levels.root import RootLevel
    from crmshell.ui.help import entry_for

    data = load_help()
    out = [HEADER.format(date=(today or date.today()).isoformat(), version=__version__).rstrip()]
    top = data.entry("", ".")
    out += [".SH DESCRIPTION", roff(top.summary)] + [x for p in top.description
                                                      for x in (".PP", roff(p))]
    out += [".SH NAVIGATION"]
    for name in ("cd", "up", "ls", "help", "quit"):
        entry = data.entry("", name)
        out += _entry(entry, entry.usage, ", ".join(entry.names))
    levels = [("", RootLevel)] + sorted(RootLevel.sublevels.items())
    for name, level in levels:
        if not name:
            continue
        entry = data.entry(name, ".")
        out += [f".SH \"{name.upper()} LEVEL\"", roff(entry.summary)]
        out += [x for p in entry.description for x in (".PP", roff(p))]
        for spec in sorted(level.commands().values(), key=lambda s: s.name):
            sub = entry_for(level, spec.name)
            if sub is None or sub.name != spec.name:
                continue  # aliases are listed with the command they alias
            out += _entry(sub, sub.usage or [spec.usage], ", ".join(sub.names))
    out += [".SH TOPICS"]
    for entry in data.topics.values():
        out += [".SS " + roff(entry.summary)] + [x for p in entry.description
                                                 for x in (".PP", roff(p))]
        if entry.examples:
            out += [".PP", ".nf"] + [f"    {roff(e)}" for e in entry.examples] + [".fi"]
    out.append(FOOTER.rstrip())
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = man_page()
    if args:
        with open(args[0], "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
