"""From a parsed definition to the CIB element crmsh 4.4 would write.

    built = build(stmt, ids, context=BuildContext(configuration))

`Built.element` is the element in Pacemaker's CIB form, with crmsh's element order, attribute
order and generated ids. Containers (group, clone, ms, bundle) hold a `<crmsh-ref id=...>`
placeholder where each member goes; `place()` swaps the member in. `section` names the child
of `<configuration>` the element belongs in ("fencing-topology" is its own section).

Ids are reserved in `ids` as they are made; if the definition is then refused, `release()`
gives them back. Family-specific construction lives in build_resources, build_constraints
and build_options; what they share is in build_parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crmshell.lang.build_parts import BuildContext, resolve_references, stuff_comments
from crmshell.lang.idfix import IdFixer

__all__ = ["Built", "BuildContext", "build"]


@dataclass
class Built:
    kind: str
    id: str | None
    element: object
    section: str
    members: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    claimed: list[str] = field(default_factory=list)  # ids reserved while building
    kept: list[str] = field(default_factory=list)     # ids taken over from `previous`
    shared_id: str | None = None                      # own id already held by another object
    target: str | None = None                         # monitor: the primitive the op goes to
    replaces: list = field(default_factory=list)      # xml: existing resources given inline
    _ids: object = None

    def release(self) -> None:
        """Give back the ids reserved while building (the definition was not placed)."""
        for ident in self.claimed:
            self._ids.release(ident)
        self.claimed = []


def build(stmt, ids, *, context: BuildContext | None = None, previous=None) -> Built:
    """Build the CIB element for a parsed statement (see the module docstring).

    `previous` is the element this definition replaces (load update, edit): matching parts
    keep their ids, as crmsh keeps them.
    """
    from crmshell.lang import build_constraints, build_options, build_resources

    context = context or BuildContext()
    builders = {**build_resources.BUILDERS, **build_constraints.BUILDERS, **build_options.BUILDERS}
    draft = builders[stmt.kind](stmt.tree, context)
    if stmt.comments:
        stuff_comments(draft.element, stmt.comments)
    resolve_references(draft.element, context)
    ident = draft.object_id if draft.object_id is not None else stmt.id
    fixer = IdFixer(ids, previous, what=f"{stmt.kind} {ident}" if ident else stmt.kind,
                    also=draft.replaces)
    fixer.fix(draft.element, draft.id_prefix)
    return Built(draft.kind or stmt.kind, ident, draft.element, draft.section, draft.members,
                 list(stmt.comments), fixer.claimed, fixer.kept, fixer.own_shared,
                 draft.target, draft.replaces, ids)
