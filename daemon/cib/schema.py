"""Validating a CIB against our own schema, `grammars/cib.rng`.

libxml2's RelaxNG validator decides: a document it accepts has no problems, and that
check is fast (about 0.5 s for a 100 MB CIB, status section included). Only when it
refuses a document do we work out what to tell the user: the model of the grammar
(`schema_model`) names every violation it can see, in document order, and the RelaxNG
errors it cannot explain are reported too, translated, at the deepest element they name.

The compiled schema is loaded once per process (`default_schema`) and is read-only after
that. A `CibSchema` is not meant to be shared between threads: lxml keeps the last error
log on the validator.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from daemon.cib.document import LAST_EXACT_LINE
from daemon.cib.errors import CibError
from daemon.cib.paths import element_path
from daemon.cib.schema_model import ElementModel, ModelBuilder, walk

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "grammars" / "cib.rng"


@dataclass(frozen=True, order=True)
class SchemaProblem:
    """One violation: where (path, and line when the parser kept it exactly) and what."""

    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path} (line {self.line})"
        return f"{where}: {self.message}"


class CibSchema:
    """The compiled grammar and its model; build once, use for many documents."""

    def __init__(self, path: Path = SCHEMA_PATH) -> None:
        try:
            grammar = etree.parse(str(path))
            self._relaxng = etree.RelaxNG(grammar)
        except (OSError, etree.XMLSyntaxError, etree.RelaxNGParseError) as err:
            raise CibError(f"{path}: cannot load the CIB schema: {err}") from None
        self._models: dict[str, ElementModel] = ModelBuilder(grammar.getroot()).root_models()

    def validate(self, root: etree._Element) -> list[SchemaProblem]:
        """Every problem found in the document, in document order; [] when it is valid."""
        if self._relaxng.validate(root):
            return []
        errors = list(self._relaxng.error_log)
        found: dict[etree._Element, list[str]] = {}
        for elem, message in walk(root, self._models):
            found.setdefault(elem, []).append(message)
        for elem, message in _deepest_relaxng_errors(root, errors):
            if not _explained(elem, found):
                found.setdefault(elem, []).append(message)
        if not found:
            found[root] = ["the document does not fit the CIB schema"]
        order = {elem: index for index, elem in enumerate(root.iter()) if elem in found}
        return [
            _problem(elem, message)
            for elem in sorted(found, key=order.__getitem__)
            for message in dict.fromkeys(found[elem])
        ]


@functools.cache
def default_schema() -> CibSchema:
    """The schema in grammars/cib.rng, compiled on first use and kept for the process."""
    return CibSchema()


def validate(root: etree._Element) -> list[SchemaProblem]:
    """Validate a CIB document with the default schema (see CibSchema.validate)."""
    return default_schema().validate(root)


def _problem(elem: etree._Element, message: str) -> SchemaProblem:
    line = elem.sourceline
    exact = line if line is not None and 0 < line <= LAST_EXACT_LINE else None
    return SchemaProblem(exact, element_path(elem), message)


# libxml2's RelaxNG messages, reworded; anything else is passed on as it is.
_REWORDINGS = [
    (re.compile(r"Element (\S+) failed to validate attributes"),
     "element '{0}': this combination of attributes is not allowed"),
    (re.compile(r"Element (\S+) failed to validate content"),
     "element '{0}': its content does not fit the schema"),
    (re.compile(r"Invalid attribute (\S+) for element (\S+)"),
     "element '{1}': attribute '{0}' is not allowed (here, or together with the others)"),
    (re.compile(r"Did not expect element (\S+) there"), "element '{0}' is not allowed here"),
    (re.compile(r"Element (\S+) has extra content: (\S+)"),
     "element '{0}': its content does not fit the schema (at element '{1}')"),
    (re.compile(r"Expecting an element (\S+), got nothing"), "element '{0}' is required here"),
    (re.compile(r"Expecting element (\S+), got (\S+)"), "expected element '{0}', found '{1}'"),
    (re.compile(r"Extra element (\S+) in interleave"), "element '{0}' is not allowed here, or not again"),
]


def _reword(message: str) -> str:
    for pattern, template in _REWORDINGS:
        match = pattern.fullmatch(message.strip())
        if match:
            return template.format(*match.groups())
    return message.strip()


def _deepest_relaxng_errors(root: etree._Element, errors: list) -> list[tuple[etree._Element, str]]:
    """The RelaxNG errors that name an element, minus those on ancestors of another.

    libxml2 gives the path of the node where matching failed, and names in the message
    the element whose content or attributes failed, which may be an ancestor of that node
    ("Element primitive failed to validate content" comes with the path of its
    <operations>): the error is placed on the element the message names.
    """
    located = []
    tree = root.getroottree()
    for error in errors:
        if not error.path:
            continue
        try:
            matches = tree.xpath(error.path)
        except etree.XPathError:
            continue
        if not matches or not isinstance(matches[0], etree._Element):
            continue
        elem = matches[0]
        named = _NAMED_ELEMENT.match(error.message.strip())
        if named:
            elem = next((e for e in _self_and_ancestors(elem) if e.tag == named.group(1)), elem)
        located.append((elem, _reword(error.message)))
    ancestors = {a for elem, _ in located for a in elem.iterancestors()}
    return [(elem, message) for elem, message in located if elem not in ancestors]


_NAMED_ELEMENT = re.compile(r"Element (\S+) (?:failed to validate|has extra content)")


def _self_and_ancestors(elem: etree._Element):
    yield elem
    yield from elem.iterancestors()


def _explained(elem: etree._Element, found: dict[etree._Element, list[str]]) -> bool:
    """Whether the model already reported something at, inside or above this element."""
    if elem in found:
        return True
    if any(ancestor in found for ancestor in elem.iterancestors()):
        return True
    return any(descendant in found for descendant in elem.iterdescendants())
