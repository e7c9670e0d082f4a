"""The shell's preferences (the `options` level): editor, pager, colours, output.

Kept as `name = value` lines in `$XDG_CONFIG_HOME/crmshell/options` (else
`~/.config/crmshell/options`), written atomically so a crash never leaves half a file. Unknown
names and bad values in the file are ignored (and dropped on the next save), never an error at
start-up: a shell that cannot start because of a preference would be worse than the preference.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Mapping

OUTPUT_MODES = ("auto", "color", "plain")


@dataclass
class Preferences:
    editor: str = ""  # "" means $EDITOR, else vi
    pager: str = ""  # "" means no pager
    color: str = "default"  # a Pygments style
    output: str = "auto"  # auto: colour on a terminal unless NO_COLOR; color; plain

    def editor_command(self, env: Mapping[str, str]) -> str:
        return self.editor or env.get("EDITOR") or env.get("VISUAL") or "vi"


def config_path(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CONFIG_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"),
                                                      ".config")
    return Path(base) / "crmshell" / "options"


def parse_preferences(text: str) -> Preferences:
    prefs = Preferences()
    known = {f.name for f in fields(Preferences)}
    for line in text.splitlines():
        name, eq, value = line.partition("=")
        name, value = name.strip(), value.strip()
        if not eq or name.startswith("#") or name not in known:
            continue
        if name == "output" and value not in OUTPUT_MODES:
            continue
        setattr(prefs, name, value)
    return prefs


def format_preferences(prefs: Preferences) -> str:
    lines = ["# crmshell preferences (set them with the 'options' level)"]
    lines += [f"{name} = {value}" for name, value in asdict(prefs).items()]
    return "\n".join(lines) + "\n"


def load_preferences(env: Mapping[str, str]) -> Preferences:
    try:
        return parse_preferences(config_path(env).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return Preferences()


def save_preferences(env: Mapping[str, str], prefs: Preferences) -> Path:
    """Write atomically (daemon.atomic_write); OSError is the caller's to report."""
    from daemon.atomic_write import write_atomically

    path = config_path(env)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomically(path, format_preferences(prefs).encode("utf-8"))
    return path


def colour_wanted(prefs: Preferences, env: Mapping[str, str], is_tty: bool) -> bool:
    """Colour on a terminal, unless NO_COLOR (https://no-color.org) or TERM=dumb say no;
    the `output` preference overrides both ways."""
    if prefs.output == "plain":
        return False
    if prefs.output == "color":
        return True
    return is_tty and not env.get("NO_COLOR") and env.get("TERM") != "dumb"
