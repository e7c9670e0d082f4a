"""`complete(level_path, line, cursor, env)`: candidates for the word at the cursor.

The line is split tolerantly (an open quote runs to the end), then walked the way the walker
runs it: level names descend, the first other word is a command, and what follows is that
command's arguments. Definitions at `configure` go to the grammar (`definitions.py`); other
commands name their arguments' kinds in `@command(completers=..., repeating=...)`.
"""

from __future__ import annotations

import re
from typing import Sequence

from crmshell.completion import definitions
from crmshell.completion import kinds as k
from crmshell.completion.env import CompletionEnv
from crmshell.completion.matchers import (agent_meta, attribute_specs, candidates,
                                          describe_attribute)
from crmshell.errors import ShellError, swallowed
from crmshell.ui.walker import NAVIGATION, resolve_word
from crmshell.ui.words import Word, split_words


_NEEDS_QUOTES = re.compile(r"[\s\"'\\]")


class Place:
    """Where the cursor is: the level, the command (if any) or navigation word, the complete
    words from the command on, and the word being typed with its start offset."""

    __slots__ = ("level", "spec", "nav", "args", "word", "start")

    def __init__(self, level: type, spec, nav: str | None, args: list[str], word: str,
                 start: int) -> None:
        self.level, self.spec, self.nav, self.args = level, spec, nav, args
        self.word, self.start = word, start


def locate(level_path: Sequence[str], line: str, cursor: int, env: CompletionEnv
           ) -> Place | None:
    before = line[:cursor].replace("\\\n", "  ")
    words = split_words(before, tolerant=True)
    if words and words[-1].end == len(before):
        current: Word | None = words[-1]
        done = words[:-1]
    else:
        current, done = None, words
    word = current.text if current else ""
    start = current.start if current else len(before)
    level = _level_at(env.root, level_path)
    if level is None:
        return None
    for i, w in enumerate(done):
        names = [*level.lookup_names(), *NAVIGATION]
        try:
            name = resolve_word(w.text, names).name
        except ShellError:
            return None
        rest = [x.text for x in done[i + 1:]]
        if name in NAVIGATION:
            return Place(level, None, name, rest, word, start)
        canonical = level.lookup_names()[name]
        if canonical in level.sublevels:
            level = level.sublevels[canonical]
            continue
        return Place(level, level.commands()[canonical], None, [x.text for x in done[i:]],
                     word, start)
    return Place(level, None, None, [], word, start)


def _level_at(root: type, path: Sequence[str]):
    level = root
    for name in path:
        if name not in level.sublevels:
            return None
        level = level.sublevels[name]
    return level


def kinds_at(place: Place, env: CompletionEnv) -> list:
    if place.nav is not None:
        return _navigation_kinds(place, env.root)
    spec = place.spec
    if spec is None:
        return [_names_here(place.level)]
    if "--help" in place.args[1:]:
        return []
    if spec.raw:
        return definitions.suggest(env.grammar(), [spec.name, *place.args[1:]], place.word)
    args = place.args[1:]
    n = len(args)
    kind = spec.completers[n] if n < len(spec.completers) else spec.repeating
    if isinstance(kind, k.Then):
        kind = kind(args)
    if kind is None:
        return []
    return list(kind) if isinstance(kind, (list, tuple)) else [kind]


def _names_here(level: type) -> k.Choice:
    items = [(name, f"level: {cls.summary}") for name, cls in sorted(level.sublevels.items())]
    specs = level.commands()
    for spec in sorted(specs.values(), key=lambda s: s.name):
        items.append((spec.name, spec.summary))
        items.extend((alias, f"{spec.summary} (alias of {spec.name})") for alias in spec.aliases)
    for name, text in NAVIGATION.items():
        if name not in specs and name not in level.sublevels:
            items.append((name, text.split(": ", 1)[1]))
    return k.Choice(tuple(items))


def _navigation_kinds(place: Place, root: type) -> list:
    if place.nav == "cd" and not place.args:
        return [_level_paths(place.level, place.word)]
    if place.nav == "help":
        return _help_kinds(place, root)
    return []


def _help_kinds(place: Place, root: type) -> list:
    """`help <Tab>`: this level's names, the top's levels and the topics; after a level's
    name (`help configure <Tab>`, from any level, as help reads it) that level's names."""
    from crmshell.ui.help import topic_names

    level = place.level
    for i, word in enumerate(place.args):
        if i == 0 and word not in level.lookup_names() and word in root.sublevels:
            level = root
        canonical = level.lookup_names().get(word)
        if canonical not in level.sublevels:
            return []
        level = level.sublevels[canonical]
    items = [(name, f"level: {cls.summary}") for name, cls in sorted(level.sublevels.items())]
    items += [(s.name, s.summary) for s in sorted(level.commands().values(),
                                                   key=lambda s: s.name)]
    if not place.args:
        seen = {name for name, _text in items}
        items += [(name, f"level: {cls.summary}") for name, cls in sorted(root.sublevels.items())
                  if name not in seen]
        items += [(name, "topic") for name in topic_names()]
    return [k.Choice(tuple(items))]


def _level_paths(level: type, word: str) -> k.Choice:
    """Sub-levels of the level the typed path leads to (`cd configure/` -> `configure/cib`)."""
    head, _sep, _last = word.rpartition("/")
    target = level
    for part in [p for p in head.split("/") if p and p != ".."]:
        target = target.sublevels.get(part)
        if target is None:
            return k.Choice(())
    prefix = head + "/" if _sep else ""
    items = [(prefix + name, f"level: {cls.summary}") for name, cls in sorted(target.sublevels.items())]
    if not _sep:
        items += [("..", "the level above"), ("/", "the top level")]
    return k.Choice(tuple(items))


def complete(level_path: Sequence[str], line: str, cursor: int, env: CompletionEnv, *,
             limit: int | None = None) -> list[k.Candidate]:
    """Candidates for the word ending at `cursor` of `line`, typed at `level_path`
    (`[]` for the top level, `["configure"]`, ...); each replaces `line[start:cursor]`.
    `limit` stops after that many (a menu of 28,000 ids helps nobody; typing more does)."""
    place = locate(level_path, line, cursor, env)
    if place is None:
        return []
    seen: set[str] = set()
    out: list[k.Candidate] = []
    start = place.start
    for kind in kinds_at(place, env):
        for cand in candidates(kind, place.word, env):
            if cand.text not in seen:
                seen.add(cand.text)
                text = cand.text
                if _NEEDS_QUOTES.search(text):  # a value or file name with blanks or quotes
                    from crmshell.session import quote_word

                    text = quote_word(text)
                out.append(k.Candidate(text, cand.display, cand.meta, start))
                if limit is not None and len(out) >= limit:
                    return out
    return out


def describe(level_path: Sequence[str], line: str, cursor: int, env: CompletionEnv) -> str:
    """One line about what is being typed, for the toolbar: the parameter's description, or
    the command's usage."""
    place = locate(level_path, line, cursor, env)
    if place is None:
        return ""
    for kind in kinds_at(place, env):
        if isinstance(kind, (k.Attributes, k.AttrValue)):
            name = place.word.partition("=")[0]
            try:
                rows = [r for r in attribute_specs(kind.domain, env) if r[0] == name]
            except Exception as err:  # noqa: BLE001 - the toolbar must never break typing
                swallowed(err, f"describing the attribute {name!r} for the toolbar")
                rows = []
            if rows:
                return f"{name}: {describe_attribute(rows[0])}"
        if isinstance(kind, k.OpNames) and place.word:
            try:
                meta = agent_meta(kind.agent, env)
            except Exception as err:  # noqa: BLE001 - likewise
                swallowed(err, f"reading the meta-data of {kind.agent} for the toolbar")
                meta = None
            action = meta.action(place.word) if meta is not None else None
            if action is not None:
                return "op " + " ".join(f"{n}={v}" for n, v in action.attrs)
    spec = place.spec
    if spec is not None:
        from crmshell.ui.help import entry_for

        entry = entry_for(place.level, spec.name)
        return f"usage: {entry.usage[0] if entry and entry.usage else spec.usage}"
    return ""
