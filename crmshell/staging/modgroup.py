"""`modgroup`: add a primitive to a group (at the end, or after/before a member), or remove one.

The checks come first and name the problem the way a user thinks of it; only then does the
member move, so a refused modgroup leaves the group as it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crmshell.errors import ShellError
from crmshell.staging import objects as obj

if TYPE_CHECKING:
    from crmshell.staging.staged import StagedCib


def modgroup(staged: "StagedCib", group_id: str, action: str, member: str,
             position: str | None = None, ref_id: str | None = None) -> None:
    group = staged.find(group_id)
    if group is None:
        raise ShellError(f"group {group_id} does not exist")
    if group.tag != "group":
        raise ShellError(f"{group_id} is a {obj.object_kind(group)}, not a group")
    members = [c.get("id") for c in obj.child_resources(group)]
    if position is not None and ref_id not in members:
        raise ShellError(f"{ref_id} is not a member of {group_id}")
    if action == "remove":
        if member not in members:
            raise ShellError(f"{member} is not a member of {group_id}")
        if len(members) == 1:
            raise ShellError(f"{member} is the last member of {group_id}; delete the group instead")
        staged.begin_change()
        child = next(c for c in obj.child_resources(group) if c.get("id") == member)
        staged.configuration.find("resources").append(child)
        staged.mark_changed([group_id, member])
        return
    if action != "add":
        raise ShellError(f"unknown modgroup action '{action}': use add or remove")
    if member in members:
        raise ShellError(f"{member} is already a member of {group_id}")
    prim = staged.find(member)
    if prim is None:
        raise ShellError(f"{member} does not exist")
    if prim.tag != "primitive":
        raise ShellError(f"a group may contain only primitives; {member} is a {obj.object_kind(prim)}")
    holder = obj.container_of(prim)
    if holder is not None:
        raise ShellError(f"{member} is already in {obj.object_kind(holder)} {holder.get('id')}")
    staged.begin_change()
    if position is None:
        anchor, after = obj.child_resources(group)[-1], True
    else:
        anchor = next(c for c in obj.child_resources(group) if c.get("id") == ref_id)
        after = position == "after"
    if after:
        anchor.addnext(prim)
    else:
        anchor.addprevious(prim)
    staged.mark_changed([group_id, member])
