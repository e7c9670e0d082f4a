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


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules(root: Path = ROOT) -> dict[str, Path]:
    return {module_name(p, root): p for pkg in PACKAGES for p in sorted((root / pkg).rglob("*.py"))}


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


def import_graph(root: Path = ROOT, *, lazy: bool = False) -> dict[str, set[str]]:
    known = all_modules(root)
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


def daemon_imports_of_the_shell(root: Path = ROOT) -> list[str]:
    """`file:line: module` of every import of crmshell in daemon/, lazy ones too."""
    offenders = []
    for name, path in all_modules(root).items():
        if not name.startswith("daemon"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):  # any import, lazy ones too: the daemon runs without crmshell
            targets = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            offenders += [f"{path.relative_to(root)}:{node.lineno}: {t}" for t in targets
                          if t == "crmshell" or t.startswith("crmshell.")]
    return offenders


def test_daemon_never_imports_the_shell():
    offenders = daemon_imports_of_the_shell()
    assert import_graph() and not offenders, "\n".join(offenders)


# -- the checks themselves, on a made-up tree: a new cycle or daemon -> crmshell import fails ---
def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for pkg in PACKAGES:
        for directory in [root / pkg, *(p for p in (root / pkg).rglob("*") if p.is_dir())]:
            (directory / "__init__.py").touch()
    return root


SOUND = {
    "crmshell/cli.py": "from crmshell.levels import root\nimport daemon.cib.store\n",
    "crmshell/levels/root.py": "from . import helpers\nfrom ..errors import ShellError\n",
    "crmshell/levels/helpers.py": "import os\nfrom crmshell.errors import ShellError\n",
    "crmshell/errors.py": "class ShellError(Exception):\n    pass\n",
    "daemon/cib/store.py": "from daemon.cib import ids\n",
    "daemon/cib/ids.py": "import re\n",
}


def test_a_sound_tree_passes(tmp_path):
    root = _tree(tmp_path, SOUND)
    assert cycles(import_graph(root)) == [] and cycles(import_graph(root, lazy=True)) == []
    assert daemon_imports_of_the_shell(root) == []


@pytest.mark.parametrize("name,text,expected", [
    # the three ways of writing an import, each closing a cycle
    ("crmshell/errors.py", "import crmshell.cli\n",
     ["crmshell.cli", "crmshell.errors", "crmshell.levels.helpers", "crmshell.levels.root"]),
    ("crmshell/errors.py", "from crmshell.levels import helpers\n",
     ["crmshell.errors", "crmshell.levels.helpers"]),
    ("crmshell/levels/helpers.py", "from . import root\n",
     ["crmshell.levels.helpers", "crmshell.levels.root"]),
    ("daemon/cib/ids.py", "try:\n    from .store import x\nexcept ImportError:\n    pass\n",
     ["daemon.cib.ids", "daemon.cib.store"]),
])
def test_a_new_cycle_is_found(tmp_path, name, text, expected):
    root = _tree(tmp_path, {**SOUND, name: text})
    assert cycles(import_graph(root)) == [expected]


def test_a_cycle_through_a_function_level_import_is_found_with_lazy(tmp_path):
    root = _tree(tmp_path, {**SOUND, "crmshell/errors.py": "def f():\n    import crmshell.cli\n"})
    assert cycles(import_graph(root)) == []
    assert cycles(import_graph(root, lazy=True)) == [
        ["crmshell.cli", "crmshell.errors", "crmshell.levels.helpers", "crmshell.levels.root"]]


@pytest.mark.parametrize("text,found", [
    ("import crmshell\n", "daemon/cib/ids.py:1: crmshell"),
    ("from crmshell.errors import ShellError\n", "daemon/cib/ids.py:1: crmshell.errors"),
    ("def f():\n    import crmshell.cli\n", "daemon/cib/ids.py:2: crmshell.cli"),
])
def test_a_daemon_import_of_the_shell_is_found(tmp_path, text, found):
    root = _tree(tmp_path, {**SOUND, "daemon/cib/ids.py": text})
    assert daemon_imports_of_the_shell(root) == [found]
