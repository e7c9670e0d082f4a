"""Helpers for the CIB library's tests: canonical forms, random documents and edits, the
real Pacemaker tools as oracles."""

from __future__ import annotations

import copy
import importlib.util
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from daemon.cib.document import parse_cib, serialize_cib

from tests.shared_paths import CONFORMANCE  # noqa: E402
EMPTY_CIB = CONFORMANCE / "crmsh" / "empty-cib.xml"


def canonical(elem: etree._Element) -> tuple:
    """A comparable form: tags, attributes in order, comments, non-blank text, children."""
    if elem.tag is etree.Comment:
        return ("#comment", elem.text)
    return (
        elem.tag,
        tuple(elem.attrib.items()),
        (elem.text or "").strip(),
        tuple(canonical(child) for child in elem),
    )


def tool(name: str) -> str:
    """The path of a Pacemaker command-line tool, or skip the test."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian package pacemaker-cli-utils)")
    return path


def run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, timeout=60, check=False, **kwargs)


def crm_diff(old: Path, new: Path) -> etree._Element | None:
    """crm_diff's patchset from old to new, or None when it finds no difference."""
    done = run([tool("crm_diff"), "-o", str(old), "-n", str(new)])
    assert done.returncode in (0, 1), done.stderr.decode()
    if not done.stdout.strip():
        return None
    return etree.fromstring(done.stdout)


def crm_diff_apply(old: Path, patch: Path) -> etree._Element:
    """The document crm_diff makes by applying a patch to old."""
    done = run([tool("crm_diff"), "--original", str(old), "--patch", str(patch)])
    assert done.returncode == 0, done.stderr.decode() + done.stdout.decode()
    return etree.fromstring(done.stdout)


def write(path: Path, root: etree._Element) -> Path:
    path.write_bytes(serialize_cib(root))
    return path


def bench_module():
    """bench/cib_io.py, for its generator of big CIBs in the benchmark's shape."""
    path = Path(__file__).resolve().parents[2] / "bench" / "cib_io.py"
    spec = importlib.util.spec_from_file_location("cib_io_bench", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def wrap_configuration(configuration: etree._Element) -> etree._Element:
    """A whole CIB: the empty CIB with this <configuration> in place of its own."""
    root = parse_cib(EMPTY_CIB.read_bytes(), source=str(EMPTY_CIB))
    root.replace(root.find("configuration"), copy.deepcopy(configuration))
    return root


# ------------------------------------------------------------- random documents and edits

TAGS = ("primitive", "group", "op", "nvpair", "rule", "operations")
NAMES = ("a", "b", "c", "d", "class", "type")
VALUES = ("1", "2", "x", "Dummy", "a b", "é")
COMMENTS = ("note", "second note", "TODO", "x")


class TreeMaker:
    """Random CIB-like documents and random edits of them.

    With `pacemaker_safe`, documents stay within what Pacemaker's own diff can name:
    unique ids, an element without id never shares its tag with a sibling, at most one
    comment per parent and comments that differ in more than case. Without it, anything
    goes: repeated tags without ids, ids with quotes and slashes, several comments, and
    text content unless `text` is false (Pacemaker drops text, so crm_diff cannot carry it).
    """

    def __init__(self, rng: random.Random, *, pacemaker_safe: bool, text: bool = True) -> None:
        self.rng = rng
        self.safe = pacemaker_safe
        self.text = text and not pacemaker_safe
        self.counter = 0

    def new_id(self) -> str:
        self.counter += 1
        if not self.safe and self.rng.random() < 0.1:
            return self.rng.choice(["it's", "a/b", "dup"])
        return f"id{self.counter}"

    def document(self) -> etree._Element:
        root = etree.Element("cib", crm_feature_set="3.16.1", admin_epoch="0", epoch="1", num_updates="0")
        configuration = etree.SubElement(root, "configuration")
        for _ in range(self.rng.randint(0, 4)):
            self.grow(configuration, depth=3)
        etree.SubElement(root, "status")
        return root

    def element(self, parent: etree._Element) -> etree._Element | None:
        """A new element for parent (not yet inserted); None if no tag fits safely."""
        tags = list(TAGS)
        self.rng.shuffle(tags)
        for tag in tags:
            with_id = self.rng.random() < 0.8
            if self.safe and not self._tag_ok(parent, tag, with_id):
                with_id = True
                if not self._tag_ok(parent, tag, with_id):
                    continue
            elem = etree.Element(tag)
            if with_id:
                elem.set("id", self.new_id())
            for name in self.rng.sample(NAMES, self.rng.randint(0, 3)):
                elem.set(name, self.rng.choice(VALUES))
            if self.text and self.rng.random() < 0.05:
                elem.text = "text"
            return elem
        return None

    @staticmethod
    def _tag_ok(parent: etree._Element, tag: str, with_id: bool) -> bool:
        """Pacemaker names an id-less element by its tag alone: it must be the only one."""
        same = [child for child in parent if child.tag == tag]
        if not with_id:
            return not same
        return all(child.get("id") is not None for child in same)

    def grow(self, parent: etree._Element, depth: int) -> None:
        if self.rng.random() < 0.15 and self._comment_ok(parent):
            parent.insert(self.rng.randint(0, len(parent)), etree.Comment(self.rng.choice(COMMENTS)))
            return
        elem = self.element(parent)
        if elem is None:
            return
        parent.insert(self.rng.randint(0, len(parent)), elem)
        if depth > 0:
            for _ in range(self.rng.randint(0, 3)):
                self.grow(elem, depth - 1)

    def _comment_ok(self, parent: etree._Element) -> bool:
        return not self.safe or not any(child.tag is etree.Comment for child in parent)

    def edit(self, root: etree._Element, count: int) -> etree._Element:
        """A copy of root with `count` random edits."""
        new = copy.deepcopy(root)
        for _ in range(count):
            self._one_edit(new)
        return new

    def _one_edit(self, root: etree._Element) -> None:
        configuration = root.find("configuration")
        nodes = [e for e in configuration.iter() if e is not configuration]
        elements = [e for e in nodes if isinstance(e.tag, str)]
        parents = [configuration] + elements
        action = self.rng.choice(["set", "unset", "delete", "add", "move", "comment", "reorder", "recomment"])
        if action == "set" and elements:
            self.rng.choice(elements).set(self.rng.choice(NAMES), self.rng.choice(VALUES))
        elif action == "unset" and elements:
            elem = self.rng.choice(elements)
            names = [n for n in elem.attrib if n != "id"]
            if names:
                del elem.attrib[self.rng.choice(names)]
        elif action == "delete" and nodes:
            victim = self.rng.choice(nodes)
            victim.getparent().remove(victim)
        elif action == "add":
            self.grow(self.rng.choice(parents), depth=1)
        elif action == "move" and nodes:
            node = self.rng.choice(nodes)
            parent = node.getparent()
            parent.remove(node)
            parent.insert(self.rng.randint(0, len(parent)), node)
        elif action == "comment":
            parent = self.rng.choice(parents)
            if self._comment_ok(parent):
                parent.insert(self.rng.randint(0, len(parent)), etree.Comment(self.rng.choice(COMMENTS)))
        elif action == "reorder" and elements:
            elem = self.rng.choice(elements)
            items = list(elem.attrib.items())
            self.rng.shuffle(items)
            elem.attrib.clear()
            for name, value in items:
                elem.set(name, value)
        elif action == "recomment":
            comments = [n for n in nodes if n.tag is etree.Comment]
            if comments:
                self.rng.choice(comments).text = self.rng.choice(COMMENTS)
