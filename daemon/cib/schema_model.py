"""A per-element summary of our RelaxNG grammar, to say precisely what is wrong.

libxml2's RelaxNG validator decides well but explains badly ("Element op failed to validate
attributes") and stops at the first bad element. This module reads `grammars/cib.rng`
itself and derives, for each element definition, which attributes it knows, which are
required, which values they take, which children may appear and which must. `explain`
walks a document along that model and reports every violation it can name, e.g.
`element 'op': attribute 'name' is required`.

The model is a summary: where a definition allows alternatives (class="ocf" with a
provider, or another class), it keeps the union of what the branches allow and turns what
every branch requires into "required" and what each branch requires into "one of". What
it cannot see (a forbidden combination of allowed things) the RelaxNG errors still report.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

RNG = "{http://relaxng.org/ns/structure/1.0}"

# How to describe the value a define ending in ".value" stands for.
VALUE_WORDS = {
    "score.value": "a score (an integer, INFINITY, +INFINITY or -INFINITY)",
    "id.value": "an id (an XML name: letters, digits, '.', '-' and '_', not starting with a digit)",
}

_DATATYPES = {
    "integer": (re.compile(r"[+-]?[0-9]+"), "an integer"),
    "nonNegativeInteger": (re.compile(r"\+?[0-9]+"), "a non-negative integer"),
    "positiveInteger": (re.compile(r"\+?0*[1-9][0-9]*"), "a positive integer"),
    "boolean": (re.compile(r"true|false|1|0"), "a boolean (true, false, 1 or 0)"),
    "NCName": (re.compile(r"[A-Za-z_\u00c0-\uffff][\w.\-\u00b7\u00c0-\uffff]*"), "an XML name"),
    "string": (None, "text"),
    "token": (None, "text"),
}


@dataclass
class ValueRule:
    """What an attribute's value may be: literal values, datatypes (with patterns), any text."""

    values: set[str] = field(default_factory=set)
    datatypes: list[tuple[str, re.Pattern[str] | None]] = field(default_factory=list)
    any_text: bool = False
    words: str | None = None  # a description from VALUE_WORDS, when there is one

    def accepts(self, value: str) -> bool:
        if self.any_text or value in self.values:
            return True
        for name, pattern in self.datatypes:
            lexical, _ = _DATATYPES.get(name, (None, ""))
            text = value.strip() if name != "string" else value
            if lexical is not None and not lexical.fullmatch(text):
                continue
            if pattern is not None and not pattern.fullmatch(text):
                continue
            return True
        return False

    def expected(self) -> str:
        if self.words:
            return self.words
        parts = []
        if self.values:
            parts.append("one of " + ", ".join(sorted(self.values, key=str.lower)))
        for name, pattern in self.datatypes:
            words = _DATATYPES.get(name, (None, name))[1]
            parts.append(f"{words} matching {pattern.pattern}" if pattern is not None else words)
        return " or ".join(parts) if parts else "nothing"

    def merge(self, other: ValueRule) -> None:
        self.values |= other.values
        self.datatypes += [d for d in other.datatypes if d not in self.datatypes]
        self.any_text = self.any_text or other.any_text
        if self.words != other.words:
            self.words = None  # the union is more than either description says


@dataclass
class ElementModel:
    """What one element definition allows and requires."""

    name: str
    attributes: dict[str, ValueRule] = field(default_factory=dict)
    required_attributes: set[str] = field(default_factory=set)
    any_attribute_except: set[str] | None = None  # set when any other attribute is allowed
    children: dict[str, ElementModel] = field(default_factory=dict)
    required_children: set[str] = field(default_factory=set)
    alternatives: list[AnyOf] = field(default_factory=list)


@dataclass(frozen=True)
class AllOf:
    """Requirements that must all hold; a label is "attribute 'x'" or "element 'y'"."""

    labels: frozenset[str]
    nested: tuple[AnyOf, ...] = ()

    def met(self, present: set[str]) -> bool:
        return self.labels <= present and all(any_of.met(present) for any_of in self.nested)

    def describe(self) -> str:
        parts = sorted(self.labels) + [f"({n.describe()})" for n in self.nested]
        return " and ".join(parts)


@dataclass(frozen=True)
class AnyOf:
    """Alternatives of which one must hold (a required <choice>)."""

    branches: tuple[AllOf, ...]

    def met(self, present: set[str]) -> bool:
        return any(branch.met(present) for branch in self.branches)

    def flat(self) -> list[AllOf]:
        """The branches, with a branch that is only another choice spliced in."""
        out: list[AllOf] = []
        for branch in self.branches:
            if not branch.labels and len(branch.nested) == 1:
                out += branch.nested[0].flat()
            else:
                out.append(branch)
        return out

    def describe(self) -> str:
        return ", or ".join(branch.describe() for branch in self.flat())


@dataclass
class _Needs:
    """What a pattern requires of its element: labels, and choices between alternatives."""

    all: set[str] = field(default_factory=set)
    any_of: list[AnyOf] = field(default_factory=list)


class ModelBuilder:
    """Reads a RelaxNG grammar (the simple form we write) into ElementModels."""

    def __init__(self, grammar: etree._Element) -> None:
        self.defines = {d.get("name"): d for d in grammar.iter(f"{RNG}define")}
        self.start = grammar.find(f"{RNG}start")
        self._models: dict[etree._Element, ElementModel] = {}

    def root_models(self) -> dict[str, ElementModel]:
        holder = ElementModel(name="#document")
        self._collect(self.start, holder, required=True)
        return holder.children

    def _element(self, node: etree._Element) -> ElementModel:
        model = self._models.get(node)
        if model is None:
            model = ElementModel(name=node.get("name"))
            self._models[node] = model  # before the walk: rules contain rules
            needs = _Needs()
            for child in node:
                self._collect(child, model, required=True, needs=needs)
            self._apply_needs(model, needs)
        return model

    @staticmethod
    def _apply_needs(model: ElementModel, needs: _Needs) -> None:
        for label in needs.all:
            kind, name = label.split(" ", 1)
            name = name.strip("'")
            (model.required_attributes if kind == "attribute" else model.required_children).add(name)
        model.alternatives.extend(needs.any_of)

    def _collect(
        self, node: etree._Element, model: ElementModel, *, required: bool, needs: _Needs | None = None
    ) -> None:
        if not isinstance(node.tag, str):
            return  # a comment in the grammar
        tag = etree.QName(node).localname
        if needs is None:
            needs = _Needs()
        if tag == "element":
            name = node.get("name")
            child = self._element(node)
            known = model.children.get(name)
            if known is None:
                model.children[name] = child
            elif known is not child:
                _merge_models(known, child)
            if required:
                needs.all.add(f"element '{name}'")
        elif tag == "attribute":
            self._attribute(node, model, required, needs)
        elif tag == "ref":
            for child in self.defines[node.get("name")]:
                self._collect(child, model, required=required, needs=needs)
        elif tag in ("optional", "zeroOrMore"):
            for child in node:
                self._collect(child, model, required=False)
        elif tag in ("group", "interleave", "oneOrMore", "start", "define"):
            for child in node:
                self._collect(child, model, required=required, needs=needs)
        elif tag == "choice":
            self._choice(node, model, required, needs)

    def _choice(self, node: etree._Element, model: ElementModel, required: bool, needs: _Needs) -> None:
        branches = []
        for child in node:
            branch = _Needs()
            self._collect(child, model, required=True, needs=branch)
            branches.append(branch)
        if not required or not branches:
            return
        common = set.intersection(*(b.all for b in branches))
        needs.all |= common
        rest = [AllOf(frozenset(b.all - common), tuple(b.any_of)) for b in branches]
        if all(branch.labels or branch.nested for branch in rest):
            needs.any_of.append(AnyOf(tuple(rest)))

    def _attribute(self, node: etree._Element, model: ElementModel, required: bool, needs: _Needs) -> None:
        name = node.get("name")
        if name is None:  # <attribute><anyName>...: any attribute but the excepted ones
            excepted = {n.text.strip() for n in node.iter(f"{RNG}name")}
            model.any_attribute_except = excepted
            return
        rule = ValueRule()
        content = [c for c in node if isinstance(c.tag, str)]
        if not content:
            rule.any_text = True
        for child in content:
            self._value(child, rule)
        known = model.attributes.get(name)
        if known is None:
            model.attributes[name] = rule
        else:
            known.merge(rule)
        if required:
            needs.all.add(f"attribute '{name}'")

    def _value(self, node: etree._Element, rule: ValueRule) -> None:
        if not isinstance(node.tag, str):
            return
        tag = etree.QName(node).localname
        if tag == "value":
            rule.values.add(node.text or "")
        elif tag == "data":
            param = node.find(f"{RNG}param[@name='pattern']")
            pattern = re.compile(param.text) if param is not None else None
            rule.datatypes.append((node.get("type"), pattern))
        elif tag == "text":
            rule.any_text = True
        elif tag == "ref":
            define_name = node.get("name")
            if define_name in VALUE_WORDS:
                rule.words = VALUE_WORDS[define_name]
            for child in self.defines[define_name]:
                self._value(child, rule)
        elif tag == "choice":
            for child in node:
                self._value(child, rule)


def _merge_models(into: ElementModel, other: ElementModel) -> None:
    """Two definitions of one child name under one parent: accept what either accepts."""
    for name, rule in other.attributes.items():
        if name in into.attributes:
            into.attributes[name].merge(rule)
        else:
            into.attributes[name] = rule
    into.required_attributes &= other.required_attributes
    into.children.update({k: v for k, v in other.children.items() if k not in into.children})
    into.required_children &= other.required_children
    into.alternatives = [any_of for any_of in into.alternatives if any_of in other.alternatives]


def walk(root: etree._Element, models: dict[str, ElementModel]) -> Iterator[tuple[etree._Element, str]]:
    """Every violation of the model in a document, as (element, message)."""
    model = models.get(root.tag)
    if model is None:
        yield root, f"the root element is <{root.tag}>, expected one of " + ", ".join(sorted(models))
        return
    stack = [(root, model)]
    while stack:
        elem, model = stack.pop()
        yield from _check_element(elem, model)
        pending = []
        for child in elem:
            if not isinstance(child.tag, str):
                continue
            child_model = model.children.get(child.tag)
            if child_model is None:
                allowed = ", ".join(sorted(model.children)) or "none"
                yield child, f"element '{child.tag}' is not allowed in '{elem.tag}' (allowed: {allowed})"
            else:
                pending.append((child, child_model))
        stack.extend(reversed(pending))


def _check_element(elem: etree._Element, model: ElementModel) -> Iterator[tuple[etree._Element, str]]:
    where = f"element '{elem.tag}'"
    attrib = elem.attrib
    for name in sorted(model.required_attributes):
        if name not in attrib:
            yield elem, f"{where}: attribute '{name}' is required"
    for name, value in attrib.items():
        rule = model.attributes.get(name)
        if rule is None:
            if model.any_attribute_except is None or name in model.any_attribute_except:
                yield elem, f"{where}: attribute '{name}' is not allowed"
        elif not rule.accepts(value):
            yield elem, f"{where}: attribute '{name}' is {value!r}, expected {rule.expected()}"
    present = {f"attribute '{name}'" for name in attrib}
    present |= {f"element '{c.tag}'" for c in elem if isinstance(c.tag, str)}
    for name in sorted(model.required_children):
        if f"element '{name}'" not in present:
            yield elem, f"{where}: element '{name}' is required"
    for any_of in model.alternatives:
        if not any_of.met(present):
            yield elem, f"{where}: needs {any_of.describe()}"
    if (elem.text or "").strip():
        yield elem, f"{where}: text is not allowed here"
