"""The daemon's live CIB: every replicated update applied in agreed order, pure.

Every node feeds its store the same updates in the same order, so applying reads no clock
and draws no random number: who asked and when come with the update (`meta`), and the
result is the same document, byte for byte, on every node.

A refused update (a stale base, old data, bad XML, a result the schema refuses) leaves the
store exactly as it was, so the work is done on copies, and only of what the update
touches, found through indexes kept with the document (a commit to one of 1000 resources
must not cost a walk over the other 999). A patch is applied to a skeleton holding copies
of the objects on its paths; its creations of whole objects are placed afterwards, by
Pacemaker's rule (ascending position, in the document as it is after the other changes).
The new objects are validated together with one untouched object of each section: the
schema has no cross-references between objects, so what was valid stays valid. Then the
copies are swapped into the live document. Whenever a shortcut does not fit (paths through
the status section or a section element, moves of whole objects, duplicate ids) the whole
document is copied and checked, which is always right.
"""

from __future__ import annotations

import copy
from collections import deque
from dataclasses import dataclass, field
from typing import NamedTuple

from lxml import etree

from daemon.cib.document import PARSER_OPTIONS, parse_cib, syntax_error
from daemon.cib.errors import (ChangedMeanwhile, CibError, CibInvalid, OldData, PatchError,
                               StatusOpError)
from daemon.cib.patch_apply import apply_patchset, parse_path, patch_versions
from daemon.cib.patchset import changed_objects, make_patchset
from daemon.cib.schema import validate
from daemon.cib.status_apply import LiveStatus, apply_status_ops
from daemon.cib.versions import CibVersion, read_version, stamp_update, write_version

_Node = etree._Element

SECTIONS = ("crm_config", "nodes", "resources", "constraints", "rsc_defaults", "op_defaults",
            "fencing-topology", "acls", "tags", "alerts")
# Kept on <cib> by the cluster (the dc update), not by the administrator's patches.
CLUSTER_ATTRS = ("dc-uuid", "have-quorum")
# <cib> attributes whose change alone is not a configuration change.
_BOOKKEEPING = frozenset({"admin_epoch", "epoch", "num_updates", "cib-last-written",
                          "update-origin", "update-client", "update-user", *CLUSTER_ATTRS})
BOOTSTRAP = "cib-bootstrap-options"
HISTORY = 256


@dataclass(frozen=True)
class Applied:
    """What one update did; `changed_ids` are the configuration ids it touched."""

    config_changed: bool
    status_ops: tuple
    results: tuple
    version_before: CibVersion
    version_after: CibVersion
    changed_ids: frozenset = frozenset()


class _Change(NamedTuple):
    """One configuration change in the history: config versions before and after, ids."""

    before: tuple[int, int]
    after: tuple[int, int]
    ids: frozenset


@dataclass
class _SectionEdit:
    """A section's change: objects swapped for new ones (None: removed), objects created at
    positions (position, order, element), or a whole new section."""

    swaps: list = field(default_factory=list)
    creates: list = field(default_factory=list)
    whole: _Node | None = None


@dataclass
class _Pending:
    """An update worked out and checked, not yet in the live document."""

    attrs: dict | None = None
    sections: dict[str, _SectionEdit] = field(default_factory=dict)
    configuration: _Node | None = None
    status: _Node | None = None
    status_work: object = None
    config_changed: bool = False
    changed_ids: frozenset = frozenset()
    values: list = field(default_factory=list)     # (live nvpair, new value), set in place


class CibStore:
    """The live document (`root`, changed only by `apply`) and its version.

    Readers that need a document that does not change under them take `snapshot()`.
    """

    def __init__(self, root: _Node, *, history: int = HISTORY, check: bool = True) -> None:
        if check:
            _require_valid(root)
        self.root = root
        self._history: deque[_Change] = deque(maxlen=history)
        self._index: dict[str, dict | None] = {}
        self._status: LiveStatus | None = None

    @property
    def version(self) -> CibVersion:
        return read_version(self.root)

    def snapshot(self) -> _Node:
        return copy.deepcopy(self.root)

    def apply(self, update) -> Applied:
        """Apply one replicated update (daemon.replication.updates.Update); CibError when
        refused, and then nothing has changed."""
        handler = _HANDLERS.get(update.kind)
        if handler is None:
            raise CibError(f"update.kind: {update.kind!r} is not an update the store applies")
        before = self.version
        pending = handler(self, update) or _Pending()
        self._install(pending)
        after = self.version
        if pending.config_changed:
            self._history.append(_Change(tuple(before[:2]), tuple(after[:2]), pending.changed_ids))
        return Applied(pending.config_changed, tuple(update.ops), tuple(update.results), before,
                       after, pending.changed_ids)

    def changed_since(self, base: CibVersion) -> frozenset | None:
        """The ids changed after configuration version `base`; None when unknown."""
        base2, current = tuple(base[:2]), tuple(self.version[:2])
        if base2 == current:
            return frozenset()
        if base2 > current or not self._history or self._history[0].before > base2:
            return None
        return frozenset().union(*(c.ids for c in self._history if c.after > base2))

    # ---- patch --------------------------------------------------------------------------------

    def _patch(self, update) -> _Pending | None:
        patch = _parse_fragment(update.body, "patch body")
        if patch.tag != "diff" or patch.get("format") != "2":
            raise PatchError(f"patch body: <{patch.tag} format={patch.get('format')!r}> is not "
                             "a v2 patchset")
        versions = patch_versions(patch)
        current = self.version
        if not update.force:
            if versions is None:
                raise PatchError("patch body: the patch states no version to check its base against")
            if tuple(versions[0][:2]) != tuple(current[:2]):
                raise ChangedMeanwhile(versions[0], current, self.changed_since(versions[0]))
        target = versions[1] if versions else None
        plans = _plan(patch)
        pending = None if plans is None else self._value_patch(patch, update, target)
        if pending is None and plans is not None:
            pending = self._sparse_patch(patch, plans, update, target)
        if pending is None:
            pending = self._full_patch(patch, update, target)
        pending.changed_ids = frozenset(i for _, i in changed_objects(patch))
        return pending

    def _value_patch(self, patch, update, target) -> _Pending | None:
        """A patch that only sets the values of nvpairs the configuration has (the commonest
        commit: a property, an instance or a meta attribute): the live nvpairs are found
        through the section indexes and their values set at `_install`, with no copy and no
        check, as the grammar takes any text there. None when the patch does more."""
        live = _sections(self.root.find("configuration"))
        final: dict = {}
        root_attrs = self.root.attrib
        for change in patch.iterchildren("change"):
            result = change.find("change-result")
            new = None if result is None else next((c for c in result if isinstance(c.tag, str)), None)
            if change.get("operation") != "modify" or new is None:
                return None
            steps = parse_path(change.get("path"))
            if len(steps) == 1:
                root_attrs = new.attrib          # the <cib> element's, as a modify sets them
                continue
            if (len(steps) < 5 or steps[-1][0] != "nvpair" or new.tag != "nvpair"
                    or any(tag == "comment" for tag, _ in steps)):
                return None
            index = self._section_index(live, steps[2][0])
            elem = None if index is None else index.get(steps[3])
            for tag, elem_id in steps[4:]:
                if elem is None:
                    return None
                elem = next((c for c in elem.iterchildren(tag)
                             if elem_id is None or c.get("id") == elem_id), None)
            old = elem.attrib if elem is not None else None
            if (old is None or "value" not in old or old.keys() != new.attrib.keys()
                    or any(old[k] != new.get(k) for k in old if k != "value")):
                return None
            final[elem] = new.get("value")
        really = any(elem.get("value") != value for elem, value in final.items())
        attrs, changed = self._new_attrs(root_attrs, really, update, target)
        if not changed:
            return _Pending()
        return _Pending(attrs=attrs, config_changed=True, values=list(final.items()))

    def _sparse_patch(self, patch, plans, update, target) -> _Pending | None:
        """The patch applied to copies of the objects it names; None when that does not fit."""
        live = _sections(self.root.find("configuration"))
        shell = etree.Element("cib", dict(self.root.attrib))
        out = etree.SubElement(shell, "configuration")
        touched = {}
        for tag, plan in plans.items():
            index = self._section_index(live, tag)
            if index is None or any(k in index and k not in plan.deleted for k in plan.created):
                return None
            copies = etree.SubElement(out, tag)
            touched[tag] = [index[k] for k in plan.keys if k in index]
            for elem in touched[tag]:
                copies.append(copy.deepcopy(elem))
        try:
            result = apply_patchset(shell, _without_creations(patch), check_version=False)
        except PatchError:
            return None  # the whole document says whether, and where, it does not fit
        edits = {}
        for section in result.find("configuration"):
            plan, old = plans[section.tag], touched[section.tag]
            new = list(section)
            survivors = [e for e in old if _key(e) not in plan.deleted]
            if len(new) != len(survivors):
                return None
            swapped = dict(zip(survivors, new))
            edits[section.tag] = _SectionEdit(
                swaps=[(e, swapped.get(e)) for e in old],
                creates=[(position, order, copy.deepcopy(elem))
                         for position, order, elem in plan.creations])
        really = any(edit.creates or any(new is None or not _same(old, new) for old, new in edit.swaps)
                     for edit in edits.values())
        attrs, changed = self._new_attrs(result.attrib, really, update, target)
        if not changed:
            return _Pending()
        pending = _Pending(attrs=attrs, sections=edits, config_changed=True)
        self._check_sections(pending)
        return pending

    def _full_patch(self, patch, update, target) -> _Pending:
        result = apply_patchset(self.root, patch, check_version=False)
        conf = result.find("configuration")
        if conf is None:
            raise PatchError("the patch removes /cib/configuration")
        config_changed = not _same(conf, self.root.find("configuration"))
        attrs, changed = self._new_attrs(result.attrib, config_changed, update, target)
        status = result.find("status")
        if status is None and self.root.find("status") is not None:
            status = etree.Element("status")
        if _same(status, self.root.find("status")):
            status = None
        if not changed and status is None:
            return _Pending()
        if not changed:
            attrs = _versioned(attrs, _bump_updates(self.version))
        check = etree.Element("cib", attrs)
        check.append(conf)
        if status is not None:
            check.append(status)
        _require_valid(check)
        return _Pending(attrs=attrs, configuration=conf, status=status, config_changed=changed)

    # ---- replace --------------------------------------------------------------------------------

    def _replace(self, update) -> _Pending | None:
        if update.section is None:
            return self._replace_all(update)
        section = update.section
        if section == "status":
            raise CibError("update.section: the status section is the cluster's; it is not replaced")
        if section not in SECTIONS and section != "configuration":
            raise CibError(f"update.section: {section!r} is not a configuration section")
        new = _parse_fragment(update.body, "replace body")
        if new.tag != section:
            raise CibError(f"replace body: the root element is <{new.tag}>, not <{section}>")
        conf = self.root.find("configuration")
        old = conf if section == "configuration" else conf.find(section)
        if _same(old, new):
            return None
        attrs = self._stamped(dict(self.root.attrib), update, None)
        ids = _diff_ids(old, new)
        if section == "configuration":
            return self._whole_configuration(attrs, new, ids)
        pending = _Pending(attrs=attrs, sections={section: _SectionEdit(whole=new)},
                           config_changed=True, changed_ids=ids)
        self._check_sections(pending)
        return pending

    def _replace_all(self, update) -> _Pending | None:
        new = parse_cib(update.body, source="replace body")
        theirs, current = read_version(new), self.version
        if not update.force and tuple(theirs[:2]) < tuple(current[:2]):
            raise OldData(theirs, current,
                          "admin_epoch" if theirs.admin_epoch < current.admin_epoch else "epoch")
        conf = new.find("configuration")
        attrs = dict(new.attrib)
        for name in CLUSTER_ATTRS:
            _copy_attr(self.root, attrs, name)
        live_conf = self.root.find("configuration")
        if (_same(conf, live_conf) and _plain(attrs) == _plain(self.root.attrib)
                and tuple(theirs[:2]) <= tuple(current[:2])):
            return None
        base = max(tuple(theirs[:2]), tuple(current[:2]))
        attrs = self._stamped(attrs, update, CibVersion(base[0], base[1] + 1, 0))
        return self._whole_configuration(attrs, conf, _diff_ids(live_conf, conf))

    def _whole_configuration(self, attrs: dict, conf: _Node, ids: frozenset) -> _Pending:
        check = etree.Element("cib", attrs)
        check.append(conf)
        _require_valid(check)
        return _Pending(attrs=attrs, configuration=conf, config_changed=True, changed_ids=ids)

    # ---- status, dc, nodes ----------------------------------------------------------------------

    def _status_update(self, update) -> _Pending | None:
        if not update.ops:
            return None
        check = etree.Element("cib", dict(self.root.attrib))
        conf = etree.SubElement(check, "configuration")
        for tag in SECTIONS[:4]:
            etree.SubElement(conf, tag)
        work = self._live_status().work(update.ops, check)
        try:
            apply_status_ops(check, update.ops)
        except (ValueError, TypeError) as err:  # lxml refuses text that XML cannot hold
            raise StatusOpError(f"update.ops: {err}") from None
        _require_valid(check)
        return _Pending(attrs=_versioned(self.root.attrib, _bump_updates(self.version)),
                        status_work=work)

    def _dc(self, update) -> _Pending | None:
        attrs = dict(self.root.attrib)
        if update.dc is None:
            attrs.pop("dc-uuid", None)
        else:
            attrs["dc-uuid"] = update.dc.id
        attrs["have-quorum"] = "1" if update.quorate else "0"
        wanted = [("dc-version", update.dc_version), ("cluster-infrastructure", "corosync"),
                  ("cluster-name", update.cluster_name)]
        crm_config = self._section("crm_config")
        old = next((s for s in crm_config.iterchildren("cluster_property_set")
                    if s.get("id") == BOOTSTRAP), None)
        new = etree.Element("cluster_property_set", id=BOOTSTRAP) if old is None else copy.deepcopy(old)
        ids = _set_properties(new, [(n, v) for n, v in wanted if v])
        if ids:
            edit = _SectionEdit(creates=[(0, 0, new)]) if old is None else _SectionEdit(swaps=[(old, new)])
            pending = _Pending(attrs=self._stamped(attrs, update, None), sections={"crm_config": edit},
                               config_changed=True, changed_ids=frozenset(ids | {BOOTSTRAP}))
            self._check_sections(pending)
            return pending
        if attrs == dict(self.root.attrib):
            return None
        return _Pending(attrs=_versioned(attrs, _bump_updates(self.version)))

    def _nodes(self, update) -> _Pending | None:
        section = self._section("nodes")
        by_id = {c.get("id"): c for c in section.iterchildren("node")}
        names = {c.get("uname") for c in section.iterchildren("node")}
        edit, ids = _SectionEdit(), set()
        for ref in update.nodes:
            if not ref.id or not ref.name:
                raise CibError(f"update.nodes: node {ref.id!r}/{ref.name!r} needs an id and a name")
            old = by_id.get(ref.id)
            if old is not None and old.get("uname") != ref.name:
                renamed = copy.deepcopy(old)
                renamed.set("uname", ref.name)
                edit.swaps.append((old, renamed))
                ids.add(ref.id)
            elif old is None and ref.name not in names:
                node = etree.Element("node", id=ref.id, uname=ref.name, type="member")
                edit.creates.append((len(section) + len(edit.creates), 0, node))
                by_id[ref.id] = node
                ids.add(ref.id)
            names.add(ref.name)
        if not ids:
            return None
        pending = _Pending(attrs=self._stamped(dict(self.root.attrib), update, None),
                           sections={"nodes": edit}, config_changed=True, changed_ids=frozenset(ids))
        self._check_sections(pending)
        return pending

    # ---- versions, checks, installing -------------------------------------------------------

    def _section(self, tag: str) -> _Node:
        section = self.root.find(f"configuration/{tag}")
        if section is None:
            raise CibError(f"/cib/configuration: there is no {tag} section")
        return section

    def _section_index(self, live: dict, tag: str) -> dict | None:
        """(tag, id) -> object in a section, built on first use and kept by `_install`;
        None when the section is missing, doubled or holds an id twice."""
        if tag not in self._index:
            section = live.get(tag)
            index: dict | None = None if section is None else {}
            for child in () if section is None else section.iterchildren(etree.Element):
                key = _key(child)
                if key in index:
                    index = None
                    break
                index[key] = child
            self._index[tag] = index
        return self._index[tag]

    def _live_status(self) -> LiveStatus:
        status = self.root.find("status")
        if status is None:
            status = etree.SubElement(self.root, "status")
        if self._status is None or self._status.status is not status:
            self._status = LiveStatus(status)
        return self._status

    def _new_attrs(self, result_attrs, config_paths: bool, update, target) -> tuple[dict, bool]:
        """The <cib> attributes after a patch, and whether the configuration changed."""
        attrs = dict(result_attrs)
        for name in CLUSTER_ATTRS:
            _copy_attr(self.root, attrs, name)
        if not config_paths and _plain(attrs) == _plain(self.root.attrib):
            return dict(self.root.attrib), False
        return self._stamped(attrs, update, target), True

    def _stamped(self, attrs: dict, update, target: CibVersion | None) -> dict:
        """`attrs` with the next configuration version and the update's stamps."""
        current = self.version
        version = CibVersion(current.admin_epoch, current.epoch + 1, 0)
        if target is not None and tuple(target[:2]) > tuple(version[:2]):
            version = CibVersion(target.admin_epoch, target.epoch, 0)
        elem = etree.Element("cib", attrs)
        write_version(elem, version)
        meta = update.meta
        stamp_update(elem, when=meta.when, origin=meta.origin, client=meta.client, user=meta.user)
        return dict(elem.attrib)

    def _check_sections(self, pending: _Pending) -> None:
        """Validate the new objects with one remaining untouched object of every section
        (so that a section that needs an element still has one). The new objects move into
        the document checked; `_install` moves them on into the live one. Objects that
        differ from the ones they replace only in nvpair values need no check: the grammar
        takes any text there (the commonest change: a property or an attribute set)."""
        if all(edit.whole is None and not edit.creates
               and all(new is not None and _values_only(old, new) for old, new in edit.swaps)
               for edit in pending.sections.values()):
            return
        check = etree.Element("cib", pending.attrs)
        out = etree.SubElement(check, "configuration", dict(self.root.find("configuration").attrib))
        live = _sections(self.root.find("configuration"))
        for tag in list(live) + [t for t in pending.sections if t not in live]:
            edit = pending.sections.get(tag, _SectionEdit())
            if edit.whole is not None:
                out.append(edit.whole)
                continue
            section = etree.SubElement(out, tag, dict(live[tag].attrib))
            gone = {old for old, _ in edit.swaps}
            witness = next((c for c in live[tag].iterchildren(etree.Element) if c not in gone), None)
            if witness is not None:
                section.append(copy.deepcopy(witness))
            section.extend([new for _, new in edit.swaps if new is not None]
                           + [new for _, _, new in edit.creates])
        _require_valid(check)

    def _install(self, pending: _Pending) -> None:
        """Put a checked change in place, keeping the indexes right; nothing here fails."""
        root = self.root
        if pending.attrs is not None:
            root.attrib.clear()
            root.attrib.update(pending.attrs)
        conf = root.find("configuration")
        if pending.configuration is not None:
            root.replace(conf, pending.configuration)
            self._index.clear()
        for tag, edit in pending.sections.items():
            self._install_section(conf, tag, edit)
        for elem, value in pending.values:
            elem.set("value", value)
        if pending.status is not None:
            status = root.find("status")
            if status is None:
                root.append(pending.status)
            else:
                root.replace(status, pending.status)
        if pending.status_work is not None:
            self._live_status().merge(pending.status_work)

    def _install_section(self, conf: _Node, tag: str, edit: _SectionEdit) -> None:
        section = conf.find(tag)
        if edit.whole is not None:
            if section is None:
                conf.append(edit.whole)
            else:
                conf.replace(section, edit.whole)
            self._index.pop(tag, None)
            return
        index = self._index.get(tag)
        for old, new in edit.swaps:
            if index is not None and index.get(_key(old)) is old:
                del index[_key(old)]
            if new is None:
                section.remove(old)
            else:
                section.replace(old, new)
        for position, _, new in sorted(edit.creates, key=lambda c: c[:2]):
            section.insert(min(position, len(section)), new)
        for new in [n for _, n in edit.swaps if n is not None] + [n for _, _, n in edit.creates]:
            if index is not None and isinstance(new.tag, str):
                if _key(new) in index:
                    self._index[tag] = index = None
                else:
                    index[_key(new)] = new


_HANDLERS = {"patch": CibStore._patch, "replace": CibStore._replace,
             "status": CibStore._status_update, "dc": CibStore._dc, "nodes": CibStore._nodes}


# ---- planning a patch ---------------------------------------------------------------------------

@dataclass
class _SectionPlan:
    """What a patch does in one section: the (tag, id) of the objects on its paths, those it
    deletes, and the objects it creates in the section itself (position, order, element)."""

    keys: dict = field(default_factory=dict)
    deleted: set = field(default_factory=set)
    creations: list = field(default_factory=list)

    @property
    def created(self):
        return [_key(elem) for _, _, elem in self.creations]


def _plan(patch: _Node) -> dict[str, _SectionPlan] | None:
    """The sections a patch works in, or None when the shortcut does not fit it."""
    plans: dict[str, _SectionPlan] = {}
    for order, change in enumerate(patch.iterchildren("change")):
        path, operation = change.get("path"), change.get("operation")
        steps = parse_path(path) if path is not None else None
        if steps is None or steps[0] != ("cib", None):
            return None
        if len(steps) == 1:
            if operation != "modify":
                return None
            continue
        if steps[1] != ("configuration", None) or len(steps) == 2:
            return None
        tag, tag_id = steps[2]
        if tag_id is not None or tag not in SECTIONS:
            return None
        plan = plans.setdefault(tag, _SectionPlan())
        if len(steps) == 3:
            content = next((c for c in change if isinstance(c.tag, str)), None)
            position = change.get("position", "")
            if operation != "create" or content is None or not position.isdigit():
                return None
            plan.creations.append((int(position), order, content))
            continue
        key = steps[3]
        if key[1] is None or key[0] == "comment" or (len(steps) == 4 and operation == "move"):
            return None
        plan.keys[key] = None
        if len(steps) == 4 and operation == "delete":
            plan.deleted.add(key)
    return plans


def _without_creations(patch: _Node) -> _Node:
    """The patch without the creations of whole objects (placed by `_install` instead)."""
    lean = etree.Element(patch.tag, dict(patch.attrib))
    for child in patch:
        path = child.get("path") or ""
        if not (child.get("operation") == "create" and path.count("/") == 3):
            lean.append(copy.deepcopy(child))
    return lean


def _key(elem: _Node) -> tuple | None:
    return (elem.tag, elem.get("id")) if isinstance(elem.tag, str) else None


def _sections(conf: _Node) -> dict[str, _Node]:
    found: dict[str, _Node] = {}
    for section in conf.iterchildren(etree.Element):
        found.setdefault(section.tag, section)
    return found


# ---- small helpers ------------------------------------------------------------------------------

def _parse_fragment(body: bytes, source: str) -> _Node:
    try:
        return etree.fromstring(body, etree.XMLParser(**PARSER_OPTIONS))
    except etree.XMLSyntaxError as err:
        raise syntax_error(source, err) from None


def _require_valid(check: _Node) -> None:
    problems = validate(check)
    if problems:
        raise CibInvalid(problems)


def _values_only(old: _Node, new: _Node) -> bool:
    """Whether `new` is `old` with nothing changed but the values of nvpairs that had one."""
    if old.tag != new.tag or old.text != new.text or old.tail != new.tail or len(old) != len(new):
        return False
    a, b = old.attrib, new.attrib
    if a != b and (old.tag != "nvpair" or a.keys() != b.keys()
                   or any(a[k] != b[k] for k in a if k != "value")):
        return False
    return all(_values_only(x, y) for x, y in zip(old, new))


def _same(a: _Node | None, b: _Node | None) -> bool:
    return (a is None) == (b is None) and (a is None or etree.tostring(a) == etree.tostring(b))


def _plain(attrs) -> dict:
    return {k: v for k, v in attrs.items() if k not in _BOOKKEEPING}


def _copy_attr(root: _Node, attrs: dict, name: str) -> None:
    value = root.get(name)
    if value is None:
        attrs.pop(name, None)
    else:
        attrs[name] = value


def _bump_updates(version: CibVersion) -> CibVersion:
    return CibVersion(version.admin_epoch, version.epoch, version.num_updates + 1)


def _versioned(attrs, version: CibVersion) -> dict:
    elem = etree.Element("cib", dict(attrs))
    write_version(elem, version)
    return dict(elem.attrib)


def _set_properties(nvset: _Node, wanted: list[tuple[str, str]]) -> set[str]:
    """Set name=value nvpairs in a property set (Pacemaker's ids for new ones); the ids of
    those that changed."""
    changed = set()
    for name, value in wanted:
        pair = next((p for p in nvset.iterchildren("nvpair") if p.get("name") == name), None)
        if pair is None:
            pair = etree.SubElement(nvset, "nvpair", id=f"{nvset.get('id')}-{name}", name=name)
        elif pair.get("value") == value:
            continue
        pair.set("value", value)
        changed.add(pair.get("id"))
    return changed


def _diff_ids(old: _Node | None, new: _Node) -> frozenset:
    """The ids a replacement changes: what a patchset between the two would touch."""
    if old is None:
        return frozenset(e.get("id") for e in new.iter() if isinstance(e.tag, str) and e.get("id"))
    before, after = etree.Element("cib"), etree.Element("cib")
    for shell, elem in ((before, old), (after, new)):
        parent = shell if elem.tag == "configuration" else etree.SubElement(shell, "configuration")
        parent.append(copy.deepcopy(elem))
    return frozenset(i for _, i in changed_objects(make_patchset(before, after)))
