"""Giving every element of a new definition an id, as crmsh does.

crmsh walks the new element top-down. An element keeps an id it already has (given by the
user, or its node name); when it replaces an older version of itself, it takes the id of the
matching element there ("harvesting", so an edit does not renumber everything); otherwise it
gets a new one made from the nearest id above it: `<prefix>-<name>` for an nvpair,
`<prefix>-<op>-<interval>` for an op, `<prefix>-<kind>` for sets, rules and expressions
(`-ops`, `-instance_attributes`, `-rule`, `-expression`, ...), the prefix itself otherwise, and
the first free `-0`, `-1`, ... suffix when that is taken.
"""

from __future__ import annotations

from daemon.cib.ids import defined_ids, is_reference

from crmshell.lang.errors import DefinitionError

# elements that never get an id
IDLESS = frozenset({"operations", "fencing-topology", "network", "docker", "rkt", "podman",
                    "storage", "select", "select_attributes", "select_fencing", "select_nodes",
                    "select_resources"})
_SUFFIX = {
    "instance_attributes": "instance_attributes",
    "meta_attributes": "meta_attributes",
    "utilization": "utilization",
    "operations": "ops",
    "rule": "rule",
    "expression": "expression",
    "date_expression": "expression",
    "duration": "duration",
    "date_spec": "date_spec",
    "read": "read",
    "write": "write",
    "deny": "deny",
}

# attributes that must agree for an old element to lend its id to a new one
_MATCH_ON = {
    "node": ("uname",),
    "nvpair": ("name",),
    "op": ("name", "interval"),
    "rule": ("score", "score-attribute", "role"),
    "expression": ("attribute", "operation", "value"),
    "fencing-level": ("target", "devices"),
    "alert": ("path",),
    "recipient": ("value",),
}


class IdFixer:
    """Fills in the ids of one new element, reserving them in the allocator.

    `claimed` are the ids it reserved (release them if the definition is then refused);
    `kept` those it took over from `previous`; `own_shared` is set when the element's own id
    is already held by something else (a node and a resource may share a name: the caller
    decides whether that is allowed).
    """

    def __init__(self, ids, previous=None, *, what: str = "", also=()) -> None:
        self.ids = ids
        self.previous = previous
        replaced = ([previous] if previous is not None else []) + list(also)
        self.previous_ids = frozenset(i for elem in replaced for i in defined_ids(elem))
        self.what = what
        self.claimed: list[str] = []
        self.kept: list[str] = []
        self.own_shared: str | None = None
        self._used_old: set = set()
        self._seen: set[str] = set()
        self._top = None

    def fix(self, elem, prefix: str = "") -> None:
        self._top = elem
        try:
            self._visit(elem, self.previous, prefix, top_level=True)
        except DefinitionError:
            self.rollback()
            raise

    def rollback(self) -> None:
        for ident in self.claimed:
            self.ids.release(ident)
        self.claimed = []

    # -- the walk ---------------------------------------------------------------------------
    def _visit(self, node, oldnode, prefix: str, *, top_level: bool = False) -> None:
        ref = self._lookup(node, oldnode) if oldnode is not None and not top_level else None
        if self._needs_id(node):
            old_id = ref.get("id") if ref is not None else None
            new_id = node.get("id") or old_id or node.get("uname")
            if new_id:
                self._take(new_id, top_level)
                node.set("id", new_id)
            else:
                node.set("id", self._generate(node, prefix))
            if ref is not None and old_id == node.get("id"):
                self._used_old.add(ref)
        elif "id" in node.attrib and not is_reference(node):
            self._take(node.get("id"), top_level)  # e.g. operations $id=...: given, never made
        if node.tag == "node" and "uname" in node.attrib:
            prefix = node.get("uname")
        elif "id" in node.attrib:
            prefix = node.get("id")
        below = ref if ref is not None else (self.previous if top_level else oldnode)
        for child in node:
            if isinstance(child.tag, str):
                self._visit(child, below, prefix)

    @staticmethod
    def _needs_id(node) -> bool:
        return ("id-ref" not in node.attrib and node.tag not in IDLESS
                and not is_reference(node))

    def _lookup(self, node, oldnode):
        keys = list(_MATCH_ON.get(node.tag, ()))
        if node.get("id"):
            keys.append("id")
        for candidate in oldnode:
            if candidate.tag != node.tag or candidate in self._used_old:
                continue
            if all(node.get(k) == candidate.get(k) for k in keys):
                return candidate
        return None

    def _take(self, ident: str, top_level: bool) -> None:
        if ident in self._seen:
            where = f" in {self.what}" if self.what else ""
            raise DefinitionError(f"id '{ident}' is given twice{where}", object_id=self.what or None)
        self._seen.add(ident)
        if ident in self.previous_ids:
            self.kept.append(ident)
        elif ident not in self.ids:
            self.ids.reserve(ident)
            self.claimed.append(ident)
        elif top_level:
            self.own_shared = ident
        else:
            where = f" in {self.what}" if self.what else ""
            raise DefinitionError(f"id '{ident}'{where} is already in use", object_id=self.what or None)

    def _generate(self, node, prefix: str) -> str:
        if prefix.isdigit() and node.tag != "node":
            prefix = f"num-{prefix}"
        tag = node.tag
        if tag == "nvpair":
            base = f"{prefix}-{node.get('name')}"
        elif tag == "op":
            interval = node.get("interval")
            base = f"{prefix}-{node.get('name')}-{interval}" if interval else f"{prefix}-{node.get('name')}"
        else:
            suffix = _SUFFIX.get(tag)
            base = f"{prefix}-{suffix}" if suffix else prefix
        ident = self.ids.make(base)
        self.claimed.append(ident)
        return ident
