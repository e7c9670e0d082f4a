"""A contextual lexer over shell words, driven by the LALR parse table.

lark's own lexers scan characters; crmsh's language is made of shell words, where quoting can
put anything inside a word and the same word is a keyword in one place and a resource name in
another. So the lexer works a word at a time: it asks the parse table which terminals can come
next and gives the word the first one whose pattern matches the whole word (keywords first,
then regular expressions by falling priority). "Can come next" is checked exactly, by running
the parser's reductions on a copy of the state stack, so LALR's merged look-aheads never make
a word a keyword where the parser would then reject it.

The same table answers "what would fit here?" for error messages and completion.
"""

from __future__ import annotations

import re
from typing import Iterator

from lark import Token
from lark.lexer import Lexer, LexerState, PatternStr

from crmshell.lang.words import Word

END = "$END"
# Words that open or close resource sets may be glued to a name, as in "(d1" or "d2)".
_OPENERS = {"(": "LPAR", "[": "LSQB"}
_CLOSERS = {")": "RPAR", "]": "RSQB"}
# The one keyword that needs to see the next word: `select attributes { ... }`.
_LOOKAHEAD_KEYWORDS = {"SELECT_ATTRIBUTES": ("attributes", "{")}


class WordInput:
    """What the parser is fed: the words of one logical statement, plus the statement text.

    `partial` input (what completion sees: a statement still being typed) may stop anywhere;
    a complete one must end where the grammar allows.
    """

    __slots__ = ("words", "text", "partial")

    def __init__(self, words: list[Word], text: str, *, partial: bool = False) -> None:
        self.words = words
        self.text = text
        self.partial = partial


class Unacceptable(Exception):
    """No terminal that fits here matches this word (or the statement ends too early).

    Not a lark exception on purpose: it carries the state stack as it was before the word,
    so "expected" is computed where the user's word was, not after half a reduction.
    """

    def __init__(self, word: Word | None, stack: list, candidates: list[str]) -> None:
        super().__init__("unacceptable word")
        self.word = word
        self.stack = stack
        self.candidates = candidates


class _StateInfo:
    __slots__ = ("keywords", "patterns", "terminals", "xml", "brackets", "splits_closers")

    def __init__(self, keywords, patterns, terminals, xml, brackets, splits_closers) -> None:
        self.keywords = keywords
        self.patterns = patterns
        self.terminals = terminals
        self.xml = xml
        self.brackets = brackets
        self.splits_closers = splits_closers


class WordLexer(Lexer):
    """lark custom lexer (interface 2): `lex(lexer_state, parser_state)` over a WordInput."""

    __future_interface__ = 2

    def __init__(self, lexer_conf) -> None:
        self.keyword_text: dict[str, str] = {}
        self.patterns: dict[str, re.Pattern] = {}
        self.priority: dict[str, int] = {}
        for term in lexer_conf.terminals:
            if isinstance(term.pattern, PatternStr):
                self.keyword_text[term.name] = term.pattern.value.lower()
            else:
                self.patterns[term.name] = re.compile(term.pattern.to_regexp())
                self.priority[term.name] = term.priority
        self._states: dict = {}

    # -- the parse table ------------------------------------------------------------------
    def _info(self, states, state) -> _StateInfo:
        info = self._states.get(state)
        if info is not None:
            return info
        actions = states[state]
        terminals = [t for t in actions if t in self.keyword_text or t in self.patterns or t == END]
        keywords: dict[str, list[str]] = {}
        for name in terminals:
            if name in self.keyword_text and name not in _LOOKAHEAD_KEYWORDS:
                keywords.setdefault(self.keyword_text[name], []).append(name)
        regexes = sorted((t for t in terminals if t in self.patterns and t not in _LOOKAHEAD_KEYWORDS),
                         key=lambda t: (-self.priority[t], t))
        patterns = [(t, self.patterns[t]) for t in regexes if t != "XML_DATA"]
        brackets = {ch: name for ch, name in _OPENERS.items() if name in actions}
        info = _StateInfo(keywords, patterns, terminals, "XML_DATA" in actions, brackets,
                          "RSET_RSC" in actions)
        self._states[state] = info
        return info

    @staticmethod
    def can_shift(parse_conf, stack: list, term: str) -> bool:
        """Would the parser, in this stack, accept `term` (after any reductions)?"""
        states = parse_conf.states
        action = states[stack[-1]].get(term)
        if action is not None and action[0].name == "Shift":
            return True
        stack = list(stack)
        while True:
            action = states[stack[-1]].get(term)
            if action is None:
                return term == END and stack[-1] == parse_conf.end_state
            kind, arg = action
            if kind.name == "Shift":
                return True
            size = len(arg.expansion)
            if size:
                del stack[-size:]
            goto = states[stack[-1]].get(arg.origin.name)
            if goto is None:
                return False
            stack.append(goto[1])

    def acceptable(self, parse_conf, stack: list) -> list[str]:
        """Every terminal the parser would take next, in the lexer's order of preference."""
        info = self._info(parse_conf.states, stack[-1])
        ordered = sorted(info.terminals, key=self._preference)
        return [t for t in ordered if self.can_shift(parse_conf, stack, t)]

    def _preference(self, name: str) -> tuple:
        if name in self.keyword_text:
            return (0, 0, name)
        if name == END:
            return (2, 0, name)
        return (1, -self.priority.get(name, 0), name)

    # -- lexing ---------------------------------------------------------------------------
    def lex(self, lexer_state: LexerState, parser_state) -> Iterator[Token]:
        source: WordInput = lexer_state.text
        words = source.words
        parse_conf = parser_state.parse_conf
        states = parse_conf.states
        pending: list[Word] = []
        index = 0
        while pending or index < len(words):
            if pending:
                word = pending.pop()
                following = words[index] if index < len(words) else None
            else:
                word = words[index]
                index += 1
                following = words[index] if index < len(words) else None
            stack = parser_state.state_stack
            info = self._info(states, stack[-1])
            if info.xml:
                # as written (crmsh's `load`), or quoted as a shell word (crmsh's prompt)
                data = " ".join(source.text[word.start:].split())
                if not data.startswith("<"):
                    data = " ".join([word.value] + [w.value for w in words[index:]])
                yield _token("XML_DATA", data, word)
                return
            value = word.value
            if len(value) > 1 and value[0] in info.brackets:
                pending.append(Word(value[1:], word.start + 1, word.end))
                yield _token(info.brackets[value[0]], value[0], Word(value[0], word.start, word.start + 1))
                continue
            if len(value) > 1 and value[-1] in _CLOSERS and info.splits_closers:
                pending.append(Word(value[-1], word.end - 1, word.end))
                word = Word(value[:-1], word.start, word.end - 1)
                value = word.value
            name = self._classify(parse_conf, stack, info, word, following)
            yield _token(name, value, word)
        if not source.partial and not self.can_shift(parse_conf, parser_state.state_stack, END):
            raise Unacceptable(None, list(parser_state.state_stack), [])

    def _classify(self, parse_conf, stack, info: _StateInfo, word: Word, following: Word | None) -> str:
        value = word.value
        candidates: list[str] = []
        for name, (text, nxt) in _LOOKAHEAD_KEYWORDS.items():
            if (value.lower() == text and following is not None and following.value == nxt
                    and name in parse_conf.states[stack[-1]]):
                candidates.append(name)
        candidates.extend(info.keywords.get(value.lower(), ()))
        for name, pattern in info.patterns:
            if pattern.fullmatch(value):
                candidates.append(name)
        # Even a lone candidate can be a merged look-ahead that the parser rejects after
        # reducing: checking first keeps "expected" in errors computed before the word.
        for name in candidates:
            if self.can_shift(parse_conf, stack, name):
                return name
        raise Unacceptable(word, list(stack), candidates)


def _token(name: str, value: str, word: Word) -> Token:
    return Token(name, value, start_pos=word.start, end_pos=word.end)
