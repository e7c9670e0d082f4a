"""The crmshell(1) man page, generated from the same help texts as `help` and `--help`.

    python -m crmshell.help.man [OUTPUT]     (standard output without OUTPUT)

The page is generated at build or test time, not kept in the repository.
"""

from __future__ import annotations

import sys
from datetime import date

from crmshell.help import Block, Terms, load_help
from crmshell.ui.help import NAVIGATION_NAMES, CommandDoc

HEADER = """\
.TH CRMSHELL 1 "{date}" "crmshell {version}" "User Commands"
.SH NAME
crmshell \\- {summary}
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
CIB_file, CIB_shadow, CIB_shadow_dir, CRMSHELL_SOCKET, EDITOR, VISUAL, NO_COLOR, OCF_ROOT,
XDG_CONFIG_HOME, XDG_STATE_HOME.
.SH "SEE ALSO"
crm(8), crm_verify(8), crm_simulate(8)
"""


def roff(text: str) -> str:
    """Escape text for roff: backslashes, leading dots and quotes, dashes."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text[:1] in (".", "'") else text


def _blocks(blocks: list[Block]) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Terms):
            lines += [".PP", f"\\fB{roff(block.heading)}:\\fR"]
            for term, text in block.items:
                lines += [".TP", f"\\fB{roff(term)}\\fR", roff(text)]
        else:
            lines += [".PP", roff(block)]
    return lines


def _examples(examples: list[str]) -> list[str]:
    if not examples:
        return []
    return [".PP", "Example:", ".RS", ".nf", *(roff(e) for e in examples), ".fi", ".RE"]


def _see_also(names: list[str]) -> list[str]:
    return [".PP", "See also: " + roff(", ".join(names)) + "."] if names else []


def command_roff(doc: CommandDoc) -> list[str]:
    """One command's section: what `help` prints for it, as roff."""
    lines = [f".SS \"{roff(', '.join(doc.names))}\"", ".nf",
             *(f"\\fB{roff(u)}\\fR" for u in doc.usage), ".fi", ".PP", roff(doc.summary)]
    lines += _blocks(doc.description)
    lines += [x for note in doc.notes for x in (".PP", roff(note))]
    lines += _examples(doc.examples)
    lines += _see_also(doc.see_also)
    return lines


def _commands_roff(level) -> list[str]:
    from crmshell.ui.help import command_doc

    out: list[str] = []
    for spec in sorted(level.commands().values(), key=lambda s: s.name):
        doc = command_doc(level, spec.name)
        if doc.name == spec.name:  # aliases are listed with the command they alias
            out += command_roff(doc)
    return out


def man_page(today: date | None = None) -> str:
    from crmshell import __version__
    from crmshell.levels.root import RootLevel
    from crmshell.ui.help import command_doc

    data = load_help()
    top = data.entry("", ".")
    summary = top.summary[:1].lower() + top.summary[1:].rstrip(".")
    out = [HEADER.format(date=(today or date.today()).isoformat(), version=__version__,
                         summary=roff(summary)).rstrip()]
    out += [".SH SYNOPSIS", ".nf", *(f"\\fB{roff(u)}\\fR" for u in top.usage), ".fi"]
    options = [b for b in top.description if isinstance(b, Terms) and b.heading == "options"]
    out += [".SH DESCRIPTION", roff(top.summary)]
    out += _blocks([b for b in top.description if b not in options]) + _examples(top.examples)
    out += [".SH OPTIONS"] + [x for block in options for term, text in block.items
                              for x in (".TP", f"\\fB{roff(term)}\\fR", roff(text))]
    out += [".SH NAVIGATION"]
    for name in NAVIGATION_NAMES:
        out += command_roff(command_doc(RootLevel, name))
    commands = _commands_roff(RootLevel)
    if commands:
        out += [".SH COMMANDS", "Commands of the top level."] + commands
    for name, level in sorted(RootLevel.sublevels.items()):
        entry = data.entry(name, ".")
        out += [f".SH \"{name.upper()} LEVEL\"", roff(entry.summary)]
        out += _blocks(entry.description) + _examples(entry.examples) + _see_also(entry.see_also)
        out += _commands_roff(level)
    out += [".SH TOPICS"]
    for entry in data.topics.values():
        out += [".SS " + roff(entry.summary)] + _blocks(entry.description)
        out += _examples(entry.examples) + _see_also(entry.see_also)
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
