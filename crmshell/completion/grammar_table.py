"""The grammar's LALR table as plain data, so completion can ask "what may come next?" without
importing lark.

Why: a bash Tab starts a whole process, and importing lark and loading the compiled parser costs
about 50 ms of the 100 ms a Tab may take. The table is taken from the compiled parser itself
(`crmshell.lang.parser.default_parser()`: lark's LALR table and the word lexer's terminals), so
there is still one grammar, `grammars/crm.lark`; it is kept (marshalled) next to lark's own cache
and rebuilt when the grammar changes. `TableParser` runs the table the way the word lexer feeds
lark (a word takes the first terminal that fits, keywords first, then patterns by falling
priority, checked by running the reductions on a copy of the stack); a test holds it to lark's
interactive parser on every prefix of every conformance case.
"""

from __future__ import annotations

import marshal
import os
import re
import sys
import zlib
from pathlib import Path
from typing import Mapping

FORMAT = 2
END = "$END"
GRAMMAR_PATH = Path(__file__).resolve().parents[2] / "grammars" / "crm.lark"
_SHIFT, _REDUCE = 0, 1


class DoesNotFit(Exception):
    """The words typed so far are not a prefix of any definition."""

    def __init__(self, index: int) -> None:
        super().__init__(f"word {index} does not fit")
        self.index = index


class Token:
    """One word (or a bracket split off a word) and the terminal it was read as; `word` is the
    index of the word it came from."""

    __slots__ = ("terminal", "value", "word")

    def __init__(self, terminal: str, value: str, word: int) -> None:
        self.terminal, self.value, self.word = terminal, value, word


class ParseState:
    """The tokens read and the parser's stack after them; `xml`: the rest is raw XML."""

    __slots__ = ("tokens", "stack", "xml")

    def __init__(self, tokens: list[Token], stack: list[int], xml: bool = False) -> None:
        self.tokens, self.stack, self.xml = tokens, stack, xml


class TableParser:
    def __init__(self, data: dict) -> None:
        self.states: list[dict[str, list]] = data["states"]
        self.start: int = data["start"]
        self.end_state: int = data["end"]
        self.keyword_text: dict[str, str] = data["keywords"]
        self.priority: dict[str, int] = data["priority"]
        self._pattern_source: dict[str, str] = data["patterns"]
        self._patterns: dict[str, re.Pattern] = {}
        self.openers: dict[str, str] = data["openers"]
        self.closers: dict[str, str] = data["closers"]
        self.lookahead: dict[str, list[str]] = data["lookahead"]
        self._info: dict[int, tuple] = {}

    # -- the table ---------------------------------------------------------------------
    def pattern(self, name: str) -> re.Pattern:
        pat = self._patterns.get(name)
        if pat is None:
            pat = self._patterns[name] = re.compile(self._pattern_source[name])
        return pat

    def _state_info(self, state: int) -> tuple:
        info = self._info.get(state)
        if info is None:
            actions = self.states[state]
            terms = [t for t in actions if t in self.keyword_text or t in self._pattern_source
                     or t == END]
            keywords: dict[str, list[str]] = {}
            for t in terms:
                if t in self.keyword_text and t not in self.lookahead:
                    keywords.setdefault(self.keyword_text[t], []).append(t)
            regexes = sorted((t for t in terms if t in self._pattern_source
                              and t not in self.lookahead and t != "XML_DATA"),
                             key=lambda t: (-self.priority[t], t))
            brackets = {ch: n for ch, n in self.openers.items() if n in actions}
            info = (terms, keywords, regexes, brackets, "XML_DATA" in actions,
                    "RSET_RSC" in actions)
            self._info[state] = info
        return info

    def can_shift(self, stack: list[int], term: str) -> bool:
        states = self.states
        stack = list(stack)
        while True:
            action = states[stack[-1]].get(term)
            if action is None:
                return term == END and stack[-1] == self.end_state
            if action[0] == _SHIFT:
                return True
            if action[2]:
                del stack[-action[2]:]
            goto = states[stack[-1]].get(action[1])
            if goto is None:
                return False
            stack.append(goto[1])

    def _feed(self, stack: list[int], term: str) -> None:
        states = self.states
        while True:
            action = states[stack[-1]][term]
            if action[0] == _SHIFT:
                stack.append(action[1])
                return
            if action[2]:
                del stack[-action[2]:]
            stack.append(states[stack[-1]][action[1]][1])

    def expected(self, stack: list[int]) -> list[str]:
        """Terminals acceptable next: keywords first, then patterns by priority, $END last."""
        terms = self._state_info(stack[-1])[0]
        ordered = sorted(terms, key=self._preference)
        return [t for t in ordered if self.can_shift(stack, t)]

    def _preference(self, name: str) -> tuple:
        if name in self.keyword_text:
            return (0, 0, name)
        if name == END:
            return (2, 0, name)
        return (1, -self.priority.get(name, 0), name)

    # -- reading words -------------------------------------------------------------------
    def parse(self, words: list[str]) -> ParseState:
        """Read complete words (the one being typed is not among them); DoesNotFit if one
        cannot be read where it stands."""
        stack = [self.start]
        tokens: list[Token] = []
        pending: list[tuple[str, int]] = []
        index = 0
        while pending or index < len(words):
            if pending:
                value, at = pending.pop()
                following = words[index] if index < len(words) else None
            else:
                value, at = words[index], index
                index += 1
                following = words[index] if index < len(words) else None
            _terms, keywords, regexes, brackets, xml, splits = self._state_info(stack[-1])
            if xml:
                tokens.append(Token("XML_DATA", " ".join(words[at:]), at))
                return ParseState(tokens, stack, xml=True)
            if len(value) > 1 and value[0] in brackets:
                pending.append((value[1:], at))
                term = brackets[value[0]]
                self._feed(stack, term)
                tokens.append(Token(term, value[0], at))
                continue
            if len(value) > 1 and value[-1] in self.closers and splits:
                pending.append((value[-1], at))
                value = value[:-1]
            term = self._classify(stack, keywords, regexes, value, following)
            if term is None:
                raise DoesNotFit(at)
            self._feed(stack, term)
            tokens.append(Token(term, value, at))
        return ParseState(tokens, stack)

    def _classify(self, stack, keywords, regexes, value: str, following: str | None) -> str | None:
        candidates: list[str] = []
        for name, (text, nxt) in self.lookahead.items():
            if (value.lower() == text and following == nxt
                    and name in self.states[stack[-1]]):
                candidates.append(name)
        candidates.extend(keywords.get(value.lower(), ()))
        candidates.extend(n for n in regexes if self.pattern(n).fullmatch(value))
        for name in candidates:
            if self.can_shift(stack, name):
                return name
        return None


# -- building and caching -------------------------------------------------------------------
def table_from_parser(parser) -> dict:
    """The plain-data table of a compiled `ConfigureParser`."""
    from crmshell.lang import lexer as word_lexer

    # lark's names may be Token objects (str subclasses) in a freshly built parser: plain
    # str and int only, so the table marshals and means the same either way
    table = parser.lark.parser.parser.parser.parse_table
    states: list[dict] = [dict() for _ in range(max(table.states) + 1)]
    for state, actions in table.states.items():
        row = states[int(state)]
        for term, (action, arg) in actions.items():
            if action.name == "Shift":
                row[str(term)] = [_SHIFT, int(arg)]
            else:
                row[str(term)] = [_REDUCE, str(arg.origin.name), len(arg.expansion)]
    lexer = parser.lexer
    return {
        "format": FORMAT,
        "states": states,
        "start": int(parser.parse_conf.start_state),
        "end": int(parser.parse_conf.end_state),
        "keywords": {str(k): str(v) for k, v in lexer.keyword_text.items()},
        "priority": {str(k): int(v) for k, v in lexer.priority.items()},
        "patterns": {str(name): str(pat.pattern) for name, pat in lexer.patterns.items()},
        "openers": dict(word_lexer._OPENERS),
        "closers": dict(word_lexer._CLOSERS),
        "lookahead": {k: list(v) for k, v in word_lexer._LOOKAHEAD_KEYWORDS.items()},
    }


def _cache_path(env: Mapping[str, str], grammar: bytes) -> Path:
    # crc32 is enough to tell grammar versions apart, and zlib is already loaded (hashlib
    # would cost a Tab a few milliseconds); marshal's format depends on Python's version
    digest = f"{zlib.crc32(grammar):08x}-{FORMAT}-{sys.version_info[0]}{sys.version_info[1]}"
    base = env.get("XDG_CACHE_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"),
                                                     ".cache")
    return Path(base) / "crmshell" / f"completion-table-{digest}.marshal"


def load_table(env: Mapping[str, str]) -> TableParser:
    """The table from the cache, built from the compiled grammar (and cached) when missing."""
    grammar = GRAMMAR_PATH.read_bytes()
    path = _cache_path(env, grammar)
    try:
        with open(path, "rb") as handle:
            data = marshal.load(handle)
        if isinstance(data, dict) and data.get("format") == FORMAT:
            return TableParser(data)
    except (OSError, ValueError, EOFError, TypeError):
        pass
    from crmshell.lang.parser import default_parser

    data = table_from_parser(default_parser())
    _store(path, data)
    return TableParser(data)


def _store(path: Path, data: dict) -> None:
    """Atomically, and quietly: the cache is an optimisation, never an error."""
    from daemon.atomic_write import write_atomically

    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomically(path, marshal.dumps(data))
        for stale in path.parent.glob("completion-table-*"):
            if stale != path:
                stale.unlink(missing_ok=True)
    except (OSError, ValueError):
        pass
