"""The house rules on imports: no cycles among crmshell and daemon modules, and nothing in
daemon/ imports crmshell (the daemon is installed and run without the shell).

Imports are read with ast, not by importing. Module-level imports count, including those in
class bodies and in `try`/`if` blocks at the top; imports inside functions (deliberately lazy,
to keep `crmshell --version` fast) and under `if TYPE_CHECKING:` (never executed) do not.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("crmshell", "daemon")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def module_level_imports(tree: ast.Module, *, lazy: bool = False):
    """Import statements that run when the module is imported (with `lazy`, those in
    functions too)."""
    todo = list(tree.body)
    while todo:
        node = todo.pop(0)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If):
            todo.extend(node.orelse if _is_type_checking(node.test) and not lazy
                        else node.body + node.orelse)
        elif isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            todo.extend(node.body + node.orelse + node.finalbody
                        + [s for h in node.handlers for s in h.body])
        elif isinstance(node, (ast.ClassDef, ast.With)) or \
                (lazy and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))):
            todo.extend(node.body)
        elif lazy and isinstance(node, ast.stmt):
            todo.extend(c for c in ast.iter_child_nodes(node) if isinstance(c, ast.stmt))


def imported_modules(name: str, path: Path, known: dict[str, Path], *,
                     lazy: bool = False) -> set[str]:
    """The project modules `name` imports at module level."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in module_level_imports(tree, lazy=lazy):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name in known)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join(anchor + ([base] if base else []))
        for alias in node.names:
            full = f"{base}.{alias.name}"
            if full in known:
                out.add(full)
            elif base in known:
                out.add(base)
    out.discard(name)
    return out


def import_graph(*, lazy: bool = False) -> dict[str, set[str]]:
    known = all_modules()
    return {name: imported_modules(name, path, known, lazy=lazy) for name, path in known.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycles():
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_no_cycle_in_the_shell_even_counting_lazy_and_typing_imports():
    """A function-level import hides a cycle from Python, not from a reader (the old one ran
    ui/context -> levels/configure -> staging -> cibsource -> ui/context); the shell has none.
    (The daemon's lazy ones, in the scheduler, are its own engineer's to cut.)"""
    found = [c for c in cycles(import_graph(lazy=True)) if any(m.startswith("crmshell") for m in c)]
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_daemon_never_imports_the_shell():
    graph = import_graph()
    known = all_modules()
    offenders = []
    for name, path in known.items():
        if not name.startswith("daemon"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):  # any import, lazy ones too: the daemon runs without crmshell
            targets = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            offenders += [f"{path.relative_to(ROOT)}:{node.lineno}: {t}" for t in targets
                          if t == "crmshell" or t.startswith("crmshell.")]
    assert graph and not offenders, "\n".join(offenders)


@pytest.mark.parametrize("source,expected", [
    ("import a\nimport b\n", [["a", "b"]]),
    ("import b\n", []),
])
def test_the_check_finds_a_cycle(source, expected):
    """The cycle finder itself: a <-> b is found, a -> b alone is not."""
    graph = {"a": {"b"} if "import b" in source else set(), "b": {"a"} if expected else set()}
    assert cycles(graph) == expected


def test_lazy_and_type_checking_imports_do_not_count():
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import x\n"
                     "def f():\n    import y\ntry:\n    import z\nexcept ImportError:\n    pass\n")
    names = [a.name for n in module_level_imports(tree) if isinstance(n, ast.Import)
             for a in n.names]
    assert names == ["z"]
