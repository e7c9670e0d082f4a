"""Putting built definitions into a CIB document, with crmsh's rules.

    changed = place(cib, built, ids, mode="create")      # a definition typed at `configure`
    changed = place(cib, built, ids, mode="update")      # `load update`: same id replaces

New objects are appended to their section (sections are created at the end of
<configuration> when missing). Containers take their members in: the member moves from where
it was into the container, and constraints on the member are redirected to the container
(crmsh does this too; constraints left pointless go). Property sets and defaults merge into an
existing set of the same id; a node merges its attributes into an existing node; `monitor`
adds an op to a primitive; `fencing_topology` replaces the whole topology.

Everything is checked before anything is touched: a refused definition leaves the document and
the id allocator as they were (its reserved ids are released) and raises DefinitionError.
"""

from __future__ import annotations

from typing import Callable

from daemon.cib.ids import defined_ids

from crmshell.lang.build import Built, BuildContext, build
from crmshell.lang.errors import DefinitionError
from crmshell.lang.vocabulary import KIND_OF_TAG, PROCESSING_ORDER

RESOURCE_TAGS = ("primitive", "group", "clone", "master", "template", "bundle")
_CONTAINER_TAGS = ("group", "clone", "master", "bundle")
_ALLOWED_MEMBERS = {"group": ("primitive",), "clone": ("primitive", "group"),
                    "master": ("primitive", "group"), "bundle": ("primitive",)}
_OBJECT_TAGS = frozenset(KIND_OF_TAG) - {"node", "rsc_defaults", "op_defaults", "fencing-topology"}


def configuration_of(cib_root):
    if cib_root.tag == "configuration":
        return cib_root
    configuration = cib_root.find("configuration")
    if configuration is None:
        raise DefinitionError("the CIB has no <configuration> element")
    return configuration


def place(cib_root, built: Built, ids, *, mode: str = "create") -> list[str]:
    """Put `built` into the CIB; returns the ids of the objects that changed."""
    if mode not in ("create", "update"):
        raise ValueError(f"unknown placement mode {mode!r}")
    configuration = configuration_of(cib_root)
    handler = _HANDLERS.get(built.kind, _place_object)
    try:
        return handler(configuration, built, ids, mode)
    except DefinitionError:
        built.release()
        raise


# -- lookups -------------------------------------------------------------------------------
def find_object(configuration, ident: str):
    """The configuration object (resource, constraint, set, tag, ...) with this id."""
    for elem in configuration.xpath(".//*[@id=$x]", x=ident):
        if elem.tag in _OBJECT_TAGS:
            return elem
        if elem.tag == "meta_attributes" and elem.getparent().tag in ("rsc_defaults", "op_defaults"):
            return elem
    return None


def find_resource(configuration, ident: str):
    for elem in configuration.xpath("resources//*[@id=$x]", x=ident):
        if elem.tag in RESOURCE_TAGS:
            return elem
    return None


def find_node(configuration, name: str):
    found = configuration.xpath("nodes/node[@uname=$x]", x=name)
    if not found:
        found = configuration.xpath("nodes/node[@id=$x]", x=name)
    return found[0] if found else None


def section_of(configuration, name: str):
    """The section element, created at the end of <configuration> if missing."""
    from lxml import etree

    section = configuration.find(name)
    if section is None:
        section = etree.SubElement(configuration, name)
    return section


def _describe(elem) -> str:
    word = KIND_OF_TAG.get(elem.tag, elem.tag)
    return f"{word} {elem.get('uname') if elem.tag == 'node' else elem.get('id')}"


# -- the general case: resources, constraints, tags, acls, alerts --------------------------
def _place_object(configuration, built: Built, ids, mode: str) -> list[str]:
    previous = find_object(configuration, built.id) if mode == "update" and built.id else None
    if previous is not None and _section_name(configuration, previous) != built.section:
        raise DefinitionError(f"{built.kind} {built.id}: {_describe(previous)} has that id",
                              object_id=built.id)
    share = _check_own_id(configuration, built, ids, previous)
    moves = _check_members(configuration, built, previous)
    for old in built.replaces:
        # an inline member may replace a resource at the top or one inside the container
        # this definition replaces (load xml update of a group with its primitives)
        if old.getparent() is None or (old.getparent().tag != "resources"
                                       and (previous is None or old.getparent() is not previous)):
            raise DefinitionError(f"{built.kind} {built.id}: {_describe(old)} is inside "
                                  f"{_describe(old.getparent())}", object_id=built.id)
    kept = list(built.kept)
    for old in built.replaces:
        _release_replaced(ids, old, kept, inner_stays=False)
        old.getparent().remove(old)
    changed = [built.id]
    if previous is not None:
        orphans = _orphans(previous, built)
        previous.getparent().replace(previous, built.element)
        _release_replaced(ids, previous, kept)
        _take_members(built, moves)
        resources = section_of(configuration, "resources")
        for orphan in orphans:
            resources.append(orphan)
    else:
        _take_members(built, moves)
        section_of(configuration, built.section).append(built.element)
        changed += _redirect_constraints(configuration, built, ids)
    if share:
        ids.hold(built.id)
    changed += [m for m in built.members if m not in changed]
    return changed


def _section_name(configuration, elem) -> str:
    while elem.getparent() is not None and elem.getparent() is not configuration:
        elem = elem.getparent()
    return elem.tag if elem.tag != "meta_attributes" else elem.getparent().tag


def _check_own_id(configuration, built: Built, ids, previous) -> bool:
    """True when the object's id is held by a node (allowed: nodes and resources may share)."""
    if built.shared_id is None:
        return False
    holder = find_object(configuration, built.shared_id)
    if holder is not None and holder is not previous:
        raise DefinitionError(f"cannot create {built.kind} {built.id}: {_describe(holder)} "
                              "already has that id", object_id=built.id)
    node = find_node(configuration, built.shared_id)
    if node is not None and ids.holders(built.shared_id) == 1 and built.element.tag != "node":
        return True
    raise DefinitionError(f"cannot create {built.kind} {built.id}: the id is already in use",
                          object_id=built.id)


def _check_members(configuration, built: Built, previous) -> list:
    """The (placeholder, member) pairs to swap, after checking every member."""
    moves = []
    container = built.element
    for placeholder in list(container.iter("crmsh-ref")):
        member_id = placeholder.get("id")
        member = find_resource(configuration, member_id)
        where = f"{built.kind} {built.id}"
        if member is None:
            raise DefinitionError(f"{where}: resource {member_id} does not exist",
                                  object_id=built.id)
        if member is previous:
            raise DefinitionError(f"{where} cannot contain itself", object_id=built.id)
        allowed = _ALLOWED_MEMBERS[container.tag]
        if member.tag not in allowed:
            raise DefinitionError(f"{where}: {_describe(member)} cannot be a member "
                                  f"(a {built.kind} holds {' or '.join(allowed)})",
                                  object_id=built.id)
        parent = member.getparent()
        if parent.tag != "resources" and parent is not previous:
            raise DefinitionError(f"{where}: {member_id} is already in {_describe(parent)}",
                                  object_id=built.id)
        moves.append((placeholder, member))
    return moves


def _take_members(built: Built, moves: list) -> None:
    for placeholder, member in moves:
        member.getparent().remove(member)
        placeholder.getparent().replace(placeholder, member)


def _orphans(previous, built: Built) -> list:
    """Members of the replaced container that the new version no longer holds."""
    if previous.tag not in _CONTAINER_TAGS:
        return []
    keep = set(built.members)
    return [child for child in previous if child.tag in RESOURCE_TAGS and child.get("id") not in keep]


def _release_replaced(ids, previous, kept: list[str], *, inner_stays: bool = True) -> None:
    """Release the ids of a replaced element, except those the new version took over (they
    are consumed from `kept`) and, with `inner_stays`, those of resources inside it (they
    stay in the CIB, in the new version or at the top)."""
    inner: list[str] = []
    if inner_stays:
        for child in previous:
            if child.tag in RESOURCE_TAGS:
                inner.extend(defined_ids(child))
    for ident in defined_ids(previous):
        if ident in inner:
            inner.remove(ident)
        elif ident in kept:
            kept.remove(ident)
        else:
            ids.release(ident)


def _redirect_constraints(configuration, built: Built, ids) -> list[str]:
    """Constraints on a new container's members now point at the container (as in crmsh)."""
    if not built.members or built.element.tag not in _CONTAINER_TAGS:
        return []
    constraints = configuration.find("constraints")
    if constraints is None:
        return []
    from crmshell.lang.simplify import to_simple
    from crmshell.lang import references

    changed: list[str] = []
    for member in built.members:
        for constraint in list(constraints):
            if not isinstance(constraint.tag, str) or not references.refers_to(constraint, member):
                continue
            before = list(defined_ids(constraint))
            done, now = references.rename_reference(constraint, member, built.id, to_simple)
            if done:
                _sync_ids(ids, before, now)
                changed.append(now.get("id"))
    for constraint in list(constraints):
        if isinstance(constraint.tag, str) and references.refers_to(constraint, built.id) \
                and references.is_pointless(constraint, built.id):
            ids.release_tree(constraint)
            constraints.remove(constraint)
            changed.append(constraint.get("id"))
    return list(dict.fromkeys(changed))


def _sync_ids(ids, before: list[str], elem) -> None:
    after = list(defined_ids(elem))
    for ident in before:
        if ident in after:
            after.remove(ident)
        else:
            ids.release(ident)


# -- nodes ---------------------------------------------------------------------------------
def _place_node(configuration, built: Built, ids, mode: str) -> list[str]:
    existing = find_node(configuration, built.id)
    if existing is None:
        if built.shared_id is not None:
            # a resource may have the name of a node; anything else may not
            if find_object(configuration, built.shared_id) is None:
                raise DefinitionError(f"cannot create node {built.id}: the id is already in use",
                                      object_id=built.id)
            ids.hold(built.shared_id)
        section_of(configuration, "nodes").append(built.element)
    elif mode == "update":
        existing.getparent().replace(existing, built.element)
        _release_replaced(ids, existing, list(built.kept))
    else:
        _merge_node(existing, built.element)
    return [built.id]


def _merge_node(existing, new) -> None:
    """crmsh's node merge: attribute sets merge by position and name; the rest is ignored."""
    import copy

    used = set()
    for new_set in new:
        if new_set.tag not in ("instance_attributes", "utilization", "meta_attributes"):
            continue
        old_set = next((c for c in existing if c.tag == new_set.tag and c not in used), None)
        if old_set is None:
            existing.append(copy.deepcopy(new_set))
            continue
        _merge_nvpairs(old_set, new_set)


def _merge_nvpairs(old_set, new_set) -> None:
    import copy

    for nvpair in new_set.iterfind("nvpair"):
        match = next((c for c in old_set.iterfind("nvpair") if c.get("name") == nvpair.get("name")), None)
        if match is None:
            old_set.append(copy.deepcopy(nvpair))
            continue
        for name, value in nvpair.items():
            if name != "id":
                match.set(name, value)


# -- property sets and defaults ------------------------------------------------------------
def _place_option_set(configuration, built: Built, ids, mode: str) -> list[str]:
    section = configuration.find(built.section)
    existing = None
    if section is not None:
        existing = next((c for c in section if isinstance(c.tag, str) and c.get("id") == built.id), None)
    if existing is None:
        if built.shared_id is not None:
            raise DefinitionError(f"{built.kind} {built.id}: the id is already in use",
                                  object_id=built.id)
        section_of(configuration, built.section).append(built.element)
    elif mode == "update":
        _merge_nvpairs(existing, built.element)
    else:
        _copy_into_set(existing, built.element)
    return [built.id]


def _copy_into_set(existing, new) -> None:
    """crmsh's property merge: values update in place, new names and rules are appended."""
    import copy

    for child in new:
        if not isinstance(child.tag, str):
            if not any(not isinstance(c.tag, str) and c.text == child.text for c in existing):
                existing.append(copy.deepcopy(child))
            continue
        if child.tag == "nvpair":
            match = None
            if child.get("value") is not None:
                match = next((c for c in existing.iterfind("nvpair")
                              if c.get("name") == child.get("name")), None)
            if match is not None:
                match.set("value", child.get("value"))
            else:
                existing.append(copy.deepcopy(child))
            continue
        same = next((c for c in existing if c.get("id") == child.get("id")), None) \
            if child.get("id") is not None else None
        if same is not None:
            existing.replace(same, copy.deepcopy(child))
        else:
            existing.append(copy.deepcopy(child))


# -- monitor, fencing topology -------------------------------------------------------------
def _place_monitor(configuration, built: Built, ids, mode: str) -> list[str]:
    target = find_resource(configuration, built.target)
    if target is None:
        raise DefinitionError(f"monitor: resource {built.target} does not exist",
                              object_id=built.target)
    if target.tag != "primitive":
        raise DefinitionError(f"monitor: {_describe(target)} is not a primitive",
                              object_id=built.target)
    op = built.element
    interval = op.get("interval")
    for other in target.iterfind("operations/op"):
        if other.get("name") == op.get("name") and same_interval(other.get("interval"), interval):
            raise DefinitionError(f"{built.target} already has a {op.get('name')} op with "
                                  f"interval {interval}", object_id=built.target)
    operations = target.find("operations")
    if operations is None:
        operations = section_of(target, "operations")
    # comments in front of a `monitor` go to the primitive, first (as crmsh moves them)
    comments = [c for c in op if not isinstance(c.tag, str)]
    for index, comment in enumerate(comments):
        op.remove(comment)
        target.insert(index, comment)
    operations.append(op)
    return [built.target]


def same_interval(first: str | None, second: str | None) -> bool:
    a, b = interval_ms(first or "0"), interval_ms(second or "0")
    return a is not None and a == b


_UNITS = {"ms": 1, "msec": 1, "us": 0.001, "usec": 0.001, "": 1000, "s": 1000, "sec": 1000,
          "m": 60000, "min": 60000, "h": 3600000, "hr": 3600000}


def interval_ms(text: str) -> float | None:
    import re

    match = re.match(r"\s*(\d+)\s*([a-zA-Z]+)?", text)
    if not match:
        return None
    unit = (match.group(2) or "").lower()
    if unit not in _UNITS:
        return None
    return int(match.group(1)) * _UNITS[unit]


def _place_fencing(configuration, built: Built, ids, mode: str) -> list[str]:
    existing = configuration.find("fencing-topology")
    if existing is not None:
        configuration.replace(existing, built.element)
        _release_replaced(ids, existing, list(built.kept))
    else:
        configuration.append(built.element)
    return ["fencing_topology"]


_HANDLERS: dict[str, Callable] = {
    "node": _place_node,
    "property": _place_option_set,
    "rsc_defaults": _place_option_set,
    "op_defaults": _place_option_set,
    "monitor": _place_monitor,
    "fencing_topology": _place_fencing,
}


# -- whole statements and documents --------------------------------------------------------
def define(cib_root, stmt, ids, *, mode: str = "create", providers=None) -> list[str]:
    """Build and place one parsed statement (what `configure <definition>` does)."""
    configuration = configuration_of(cib_root)
    context = BuildContext(configuration, providers=providers)
    previous = _previous(configuration, stmt) \
        if mode == "update" or stmt.kind == "fencing_topology" else None
    built = build(stmt, ids, context=context, previous=previous)
    return place(configuration, built, ids, mode=mode)


def _previous(configuration, stmt):
    if stmt.kind == "fencing_topology":
        return configuration.find("fencing-topology")
    if stmt.kind == "node":
        return find_node(configuration, stmt.id)
    if stmt.kind in ("property", "rsc_defaults", "op_defaults"):
        return find_object(configuration, stmt.id)
    if stmt.kind in ("monitor", "fencing_topology"):
        return None
    return find_object(configuration, stmt.id) if stmt.id else None




def processing_order(stmts: list) -> list:
    """Statements in the order crmsh applies a loaded document (stable within a kind)."""
    def rank(stmt) -> int:
        kind = stmt.kind
        if kind == "xml":
            from crmshell.lang.vocabulary import XML_TAGS
            from crmshell.lang.xmldata import parse_xml_definition

            kind = XML_TAGS[parse_xml_definition(str(stmt.tree.children[1])).tag][0]
        return PROCESSING_ORDER.get(kind, 1000)
    return sorted(stmts, key=rank)


def define_all(cib_root, stmts: list, ids, *, mode: str = "create", providers=None) -> list[str]:
    """Apply a parsed document as `load update` / `load replace` (after erase) would.

    New objects are created first, in crmsh's processing order; objects that already exist
    are then updated, in document order. Stops at the first refusal (the caller decides
    whether to roll back; staged CIBs are copied before a batch).
    """
    configuration = configuration_of(cib_root)
    changed: list[str] = []
    creates, updates = [], []
    for stmt in stmts:
        exists = mode == "update" and stmt.kind not in ("monitor", "fencing_topology") and \
            _previous(configuration, stmt) is not None
        (updates if exists else creates).append(stmt)
    for stmt in processing_order(creates) + updates:
        changed += define(configuration, stmt, ids, mode=mode, providers=providers)
    return list(dict.fromkeys(changed))
