"""The words the walker resolves: navigation commands, and exact-or-unique-prefix matching.

Kept apart from the walker so that help and completion, which the walker itself calls, can
use them without importing it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from crmshell.errors import ShellError

NAVIGATION = {
    "cd": "cd [<level>|..|/]: go to a level",
    "up": "up: go up one level",
    "end": "end: go up one level (alias of up)",
    "back": "back: go up one level (alias of up)",
    "ls": "ls: list the commands and levels here",
    "help": "help [<topic>]: show help",
    "quit": "quit: leave the shell",
    "exit": "exit: leave the shell (alias of quit)",
    "bye": "bye: leave the shell (alias of quit)",
}


# Words pcs users type out of habit, with what does it here (`resource create`,
# `constraint ...`, `property set`, `stonith list`).
PCS_WORDS = {
    "create": "define it with 'configure primitive <id> <class>:<provider>:<type> params ...'",
    "constraint": "constraints are defined with 'configure location|colocation|order ...'",
    "property": "cluster options are set with 'configure property <name>=<value>'",
    "set": "cluster options are set with 'configure property <name>=<value>'",
    "stonith": "fence agents are listed with 'ra list stonith', devices defined with "
               "'configure primitive <id> stonith:<agent> ...'",
}


@dataclass(frozen=True)
class Resolved:
    name: str
    expanded_from: str | None  # the prefix the user typed, when it was expanded


def resolve_word(word: str, names: list[str], what: str = "command") -> Resolved:
    if word in names:
        return Resolved(word, None)
    matches = sorted({n for n in names if n.startswith(word)})
    if len(matches) == 1:
        return Resolved(matches[0], word)
    if len(matches) > 1:
        raise ShellError(f"'{word}' is ambiguous: it could be {', '.join(matches)}")
    if word in PCS_WORDS:
        raise ShellError(f"unknown {what} '{word}' (that is pcs): {PCS_WORDS[word]}")
    # 0.75, not difflib's 0.6: at 0.6 'create' proposes 'migrate', which only misleads
    close = difflib.get_close_matches(word, names, n=3, cutoff=0.75)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise ShellError(f"unknown {what} '{word}'{hint}")
