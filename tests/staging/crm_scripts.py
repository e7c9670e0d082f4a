"""Random crm scripts that exercise the staged CIB's edits (groups, clones, constraint sets,
renames, deletes across commits), for comparison with the real crmsh.

Scripts stay within what crmsh and crmshell agree on by design: no tags (we also rename tag
references, crmsh leaves them dangling) and no references to objects already deleted (crmsh
drops them silently, we refuse).
"""

from __future__ import annotations

import random


class _State:
    def __init__(self, prims: list[str]) -> None:
        self.parent: dict[str, str | None] = {p: None for p in prims}  # object -> container
        self.kind: dict[str, str] = {p: "primitive" for p in prims}

    def top(self) -> list[str]:
        return sorted(o for o, p in self.parent.items() if p is None)

    def free_primitives(self) -> list[str]:
        return sorted(o for o in self.top() if self.kind[o] == "primitive")

    def rename(self, old: str, new: str) -> None:
        self.parent[new] = self.parent.pop(old)
        self.kind[new] = self.kind.pop(old)
        for o, p in self.parent.items():
            if p == old:
                self.parent[o] = new


def script(seed: int) -> str:
    rnd = random.Random(seed)
    lines = ["configure", "property stonith-enabled=false", "node node1", "node node2"]
    prims = [f"d{i}" for i in range(rnd.randint(3, 7))]
    lines += [f"primitive {p} ocf:pacemaker:Dummy" for p in prims]
    state = _State(prims)
    deleted_any = False
    for step in range(rnd.randint(3, 10)):
        roll = rnd.random()
        top, free = state.top(), state.free_primitives()
        if roll < 0.15 and free:
            members = rnd.sample(free, rnd.randint(1, min(3, len(free))))
            group = f"g{step}"
            lines.append(f"group {group} " + " ".join(members))
            state.parent[group], state.kind[group] = None, "group"
            for m in members:
                state.parent[m] = group
        elif roll < 0.25:
            candidates = [o for o in top if state.kind[o] in ("primitive", "group")]
            if candidates:
                child, clone = rnd.choice(candidates), f"c{step}"
                lines.append(f"clone {clone} {child}")
                state.parent[clone], state.kind[clone] = None, "clone"
                state.parent[child] = clone
        elif roll < 0.45 and top:
            lines.append(f"location l{step} {rnd.choice(top)} "
                         f"{rnd.choice(['100', '-inf', 'inf'])}: node{rnd.randint(1, 2)}")
        elif roll < 0.6 and len(top) >= 2:
            lines.append(f"colocation co{step} inf: "
                         + " ".join(rnd.sample(top, rnd.randint(2, min(4, len(top))))))
        elif roll < 0.72 and len(top) >= 2:
            lines.append(f"order o{step} Mandatory: "
                         + " ".join(rnd.sample(top, rnd.randint(2, min(4, len(top))))))
        elif roll < 0.86 and top:
            victim = rnd.choice(top)
            lines += ["commit", f"delete {victim}"]
            _forget(state, victim)
            deleted_any = True
        elif not deleted_any:  # crmsh's own id bookkeeping after deletes is out of scope here
            named = [o for o in state.parent if state.kind[o] in ("primitive", "group")]
            if named:
                old = rnd.choice(sorted(named))
                lines.append(f"rename {old} {old}x")
                state.rename(old, f"{old}x")
    lines.append("commit")
    return "\n".join(lines) + "\n"


def _forget(state: _State, victim: str) -> None:
    """crmsh's delete: the object goes, its children move up, an emptied container goes too."""
    parent = state.parent.pop(victim)
    state.kind.pop(victim)
    for o, p in list(state.parent.items()):
        if p == victim:
            state.parent[o] = None
    if parent is not None and not any(p == parent for p in state.parent.values()):
        _forget(state, parent)
