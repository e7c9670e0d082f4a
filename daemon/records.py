"""Plain record classes, made the way `dataclasses.dataclass` makes them, at a tenth of the cost.

Why not dataclasses: `crmshell simulate` is a short process whose time is mostly start-up,
and on its path `import dataclasses` pulls in `inspect` (with `ast`, `dis`, `tokenize`...), and
each decorated class compiles five or six generated methods one by one: about 0.7 ms a class,
some 20 ms for the scheduler's records, more than crm_simulate takes for the whole run. Here
only `__init__` is generated (one compile per class); equality, hashing, `repr` and
frozenness are shared methods reading a per-class tuple of field names.

The subset kept is what the scheduler's records use: annotated fields in order (inherited
from record bases first), defaults, `field(default=, default_factory=, repr=, compare=,
hash=)`, `frozen`, and `__post_init__`. Annotations stay unevaluated strings (the modules use
`from __future__ import annotations`); a `ClassVar[...]` annotation is not a field.
Equality and hashing follow dataclasses: the same class and equal compared fields; frozen
records hash their `hash` fields (`compare` ones by default); mutable ones are unhashable
unless the class defines `__hash__`. `fields(cls)` names the fields for code that walks them.
"""

from __future__ import annotations

from operator import attrgetter

__all__ = ["FrozenRecordError", "field", "fields", "record"]

_MISSING = object()


class FrozenRecordError(AttributeError):
    """An assignment to a field of a frozen record (dataclasses' FrozenInstanceError)."""


class Field:
    __slots__ = ("name", "default", "default_factory", "repr", "compare", "hash")

    def __init__(self, default=_MISSING, default_factory=_MISSING, repr=True, compare=True,
                 hash=None):
        if default is not _MISSING and default_factory is not _MISSING:
            raise ValueError("a field takes a default or a default_factory, not both")
        self.name = ""
        self.default, self.default_factory = default, default_factory
        self.repr, self.compare, self.hash = repr, compare, hash

    def __repr__(self) -> str:
        return f"Field({self.name!r})"


def field(*, default=_MISSING, default_factory=_MISSING, repr: bool = True,
          compare: bool = True, hash: bool | None = None):
    """A field with options, as `dataclasses.field` takes them (the subset of the module doc)."""
    return Field(default, default_factory, repr, compare, hash)


def fields(cls_or_record) -> tuple[Field, ...]:
    cls = cls_or_record if isinstance(cls_or_record, type) else type(cls_or_record)
    return cls.__record_fields__


def _repr(self) -> str:
    parts = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__record_repr__)
    return f"{type(self).__qualname__}({parts})"


def _eq(self, other):
    if other.__class__ is not self.__class__:
        return NotImplemented
    key = self.__record_key__
    return key(self) == key(other)


def _hash(self) -> int:
    return hash(self.__record_hash_key__(self))


def _frozen_setattr(self, name, value):
    raise FrozenRecordError(f"cannot assign to field '{name}' of a frozen "
                            f"{type(self).__qualname__}")


def _frozen_delattr(self, name):
    raise FrozenRecordError(f"cannot delete field '{name}' of a frozen "
                            f"{type(self).__qualname__}")


def _getter(names: tuple[str, ...]):
    """A function of a record giving the tuple of these fields (attrgetter of one name
    gives the bare value, of none an error: both made tuples)."""
    if not names:
        return lambda _record: ()
    get = attrgetter(*names)
    return get if len(names) > 1 else (lambda record: (get(record),))


def _own_fields(cls) -> list[Field]:
    out = []
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if isinstance(annotation, str) and annotation.replace("typing.", "").startswith("ClassVar"):
            continue
        value = cls.__dict__.get(name, _MISSING)
        spec = value if isinstance(value, Field) else Field(default=value)
        spec.name = name
        if isinstance(value, Field):
            if spec.default is _MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, spec.default)
        out.append(spec)
    return out


def _init_source(specs: list[Field], frozen: bool, post_init: bool) -> tuple[str, dict]:
    params, body, scope = ["self"], [], {}
    if frozen:
        body.append("    _d = self.__dict__")
    store = "_d[{0!r}] = {1}" if frozen else "self.{0} = {1}"
    seen_default = False
    for spec in specs:
        name = spec.name
        if spec.default_factory is not _MISSING:
            scope[f"_factory_{name}"] = spec.default_factory
            params.append(f"{name}=_MISSING")
            value = f"_factory_{name}() if {name} is _MISSING else {name}"
            seen_default = True
        elif spec.default is not _MISSING:
            scope[f"_default_{name}"] = spec.default
            params.append(f"{name}=_default_{name}")
            value = name
            seen_default = True
        else:
            if seen_default:
                raise TypeError(f"field '{name}' without a default follows one with a default")
            params.append(name)
            value = name
        body.append("    " + store.format(name, value))
    if post_init:
        body.append("    self.__post_init__()")
    scope["_MISSING"] = _MISSING
    return f"def __init__({', '.join(params)}):\n" + ("\n".join(body) or "    pass") + "\n", scope


def _make(cls, frozen: bool):
    specs = [*getattr(cls, "__record_fields__", ())]
    own = _own_fields(cls)
    names = {spec.name for spec in own}
    specs = [spec for spec in specs if spec.name not in names] + own
    source, scope = _init_source(specs, frozen, hasattr(cls, "__post_init__"))
    exec(source, scope)  # noqa: S102 - our own generated __init__, as dataclasses does
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    cls.__init__ = init
    cls.__record_fields__ = tuple(specs)
    cls.__record_repr__ = tuple(spec.name for spec in specs if spec.repr)
    cls.__record_key__ = staticmethod(_getter(tuple(s.name for s in specs if s.compare)))
    if "__repr__" not in cls.__dict__:
        cls.__repr__ = _repr
    if "__eq__" not in cls.__dict__:
        cls.__eq__ = _eq
    if "__hash__" not in cls.__dict__ or cls.__dict__["__hash__"] is None:
        if frozen:
            hashed = tuple(s.name for s in specs if (s.compare if s.hash is None else s.hash))
            cls.__record_hash_key__ = staticmethod(_getter(hashed))
            cls.__hash__ = _hash
        else:
            cls.__hash__ = None
    if frozen:
        cls.__setattr__ = _frozen_setattr
        cls.__delattr__ = _frozen_delattr
    return cls


def record(cls=None, /, *, frozen: bool = False):
    """Make `cls` a record: `@record` or `@record(frozen=True)`, as `@dataclass` is used."""
    if cls is None:
        return lambda inner: _make(inner, frozen)
    return _make(cls, frozen)
