"""The shell-completion entry point: `crmshell --complete bash|zsh POINT LINE`.

bash and zsh call this once per Tab with the whole command line and the cursor offset. It loads
only what the answer needs: no prompt_toolkit, no lark (the grammar's table is cached as plain
data), lxml only when the CIB must be read for ids or node names, an agent's meta-data only
from the on-disk cache when it is there. It prints one candidate per line: for bash, each
trimmed to the part after the last of bash's word-break characters (bash splits `ocf:heartbeat`
at the colons), for zsh `candidate<TAB>description`.
"""

from __future__ import annotations

import os
import sys
from typing import Sequence

from crmshell.ui.words import split_words

# Options of the crmshell command and whether each takes a value.
OPTIONS = {"-f": True, "--file": True, "--cib-file": True, "-F": False, "--force": False,
           "-h": False, "--help": False, "--version": False}
_OPTION_HELP = {"-f": "run the commands in a file as a batch", "--file": "run a batch file",
                "--cib-file": "work on a CIB file", "-F": "do not ask; force commits",
                "--force": "do not ask; force commits", "-h": "help", "--help": "help",
                "--version": "show the version"}
BASH_BREAKS = "\"'><=;|&(:"


def candidates_for(line: str, point: int, env: dict[str, str]):
    """(candidates, the word being typed as written) for a whole command line."""
    from crmshell.completion import kinds as k
    from crmshell.completion.env import ContextEnv
    from crmshell.completion.matchers import candidates
    from crmshell.completion.suggest import complete

    before = line[:point]
    words = split_words(before, tolerant=True)
    typing = bool(words) and words[-1].end == len(before)
    current_start = words[-1].start if typing else len(before)
    i, cib_file = 1, None
    while i < len(words):
        word = words[i]
        if word.start >= current_start:  # the word being typed is an option
            if word.text.startswith("-"):
                found = list(candidates(k.Choice(tuple(_OPTION_HELP.items())), word.text, None))
                return [k.Candidate(c.text, c.display, c.meta, word.start) for c in found], word.text
            break
        name, eq, value = word.text.partition("=")
        if name not in OPTIONS:
            break
        if OPTIONS[name] and not eq:
            i += 1
            if i < len(words) and words[i].start >= current_start:  # typing the option's value
                cur = words[i].text
                found = list(candidates(k.FilePaths(stdin=name != "--cib-file"), cur,
                                        _FileOnlyEnv()))
                return [k.Candidate(c.text, c.display, c.meta, words[i].start)
                        for c in found], cur
            value = words[i].text if i < len(words) else ""
        if name == "--cib-file":
            cib_file = value
        elif name in ("-f", "--file"):
            return [], ""  # a batch: nothing to complete after it
        i += 1
    offset = words[i].start if i < len(words) else len(before)
    ctx = _context(cib_file, env)
    found = complete([], before[offset:], point - offset, ContextEnv(ctx))
    typed = before[current_start:] if typing else ""
    return [k.Candidate(c.text, c.display, c.meta, c.start + offset) for c in found], typed


class _FileOnlyEnv:
    def list_dir(self, path: str):
        from crmshell.completion.env import list_dir

        return list_dir(path)


def _context(cib_file: str | None, env: dict[str, str]):
    from crmshell.ui.context import Options, ShellContext

    return ShellContext(options=Options(cib_file=cib_file), env=env)


def bash_words(cands, line: str, breaks: str = BASH_BREAKS) -> list[str]:
    """What bash should put in COMPREPLY: each candidate without the part of the word that
    bash already split off at a word-break character."""
    out: list[str] = []
    for cand in cands:
        raw = line[cand.start:]
        cut = max((raw.rfind(ch) for ch in breaks), default=-1) + 1
        if cand.text.startswith(raw[:cut]):
            out.append(cand.text[cut:])
    return out


def main(args: Sequence[str]) -> int:
    if len(args) != 3 or args[0] not in ("bash", "zsh"):
        sys.stderr.write("usage: crmshell --complete bash|zsh POINT LINE\n")
        return 2
    shell, point_text, line = args
    try:
        point = min(int(point_text), len(line))
    except ValueError:
        point = len(line)
    env = dict(os.environ)
    try:
        cands, _typed = candidates_for(line, point, env)
    except Exception as err:  # noqa: BLE001 - a traceback under the user's Tab garbles the line
        from crmshell.errors import swallowed

        swallowed(err, f"completing {line[:point]!r}")
        return 1
    if shell == "bash":
        breaks = env.get("CRMSHELL_WORDBREAKS", BASH_BREAKS)
        lines = bash_words(cands, line[:point], breaks)
    else:
        lines = [f"{c.text}\t{c.meta}" for c in cands]
    sys.stdout.write("".join(f"{text}\n" for text in lines))
    return 0
