"""daemon/records.py makes the classes dataclasses would make (for the subset it keeps):
each behaviour is checked against `dataclasses.dataclass` on the same class body."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from typing import ClassVar

import pytest

from daemon import records
from daemon.records import FrozenRecordError, field, record


def _both(body, frozen=False):
    """The class `body` builds, once through dataclasses and once as a record."""
    return (dataclasses.dataclass(frozen=frozen)(body(dataclasses.field)),
            record(frozen=frozen)(body(field)))


def _point(make_field):
    class Point:
        x: int
        y: int = 0
        tags: list = make_field(default_factory=list)
        note: str = make_field(default="", compare=False, repr=False)
        meta: dict = make_field(default_factory=dict, hash=False)

        def norm(self) -> int:
            return abs(self.x) + abs(self.y)
    return Point


@pytest.mark.parametrize("frozen", [False, True])
def test_construction_defaults_and_factories_match_dataclasses(frozen):
    for cls in _both(_point, frozen):
        p = cls(1, 2, note="n")
        assert (p.x, p.y, p.tags, p.note, p.meta, p.norm()) == (1, 2, [], "n", {}, 3)
        assert cls(1).tags is not cls(1).tags           # a fresh list each time
        assert cls(x=3, tags=[1]).tags == [1]
        with pytest.raises(TypeError):
            cls()                                       # x has no default


@pytest.mark.parametrize("frozen", [False, True])
def test_repr_and_equality_match_dataclasses(frozen):
    ours_and_theirs = _both(_point, frozen)
    reprs = {repr(cls(1, 2, [3])).split("(", 1)[1] for cls in ours_and_theirs}
    assert reprs == {"x=1, y=2, tags=[3], meta={})"}    # `note` has repr=False
    for cls in ours_and_theirs:
        assert cls(1, 2) == cls(1, 2, note="other")     # `note` has compare=False
        assert cls(1, 2) != cls(1, 3)
        assert cls(1, 2) != (1, 2)


def test_hashing_matches_dataclasses():
    theirs, ours = _both(_point, frozen=True)
    for cls in (theirs, ours):
        assert hash(cls(1, 2, (), meta={"a": "b"})) == hash(cls(1, 2, ()))  # meta: hash=False
        assert len({cls(1, 2, ()), cls(1, 2, ()), cls(2, 2, ())}) == 2
        with pytest.raises(TypeError):
            hash(cls(1, 2, [3]))                                    # a list field, as theirs
    for cls in _both(_point, frozen=False):                         # mutable: unhashable
        with pytest.raises(TypeError):
            hash(cls(1))


def test_frozen_records_refuse_assignment():
    p = record(frozen=True)(_point(field))(1)
    with pytest.raises(FrozenRecordError, match="cannot assign to field 'x'"):
        p.x = 2
    with pytest.raises(AttributeError):
        del p.y
    assert isinstance(FrozenRecordError("x"), AttributeError)


def test_post_init_inheritance_class_vars_and_fields():
    @record
    class Base:
        a: int
        b: str = "b"

    @record
    class Child(Base):
        c: int = 3
        kind: ClassVar[str] = "child"                   # not a field

        def __post_init__(self):
            self.total = self.a + self.c

    child = Child(1, "x", 4)
    assert (child.a, child.b, child.c, child.total, Child.kind) == (1, "x", 4, 5, "child")
    assert [f.name for f in records.fields(Child)] == ["a", "b", "c"]
    assert records.fields(child) == records.fields(Child)
    with pytest.raises(TypeError, match="without a default follows"):
        @record
        class Bad:
            a: int = 1
            b: int


def test_importing_it_loads_nothing_heavy():
    code = ("import sys, daemon.records; print(sorted(m for m in ('dataclasses', 'inspect', "
            "'typing') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    assert out.strip() == "[]"
