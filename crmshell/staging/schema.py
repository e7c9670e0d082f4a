"""`configure schema` and `configure upgrade`: the CIB's validate-with.

`schema <name>` stages another schema version for the next commit, checked (as crmsh checks
it) against that version's grammar when Pacemaker's schema files are installed. `upgrade`
is `cibadmin --upgrade`: it changes the CIB at once, to the newest version crmshell knows,
through Pacemaker's transforms where a major version is crossed, and bumps admin_epoch.
"""

from __future__ import annotations

import copy
from typing import Callable, Mapping

from crmshell.errors import ShellError
from daemon.cib.schema_versions import KNOWN, NEWEST, schema_dir, version_of


def set_schema(staged, schema: str, env: Mapping[str, str], *, log: Callable[[str], None],
               note: Callable[[str], None]) -> None:
    doc = staged.doc
    if schema == doc.get("validate-with"):
        log(f"already using schema {schema}")
        return
    if schema not in KNOWN and schema != "pacemaker-next":
        raise ShellError(f"schema {schema} does not exist (known: {KNOWN[0]} ... {NEWEST}, "
                         "pacemaker-next)")
    problem = _pacemaker_problem(doc, schema, env)
    if problem is None:
        note(f"Pacemaker's {schema}.rng is not installed: the configuration is checked with "
             "crmshell's own schema (at verify and commit) only")
    elif problem:
        raise ShellError(f"schema {schema} conflicts with the current configuration: {problem}")
    staged.begin_change()
    doc.set("validate-with", schema)


def _pacemaker_problem(doc, schema: str, env: Mapping[str, str]) -> str | None:
    """'' when the document fits Pacemaker's grammar of `schema`, the first problem when it
    does not, None when that grammar is not installed."""
    from lxml import etree

    path = schema_dir(env) / f"{schema}.rng"
    if not path.is_file():
        return None
    try:
        grammar = etree.RelaxNG(etree.parse(str(path)))
    except (OSError, etree.XMLSyntaxError, etree.RelaxNGParseError):
        return None
    trial = copy.deepcopy(doc)
    trial.set("validate-with", schema)
    if grammar.validate(trial):
        return ""
    error = grammar.error_log[0]
    return f"{error.path}: {error.message}" if error.path else error.message


def upgrade_cib(source, *, force: bool, env: Mapping[str, str]) -> str:
    """Upgrade the CIB behind `source`; returns what was done."""
    from daemon.cib.errors import CibError
    from daemon.cib.patchset import make_patchset
    from daemon.cib.schema import default_schema
    from daemon.cib.schema_versions import upgrade
    from daemon.cib.versions import CibVersion, write_version

    loaded = source.load()
    old = loaded.root.get("validate-with") or "pacemaker-1.0"
    if version_of(old) == version_of(NEWEST):
        return f"the CIB already uses {NEWEST}, the newest schema crmshell knows"
    if not force:
        raise ShellError(f"upgrade: this changes the CIB's schema from {old} to {NEWEST} at "
                         "once (cibadmin --upgrade wants --force too): use 'upgrade force'")
    target = copy.deepcopy(loaded.root)
    try:
        upgrade(target, env)
    except CibError as err:
        raise ShellError(f"upgrade: {err}") from None
    problems = default_schema().validate(target)
    if problems:
        raise ShellError(f"upgrade: the upgraded CIB does not validate: {problems[0]}")
    base = loaded.version
    write_version(target, CibVersion(base.admin_epoch + 1, 0, 0))
    source.commit(base, make_patchset(loaded.root, target), new_root=target, force=True)
    return f"upgraded the CIB from {old} to {NEWEST} (admin_epoch {base.admin_epoch + 1})"
