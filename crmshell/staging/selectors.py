"""Object selection for show, edit, filter, save: ids, globs, `type:`, `tag:`, `changed`, `related:`.

Selectors combine with `or` (the default between words) and `and` (intersection with what
came before), as crmsh reads them: `show type:primitive and tag:web`. A plain id that matches
nothing is an error, so a typo is never an empty answer.
"""

from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING

from crmshell.errors import ShellError
from crmshell.staging import objects as obj
from crmshell.lang import references as refs

if TYPE_CHECKING:
    from crmshell.staging.staged import StagedCib


def _by_id(all_objects: list, pattern: str) -> list:
    if any(ch in pattern for ch in "*?["):
        return [e for e in all_objects if fnmatch.fnmatchcase(obj.object_id(e), pattern)]
    hits = [e for e in all_objects if obj.object_id(e) == pattern]
    if not hits:
        hits = [e for e in all_objects if e.tag == "node" and e.get("id") == pattern]
    return hits


def _related(all_objects: list, name: str) -> list:
    found = _by_id(all_objects, name)
    for target in [e for e in found if obj.is_resource(e)]:
        tid = obj.object_id(target)
        for e in all_objects:
            if obj.is_constraint(e) and refs.refers_to(e, tid):
                found.append(e)
            elif e.tag == "tag" and any(r.get("id") == tid for r in e.iterfind("obj_ref")):
                found.append(e)
            elif e.tag in obj.CONTAINER_TAGS and e is not target and any(
                    d.get("id") == tid for d in e.iter("primitive", "group", "clone", "master")):
                found.append(e)
    parts = name.split(":")
    agent = None
    if len(parts) in (1, 2, 3):
        agent = parts
    if agent:
        for e in all_objects:
            if e.tag in ("primitive", "template") and _agent_matches(e, agent):
                found.append(e)
    return found


def _agent_matches(elem, parts: list[str]) -> bool:
    if len(parts) == 3:
        return [elem.get("class"), elem.get("provider"), elem.get("type")] == parts
    if len(parts) == 2:
        return [elem.get("class"), elem.get("type")] == parts
    return elem.get("type") == parts[0]


def select(staged: "StagedCib", selectors: list[str]) -> list:
    """The selected objects in the order selected; no selectors selects everything."""
    all_objects = list(obj.iter_objects(staged.configuration))
    if not selectors:
        return all_objects
    chosen: list = []
    pending_and: list | None = None
    for spec in selectors:
        if spec == "or":
            continue
        if spec == "and":
            pending_and, chosen = chosen, []
            continue
        if spec == "changed":
            hits = [e for e in all_objects if obj.object_id(e) in staged.changed]
        elif spec.startswith("type:"):
            kind = spec[5:]
            hits = [e for e in all_objects if obj.object_kind(e) == kind]
        elif spec.startswith("tag:"):
            name = spec[4:]
            members = {r.get("id") for t in all_objects if t.tag == "tag" and t.get("id") == name
                       for r in t.iterfind("obj_ref")}
            hits = [e for e in all_objects if e.tag != "node" and obj.object_id(e) in members]
        elif spec.startswith("related:"):
            hits = _related(all_objects, spec[len("related:"):])
        else:
            hits = _by_id(all_objects, spec)
            if not hits:
                raise ShellError(f"object {spec} does not exist")
        chosen.extend(h for h in hits if h not in chosen)
        if pending_and is not None:
            keep = {id(e) for e in pending_and}
            chosen = [e for e in chosen if id(e) in keep]
            pending_and = None
    if pending_and is not None:
        chosen = pending_and
    return chosen  # in the order selected: `show xml b a` prints b first, as crmsh does
