"""Identity and shape: duplicate ids, a resource in two containers, groups and clones whose
members are missing."""

from __future__ import annotations

from typing import Iterator

from crmshell.verify.findings import Finding, element_path, error
from crmshell.verify.index import CONTAINER_TAGS, RESOURCE_TAGS, CibIndex

_DEFINING_ATTRS = ("class", "type", "template")


def _container_of(elem):
    parent = elem.getparent()
    return parent if parent is not None and parent.tag in CONTAINER_TAGS else None


def check_ids(index: CibIndex) -> Iterator[Finding]:
    for ident, first, again in index.duplicates:
        if first.tag in RESOURCE_TAGS and again.tag in RESOURCE_TAGS:
            one, other = _container_of(first), _container_of(again)
            if one is not None and other is not None and one is not other:
                yield error(again, ident, f"{ident}: resource is a member of two containers "
                                          f"({one.get('id')} and {other.get('id')})")
                continue
        yield error(again, ident, f"{ident}: duplicate id (also used by <{first.tag}> at "
                                  f"{element_path(first)})")
    for ident, first, again in index.duplicate_nodes:
        yield error(again, ident, f"{ident}: duplicate node id (also used by node "
                                  f"{first.get('uname') or ident})")


def _is_placeholder(member) -> bool:
    """A member element that only names a resource: no agent, no template, no content."""
    return (member.tag == "primitive" and not any(member.get(a) for a in _DEFINING_ATTRS)
            and len(member) == 0)


def check_containers(index: CibIndex) -> Iterator[Finding]:
    for container in index.containers:
        cid = container.get("id")
        members = [m for m in container if isinstance(m.tag, str) and m.tag in RESOURCE_TAGS]
        kind = "group" if container.tag == "group" else container.tag
        for member in members:
            if _is_placeholder(member):
                mid = member.get("id") or member.get("id-ref") or "?"
                yield error(member, cid, f"{cid}: {kind} member {mid} does not exist")
        if not members and container.tag != "bundle":
            what = "members" if container.tag == "group" else "resource to clone"
            yield error(container, cid, f"{cid}: {kind} has no {what}")
        if container.tag in ("clone", "master") and len(members) > 1:
            yield error(container, cid, f"{cid}: a {kind} holds one resource, not {len(members)}")
