"""The daemon's live CIB: every replicated update applied in agreed order, pure.

Every node feeds its store the same updates in the same order, so applying reads no clock
and draws no random number: who asked and when come with the update (`meta`), and the
result is the same document, byte for byte, on every node.

A refused update (a stale base, old data, bad XML, a result the schema refuses) leaves the
store exactly as it was. The work is therefore done on copies, and only of what the update
touches: a patch is applied to a skeleton holding copies of the objects on its paths (and
stand-ins for their untouched siblings when positions matter), the result is validated
together with one untouched object per section (the schema has no cross-references, so
what was valid stays valid), and the new objects are then swapped into the live document.
That keeps a small commit on a 1000-resource CIB in the order of a millisecond. Whenever a
shortcut does not fit (paths through the status section, a changed section element, a
sparse check that fails) the whole document is copied and checked, which is always right.
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
from daemon.cib.status_apply import apply_status_ops, node_states, touched_nodes
from daemon.cib.versions import CibVersion, read_version, stamp_update, write_version

_Node = etree._Element

SECTIONS = ("crm_config", "nodes", "resources", "constraints", "rsc_defaults", "op_defaults",
            "fencing-topology", "acls", "tags", "alerts")
# Kept on <cib> by the cluster (the dc update), not by the administrator's patches.
CLUSTER_ATTRS = ("dc-uuid", "have-quorum")
# <cib> attributes whose change alone is not a configuration change.
_BOOKKEEPING = frozenset({"admin_epoch", "epoch", "num_updates", "cib-last-written",
                          "update-origin", "update-client", "update-user", *CLUSTER_ATTRS})
_MARK = "crmshell-stand-in"   # stand-ins for untouched siblings; never leaves this module
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
class _Pending:
    """An update worked out and checked, not yet in the live document. `sections` maps a
    section to its new attributes and children (live elements kept, new ones in between)."""

    attrs: dict | None = None
    sections: dict = field(default_factory=dict)
    configuration: _Node | None = None
    status: _Node | None = None
    node_states: list = field(default_factory=list)
    config_changed: bool = False
    changed_ids: frozenset = frozenset()


class CibStore:
    """The live document (`root`, mutated only by `apply`) and its version.

    Readers that need a document that does not change under them take `snapshot()`.
    """

    def __init__(self, root: _Node, *, history: int = HISTORY, check: bool = True) -> None:
        if check:
            problems = validate(root)
            if problems:
                raise CibInvalid(problems)
        self.root = root
        self._history: deque[_Change] = deque(maxlen=history)

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
        pending = handler(self, update)
        if pending is not None:
            self._install(pending)
        after = self.version
        changed = pending.changed_ids if pending is not None else frozenset()
        config = pending is not None and pending.config_changed
        if config:
            self._history.append(_Change(tuple(before[:2]), tuple(after[:2]), changed))
        return Applied(config, tuple(update.ops), tuple(update.results), before, after, changed)

    def changed_since(self, base: CibVersion) -> frozenset | None:
        """The ids changed after configuration version `base`; None when unknown."""
        base2, current = tuple(base[:2]), tuple(self.version[:2])
        if base2 == current:
            return frozenset()
        if base2 > current or not self._history or self._history[0].before > base2:
            return None
        return frozenset().union(*(c.ids for c in self._history if c.after > base2))

    # ---- the kinds of update ----------------------------------------------------------------

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
        ids = frozenset(i for _, i in changed_objects(patch))
        target = versions[1] if versions else None
        plans = _plan(patch)
        pending = self._sparse_patch(patch, plans, update, target) if plans is not None else None
        if pending is None:
            pending = self._full_patch(patch, update, target)
        if pending is not None:
            pending.changed_ids = ids
        return pending

    def _sparse_patch(self, patch, plans, update, target) -> _Pending | None:
        conf = self.root.find("configuration")
        shell = _skeleton(self.root, conf, plans)
        if shell is None:
            return None
        result = apply_patchset(shell, patch, check_version=False)
        sections = {}
        live = {s.tag: s for s in conf if isinstance(s.tag, str)}
        for rsec in result.find("configuration"):
            plan = plans.get(rsec.tag)
            if plan is None or not isinstance(rsec.tag, str):
                continue
            children = _final_children(live[rsec.tag], rsec, plan)
            if children is None:
                return None
            sections[rsec.tag] = (dict(rsec.attrib), children)
        attrs, changed = self._new_attrs(result.attrib, bool(plans), update, target)
        if not changed:
            return _Pending()
        pending = _Pending(attrs=attrs, sections=sections, config_changed=True)
        return pending if self._sections_valid(pending) else None

    def _full_patch(self, patch, update, target) -> _Pending:
        result = apply_patchset(self.root, patch, check_version=False)
        conf = result.find("configuration")
        if conf is None:
            raise PatchError("the patch removes /cib/configuration")
        config_changed = etree.tostring(conf) != etree.tostring(self.root.find("configuration"))
        attrs, changed = self._new_attrs(result.attrib, config_changed, update, target)
        status = result.find("status")
        if status is None and self.root.find("status") is not None:
            status = etree.Element("status")
        if _same(status, self.root.find("status")):
            status = None
        if not changed and status is None:
            return _Pending()
        check = etree.Element("cib", attrs)
        check.append(conf)
        if status is not None:
            check.append(status)
            if not changed:
                attrs = _versioned(attrs, _bump_updates(self.version))
                check.attrib.update(attrs)
        _require_valid(check)
        return _Pending(attrs=attrs, configuration=conf, status=status, config_changed=changed)

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
        old = self.root.find("configuration" if section == "configuration" else f"configuration/{section}")
        if old is not None and etree.tostring(old) == etree.tostring(new):
            return None
        attrs = self._stamped(dict(self.root.attrib), update, None)
        ids = _diff_ids(old, new)
        if section == "configuration":
            check = etree.Element("cib", attrs)
            check.append(new)
            _require_valid(check)
            return _Pending(attrs=attrs, configuration=new, config_changed=True, changed_ids=ids)
        pending = _Pending(attrs=attrs, sections={section: (dict(new.attrib), list(new))},
                           config_changed=True, changed_ids=ids)
        if not self._sections_valid(pending):
            self._require_full_valid(pending)
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
        same = (etree.tostring(conf) == etree.tostring(live_conf)
                and _plain(attrs) == _plain(self.root.attrib))
        if same and tuple(theirs[:2]) <= tuple(current[:2]):
            return None
        base = max(tuple(theirs[:2]), tuple(current[:2]))
        attrs = self._stamped(attrs, update, CibVersion(base[0], base[1] + 1, 0))
        check = etree.Element("cib", attrs)
        ids = _diff_ids(live_conf, conf)
        check.append(conf)
        _require_valid(check)
        return _Pending(attrs=attrs, configuration=conf, config_changed=True, changed_ids=ids)

    def _status(self, update) -> _Pending | None:
        if not update.ops:
            return None
        live_status = self.root.find("status")
        existing = {} if live_status is None else node_states(live_status, touched_nodes(update.ops))
        check = etree.Element("cib", dict(self.root.attrib))
        conf = etree.SubElement(check, "configuration")
        for tag in SECTIONS[:4]:
            etree.SubElement(conf, tag)
        work = etree.SubElement(check, "status")
        for node in existing.values():
            work.append(copy.deepcopy(node))
        try:
            apply_status_ops(check, update.ops)
        except (ValueError, TypeError) as err:  # lxml refuses text that XML cannot hold
            raise StatusOpError(f"update.ops: {err}") from None
        _require_valid(check)
        return _Pending(attrs=_versioned(self.root.attrib, _bump_updates(self.version)),
                        node_states=list(work))

    def _dc(self, update) -> _Pending | None:
        attrs = dict(self.root.attrib)
        if update.dc is None:
            attrs.pop("dc-uuid", None)
        else:
            attrs["dc-uuid"] = update.dc.id
        attrs["have-quorum"] = "1" if update.quorate else "0"
        wanted = [("dc-version", update.dc_version), ("cluster-infrastructure", "corosync"),
                  ("cluster-name", update.cluster_name)]
        crm_config = self.root.find("configuration/crm_config")
        if crm_config is None:
            raise CibError("/cib/configuration: there is no crm_config section")
        old_set = next((s for s in crm_config.iterchildren("cluster_property_set")
                        if s.get("id") == BOOTSTRAP), None)
        new_set = etree.Element("cluster_property_set", id=BOOTSTRAP) if old_set is None \
            else copy.deepcopy(old_set)
        ids = _set_properties(new_set, [(n, v) for n, v in wanted if v])
        if ids:
            children = list(crm_config)
            if old_set is None:
                children.insert(0, new_set)
            else:
                children[children.index(old_set)] = new_set
            attrs = self._stamped(attrs, update, None)
            pending = _Pending(attrs=attrs, sections={"crm_config": (dict(crm_config.attrib), children)},
                               config_changed=True, changed_ids=frozenset(ids | {BOOTSTRAP}))
            if not self._sections_valid(pending):
                self._require_full_valid(pending)
            return pending
        if attrs == dict(self.root.attrib):
            return None
        return _Pending(attrs=_versioned(attrs, _bump_updates(self.version)))

    def _nodes(self, update) -> _Pending | None:
        section = self.root.find("configuration/nodes")
        if section is None:
            raise CibError("/cib/configuration: there is no nodes section")
        children = list(section)
        by_id = {c.get("id"): i for i, c in enumerate(children) if c.tag == "node"}
        names = {c.get("uname") for c in children if c.tag == "node"}
        ids = set()
        for ref in update.nodes:
            if not ref.id or not ref.name:
                raise CibError(f"update.nodes: node {ref.id!r}/{ref.name!r} needs an id and a name")
            index = by_id.get(ref.id)
            if index is not None:
                if children[index].get("uname") != ref.name:
                    node = copy.deepcopy(children[index])
                    node.set("uname", ref.name)
                    children[index] = node
                    ids.add(ref.id)
            elif ref.name not in names:
                children.append(etree.Element("node", id=ref.id, uname=ref.name, type="member"))
                by_id[ref.id] = len(children) - 1
                ids.add(ref.id)
            names.add(ref.name)
        if not ids:
            return None
        attrs = self._stamped(dict(self.root.attrib), update, None)
        pending = _Pending(attrs=attrs, sections={"nodes": (dict(section.attrib), children)},
                           config_changed=True, changed_ids=frozenset(ids))
        if not self._sections_valid(pending):
            self._require_full_valid(pending)
        return pending

    # ---- versions, checks, installing -------------------------------------------------------

    def _new_attrs(self, result_attrs, config_paths: bool, update, target) -> tuple[dict, bool]:
        """The <cib> attributes after a patch, and whether the configuration changed."""
        attrs = dict(result_attrs)
        for name in CLUSTER_ATTRS:
            _copy_attr(self.root, attrs, name)
        changed = config_paths or _plain(attrs) != _plain(self.root.attrib)
        if not changed:
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

    def _sections_valid(self, pending: _Pending) -> bool:
        """Check the changed sections' new objects, plus one untouched object of every
        section (so that sections needing one element still have it)."""
        return not validate(self._candidate(pending, sparse=True))

    def _require_full_valid(self, pending: _Pending) -> None:
        _require_valid(self._candidate(pending, sparse=False))

    def _candidate(self, pending: _Pending, *, sparse: bool) -> _Node:
        """A document to validate: the new objects are moved into it (`_install` moves them
        on into the live document); live objects are copied, all of them or one per section."""
        check = etree.Element("cib", pending.attrs)
        conf = self.root.find("configuration")
        out = etree.SubElement(check, "configuration", dict(conf.attrib))
        live_tags = [s.tag for s in conf if isinstance(s.tag, str)]
        for tag in live_tags + [t for t in pending.sections if t not in live_tags]:
            live = conf.find(tag)
            if tag in pending.sections:
                attrs, children = pending.sections[tag]
                kept = set() if live is None else set(live)
            else:
                attrs, children, kept = dict(live.attrib), list(live), set(live)
            section = etree.SubElement(out, tag, attrs)
            witness = False
            for child in children:
                if child not in kept:
                    section.append(child)
                elif not sparse or not witness:
                    section.append(copy.deepcopy(child))
                    witness = isinstance(child.tag, str)
        return check

    def _install(self, pending: _Pending) -> None:
        """Put a checked change in place; nothing here can fail on valid input."""
        root = self.root
        if pending.attrs is not None:
            root.attrib.clear()
            root.attrib.update(pending.attrs)
        conf = root.find("configuration")
        if pending.configuration is not None:
            root.replace(conf, pending.configuration)
        for tag, (attrs, children) in pending.sections.items():
            section = conf.find(tag)
            if section is None:
                section = etree.SubElement(conf, tag)
            keep = set(children)
            for child in [c for c in section if c not in keep]:
                section.remove(child)
            section.attrib.clear()
            section.attrib.update(attrs)
            for child in children:
                section.append(child)
        status = root.find("status")
        if pending.status is not None:
            if status is None:
                root.append(pending.status)
            else:
                root.replace(status, pending.status)
        elif pending.node_states:
            if status is None:
                status = etree.SubElement(root, "status")
            live = node_states(status, [n.get("id") for n in pending.node_states])
            for node in pending.node_states:
                old = live.get(node.get("id"))
                if old is None:
                    status.append(node)
                else:
                    status.replace(old, node)


_HANDLERS = {"patch": CibStore._patch, "replace": CibStore._replace, "status": CibStore._status,
             "dc": CibStore._dc, "nodes": CibStore._nodes}


# ---- patches, sparsely ------------------------------------------------------------------------

@dataclass
class _SectionPlan:
    """What a patch does in one section: the (tag, id) of the objects on its paths, whether
    sibling positions matter (creations and moves of objects), the objects it deletes."""

    keys: set = field(default_factory=set)
    siblings: bool = False
    deleted: list = field(default_factory=list)


def _plan(patch: _Node) -> dict[str, _SectionPlan] | None:
    """The sections a patch works in, or None when a shortcut does not fit it."""
    plans: dict[str, _SectionPlan] = {}
    for change in patch.iterchildren("change"):
        path, operation = change.get("path"), change.get("operation")
        if path is None:
            return None
        steps = parse_path(path)
        if steps[0] != ("cib", None):
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
            if operation != "create":
                return None
            plan.siblings = True
            plan.keys.update(_key(c) for c in change if isinstance(c.tag, str))
            continue
        key = steps[3]
        if key[1] is None or key[0] == "comment":
            return None
        plan.keys.add(key)
        if len(steps) == 4 and operation == "move":
            plan.siblings = True
        elif len(steps) == 4 and operation == "delete":
            plan.deleted.append(key)
    return plans


def _key(elem: _Node) -> tuple | None:
    return (elem.tag, elem.get("id")) if isinstance(elem.tag, str) else None


def _skeleton(root: _Node, conf: _Node, plans: dict[str, _SectionPlan]) -> _Node | None:
    """<cib> and <configuration> with every section: copies of the objects a patch works
    on, stand-ins for their siblings where positions matter, nothing else."""
    shell = etree.Element("cib", dict(root.attrib))
    out = etree.SubElement(shell, "configuration", dict(conf.attrib))
    seen = set()
    for section in conf:
        if not isinstance(section.tag, str):
            continue
        if section.tag in seen:
            return None
        seen.add(section.tag)
        copy_section = etree.SubElement(out, section.tag, dict(section.attrib))
        plan = plans.get(section.tag)
        if plan is None:
            continue
        for index, child in enumerate(section):
            if _key(child) in plan.keys:
                copied = copy.deepcopy(child)
                copied.tail = None
                copy_section.append(copied)
            elif plan.siblings:
                copy_section.append(_stand_in(child, index))
    return shell


def _stand_in(child: _Node, index: int) -> _Node:
    if not isinstance(child.tag, str):
        return etree.Comment(f"{_MARK} {index}")
    attrs = {_MARK: str(index)}
    if child.get("id") is not None:
        attrs["id"] = child.get("id")
    return etree.Element(child.tag, attrs)


def _stand_in_index(elem: _Node) -> int | None:
    if isinstance(elem.tag, str):
        text = elem.get(_MARK)
    else:
        text = (elem.text or "")[len(_MARK) + 1:] if (elem.text or "").startswith(_MARK) else None
    return int(text) if text is not None else None


def _final_children(live: _Node, result: _Node, plan: _SectionPlan) -> list | None:
    """The section's children after the patch: live elements where the patch left them,
    its new or changed elements in between."""
    old = list(live)
    if plan.siblings:
        final = []
        for child in result:
            index = _stand_in_index(child)
            final.append(child if index is None else old[index])
        return final
    survivors = [c for c in old if _key(c) in plan.keys]
    for key in plan.deleted:
        gone = next((c for c in survivors if _key(c) == key), None)
        if gone is not None:
            survivors.remove(gone)
    new = list(result)
    if len(new) != len(survivors):
        return None
    replacement = dict(zip(survivors, new))
    return [replacement.get(c, c) for c in old if c in replacement or _key(c) not in plan.keys]


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


def _ids_below(elem: _Node) -> frozenset:
    return frozenset(e.get("id") for e in elem.iter() if isinstance(e.tag, str) and e.get("id"))


def _diff_ids(old: _Node | None, new: _Node) -> frozenset:
    """The ids a replacement changes: what a patchset between the two would touch."""
    if old is None:
        return _ids_below(new)
    before, after = etree.Element("cib"), etree.Element("cib")
    for shell, elem in ((before, old), (after, new)):
        parent = shell if elem.tag == "configuration" else etree.SubElement(shell, "configuration")
        parent.append(copy.deepcopy(elem))
    return frozenset(i for _, i in changed_objects(make_patchset(before, after)))


def _versioned(attrs, version: CibVersion) -> dict:
    elem = etree.Element("cib", dict(attrs))
    write_version(elem, version)
    return dict(elem.attrib)
