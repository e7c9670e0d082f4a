"""The `configure` level: crmsh's configuration language on the staged CIB.

Definitions (`primitive`, `location`, ...) are handed whole to the language parser; the other
commands are methods whose signatures are their usage. Nothing here prints directly or
touches files other than through the staged CIB and the context.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from crmshell.completion import kinds as k
from crmshell.errors import Consequence, ShellError, UsageError, reportable
from daemon.cib.schema_versions import KNOWN as KNOWN_SCHEMAS
from daemon.scheduler.errors import SchedulerError
from crmshell.ui.command import CommandSpec, command
from crmshell.ui.level import Level

# The first words of definitions. Kept here as plain strings so that building this level's
# command table does not import the parser (tests check it against the grammar's own list).
DEFINITIONS = {
    "node": "define a cluster node and its attributes",
    "primitive": "define a primitive resource",
    "monitor": "add a monitor operation to a primitive",
    "group": "define a group of resources",
    "clone": "define a clone",
    "ms": "define a promotable (master/slave) clone",
    "master": "define a promotable (master/slave) clone (alias of ms)",
    "rsc_template": "define a resource template",
    "bundle": "define a container bundle",
    "location": "a location preference or rule for a resource",
    "colocation": "keep resources together (or apart)",
    "collocation": "keep resources together (or apart) (alias of colocation)",
    "order": "order the actions of resources",
    "rsc_ticket": "make resources depend on a ticket",
    "property": "set cluster properties",
    "rsc_defaults": "set resource defaults",
    "op_defaults": "set operation defaults",
    "fencing_topology": "define fencing levels",
    "tag": "group objects under a tag",
    "alert": "define an alert agent",
    "role": "define an ACL role",
    "user": "define ACL permissions for a user (old syntax)",
    "acl_target": "give ACL roles to a user",
    "acl_group": "give ACL roles to a group",
    "xml": "add an object given as raw CIB XML",
}


def _definition_spec(name: str, summary: str) -> CommandSpec:
    return CommandSpec(name=name, func=ConfigureLevel.define, usage=f"{name} ...",
                       summary=summary, min_args=0, max_args=None, raw=True)


EDIT_MODE_LINE = "# vim: set filetype=pcmk:\n"
_SCHEMA_CHOICES = (*reversed(KNOWN_SCHEMAS), "pacemaker-next")
_SIMULATE_USAGE = "simulate [status] [scores] [actions] [explain <rsc>] [nograph] [v...]"


def _modgroup_member(args: list[str]):
    """`add` takes a primitive no container holds yet; `remove` one of the group's (any)."""
    return k.ObjectIds(k.PRIMITIVES, free=args[1:2] == ["add"])


def _modgroup_position(args: list[str]):
    if len(args) == 3 and args[1] == "add":
        return k.choice("after", "before", meta="position in the group")
    if len(args) == 4 and args[3] in ("after", "before"):
        return k.ObjectIds(k.PRIMITIVES)
    return None


def _load_argument(args: list[str]):
    rest = args[1:] if args[:1] == ["xml"] else args
    methods = (("replace", "the file becomes the configuration"),
               ("update", "merge the file's objects in"),
               ("push", "replace, removing what the file lacks"))
    if not rest:
        return k.Choice(((("xml", "the file is CIB XML"),) if not args else ()) + methods)
    return k.FilePaths() if len(rest) == 1 else None


class ConfigureLevel(Level):
    name = "configure"
    summary = "edit the cluster configuration (staged until commit)"

    @classmethod
    def extra_commands(cls) -> dict[str, CommandSpec]:
        return {name: _definition_spec(name, summary) for name, summary in DEFINITIONS.items()}

    def on_leave(self) -> None:
        staged = self.ctx.staged_if_loaded
        if staged is None or not staged.has_changes():
            return
        ctx = self.ctx
        if ctx.on_pending_changes is not None:  # the REPL asks
            ctx.on_pending_changes(ctx)
        elif ctx.transaction.failed:  # the batch rules: drop a failed transaction...
            drop_failed(ctx)
        else:  # ...and commit a clean one
            commit(ctx)

    # -- definitions -----------------------------------------------------------------------
    def define(self, ctx, statement: str, column: int) -> None:
        from crmshell.staging.define import define
        from crmshell.lang.parser import parse_statement

        stmt = parse_statement(statement, source=ctx.location.source, line=ctx.location.line,
                               column=column)
        define(ctx.staged, [stmt], log=ctx.info)
        if stmt.id:
            ctx.origins[stmt.id] = (ctx.location.line, column, statement)
            _tell_unknown_agents(ctx, [stmt.id])

    def check_statement(self, spec: CommandSpec, statement: str, column: int) -> None:
        from crmshell.lang.parser import parse_statement

        ctx = self.ctx
        parse_statement(statement, source=ctx.location.source, line=ctx.location.line, column=column)

    # -- looking -------------------------------------------------------------------------
    @command(usage="show [xml] [<id>|type:<kind>|tag:<tag>|related:<id>|changed|and|or ...]",
             repeating=k.Selectors())
    def do_show(self, ctx, *selectors: str) -> None:
        """Show the configuration (or selected objects) in the configuration language."""
        from crmshell.ui.showing import show_configuration

        as_xml, sel = xml_flag(selectors)
        show_configuration(ctx, self._selection_text(ctx, sel, as_xml)[0], xml=as_xml)

    @command()
    def do_verify(self, ctx) -> None:
        """Check the staged configuration as crm_verify does, plus crmshell's own checks."""
        findings = run_verify(ctx)
        errors = [f for f in findings if f.severity == "error"]
        if errors:
            raise Consequence(f"verify found {len(errors)} error{'s' if len(errors) > 1 else ''}")

    @command(aliases=("ptest",), usage=_SIMULATE_USAGE,
             repeating=k.choice("status", "scores", "actions", "explain", "nograph"))
    def do_simulate(self, ctx, *args: str) -> None:
        """What the cluster would do with the staged configuration: its Transition Summary."""
        from crmshell.simulate_report import SimulateOptions, report_lines

        opts = SimulateOptions(run=True, status=False)
        words = list(args)
        while words:
            word = words.pop(0)
            if word == "status":
                opts.status = True
            elif word == "scores":
                opts.scores = True
            elif word == "actions":
                opts.simulate = True
            elif word == "explain" and words:
                opts.explain = words.pop(0)
            elif word == "nograph" or word.strip("v") == "":
                continue        # crmsh's: crmshell opens no graph viewer, and has one verbosity
            else:
                raise UsageError(f"simulate: unexpected '{word}'; usage: {_SIMULATE_USAGE}")
        try:
            lines = report_lines(staged_with_status(ctx), opts, int(time.time()))
        except SchedulerError as err:
            raise ShellError(f"simulate: {err}") from None
        ctx.write_lines(lines)

    @command(usage="graph [dot [<file> [<format>]]]",
             completers=(k.choice("dot"), k.FilePaths(), k.choice("png", "svg", "pdf", "dot")))
    def do_graph(self, ctx, kind: str = "dot", file: str | None = None,
                 image_format: str | None = None) -> None:
        """Draw the resources and constraints as a Graphviz graph (DOT), as crmsh draws it."""
        from crmshell.lang.render_graph import render_graph
        from crmshell.staging.graphviz import write_graph

        if kind != "dot":
            raise ShellError(f"graph type {kind} is not supported (only dot)")
        text = render_graph(ctx.staged.doc)
        if text is None:
            ctx.info("nothing to draw: the configuration is empty")
        elif file is None or file == "-":
            ctx.out.write(text)
        else:
            write_graph(text, file, image_format or "dot")

    @command(usage="schema [<schema>]", completers=(k.choice(*_SCHEMA_CHOICES),))
    def do_schema(self, ctx, schema: str | None = None) -> None:
        """Show the CIB's schema (validate-with), or stage another one for the next commit."""
        from crmshell.staging.schema import set_schema

        if schema is None:
            ctx.write(ctx.staged.doc.get("validate-with") or "(no validate-with)")
            return
        set_schema(ctx.staged, schema, ctx.env, log=ctx.info, note=ctx.note)

    @command(usage="upgrade [force]", completers=(k.choice("force"),))
    def do_upgrade(self, ctx, force: str | None = None) -> None:
        """Upgrade the CIB's schema to the newest crmshell knows, as cibadmin --upgrade does."""
        from crmshell.staging.schema import upgrade_cib

        if force not in (None, "force"):
            raise UsageError(f"upgrade: expected 'force', got '{force}'")
        staged = ctx.staged_if_loaded
        if staged is not None and staged.has_changes():
            raise ShellError("upgrade: there are uncommitted changes; commit or refresh first")
        message = upgrade_cib(ctx.source, force=force == "force" or ctx.options.force,
                              env=ctx.env)
        ctx.drop_staged()
        ctx.info(message)

    @command(name="get-property", aliases=("get_property",),
             usage="get-property [-t|--true] [<name> ...]")
    def do_get_property(self, ctx, *args: str) -> None:
        """Print cluster properties' values (their defaults when not set)."""
        from crmshell.staging.properties import property_names, property_value
        from daemon.cib.options import parse_boolean

        truth = any(a in ("-t", "--true") for a in args)
        names = [a for a in args if a not in ("-t", "--true")]
        if not names:
            ctx.write_lines(property_names())
            return
        for name in names:
            value = property_value(ctx.staged, name)
            if value is None and not truth:
                raise ShellError(f"{name}: property not set, and Pacemaker has no such option")
            if truth:
                try:
                    value = "true" if value is not None and parse_boolean(value) else "false"
                except ValueError:
                    value = "false"
            ctx.write(value)

    @command(name="default-timeouts", aliases=("default_timeouts",),
             usage="default-timeouts <id> [<id> ...]", completers=(k.ObjectIds(k.PRIMITIVES),),
             repeating=k.ObjectIds(k.PRIMITIVES))
    def do_default_timeouts(self, ctx, primitive: str, *more: str) -> None:
        """Set primitives' operation timeouts to what their agents advise."""
        from crmshell.staging.timeouts import default_timeouts

        default_timeouts(ctx.staged, ctx.catalog, [primitive, *more])

    # -- committing ----------------------------------------------------------------------
    @command(usage="commit [force]", completers=(k.choice("force", meta="over verify errors"),))
    def do_commit(self, ctx, force: str | None = None) -> None:
        """Commit the staged changes to the CIB (after verifying them)."""
        if force not in (None, "force"):
            raise UsageError(f"commit: unexpected '{force}'; usage: commit [force]")
        commit(ctx, force=force == "force")

    @command()
    def do_refresh(self, ctx) -> None:
        """Drop the staged changes and reload the CIB."""
        ctx.staged.reload()

    # -- editing ------------------------------------------------------------------------
    @command(aliases=("rm",), usage="delete [--force] <id> [<id> ...]", repeating=k.ObjectIds())
    def do_delete(self, ctx, *ids: str) -> None:
        """Delete objects; constraints and containers that refer to them follow."""
        from crmshell.staging.delete import delete

        force = any(i in ("-f", "--force") for i in ids)
        names = [i for i in ids if i not in ("-f", "--force")]
        if not names:
            raise UsageError("delete: name at least one object; usage: delete [--force] <id> ...")
        delete(ctx.staged, names, force=force, log=ctx.info)

    @command(completers=(k.ObjectIds(),))
    def do_rename(self, ctx, old_id: str, new_id: str) -> None:
        """Rename an object and every reference to it."""
        from crmshell.staging.rename import rename

        rename(ctx.staged, old_id, new_id)

    @command(usage="modgroup <group> add <id> [after <id>|before <id>]\n"
                   "modgroup <group> remove <id>",
             completers=(k.ObjectIds(frozenset({"group"})), k.choice("add", "remove"),
                         k.Then(_modgroup_member)),
             repeating=k.Then(_modgroup_position))
    def do_modgroup(self, ctx, group: str, action: str, member: str, *where: str) -> None:
        """Add a primitive to a group or remove one from it."""
        from crmshell.staging.modgroup import modgroup

        position = ref = None
        if where:
            if action != "add":
                raise UsageError("modgroup: after/before only go with add")
            if len(where) != 2 or where[0] not in ("after", "before"):
                raise UsageError("modgroup: expected 'after <id>' or 'before <id>'")
            position, ref = where
        modgroup(ctx.staged, group, action, member, position, ref)

    @command(usage="set <id>.[<op>.[<interval>.]]<name> <value>", completers=(k.SetPath(),))
    def do_set(self, ctx, path: str, value: str) -> None:
        """Set one attribute of an object (a parameter, meta attribute or op attribute)."""
        from crmshell.staging.setvalue import set_value

        set_value(ctx.staged, path, value)

    @command(usage="erase [nodes]", completers=(k.choice("nodes", meta="erase only the nodes"),))
    def do_erase(self, ctx, nodes: str | None = None) -> None:
        """Erase the whole configuration but the nodes (or, with `nodes`, only the nodes)."""
        from crmshell.staging.delete import erase

        if nodes not in (None, "nodes"):
            raise UsageError(f"erase: expected 'nodes', found '{nodes}'")
        erase(ctx.staged, nodes=nodes == "nodes")

    @command(usage="filter <program> [xml] [<selector> ...]", completers=(None,),
             repeating=k.Selectors())
    def do_filter(self, ctx, program: str, *selectors: str) -> None:
        """Pipe objects through a program and apply what it prints back."""
        from crmshell.staging.define import update_selection

        as_xml, sel = xml_flag(selectors)
        text, chosen = self._selection_text(ctx, sel, as_xml)
        if not as_xml:
            text = one_line_per_object(text)
        try:
            argv = shlex.split(program)
        except ValueError as err:
            raise ShellError(f"filter: cannot split the program '{program}': {err}") from None
        if not argv:
            raise UsageError("filter: the program is empty")
        try:
            proc = subprocess.run(argv, input=text, capture_output=True, text=True, timeout=60,
                                  check=False)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise ShellError(f"filter: cannot run {argv[0]}: {err}") from None
        if proc.returncode != 0:
            raise ShellError(f"filter: {argv[0]} exited with {proc.returncode}: "
                             f"{proc.stderr.strip()}")
        if proc.stdout == text:
            return
        update_selection(ctx.staged, chosen, proc.stdout, source=f"<filter {argv[0]}>",
                         as_xml=as_xml, log=ctx.info)

    @command(usage="edit [xml] [<selector> ...]", repeating=k.Selectors())
    def do_edit(self, ctx, *selectors: str) -> None:
        """Edit objects in $EDITOR; on an error, offers to edit again."""
        from crmshell.staging.define import update_selection

        as_xml, sel = xml_flag(selectors)
        if ctx.ask is None:
            raise ShellError("edit needs an interactive terminal; use filter or load in a batch")
        text, chosen = self._selection_text(ctx, sel, as_xml)
        from crmshell.ui.preferences import load_preferences

        editor = load_preferences(ctx.env).editor_command(ctx.env)
        suffix = ".xml" if as_xml else ".crm"
        # the editor's highlighting: vim's pcmk syntax is crmsh's language (read at the end,
        # where a comment changes nothing: trailing comments belong to no statement)
        hint = "" if as_xml else EDIT_MODE_LINE
        fd, path = tempfile.mkstemp(prefix="crmshell-edit-", suffix=suffix)
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(text + hint)
            while True:
                subprocess.run([*shlex.split(editor), path], check=False)
                new_text = Path(path).read_text()
                if hint and new_text.endswith(hint):
                    new_text = new_text[: -len(hint)]
                if new_text == text:
                    return
                try:
                    before = set(ctx.staged.changed)
                    update_selection(ctx.staged, chosen, new_text, source=path, as_xml=as_xml,
                                     log=ctx.info)
                    _tell_unknown_agents(ctx, [i for i in ctx.staged.changed if i not in before]
                                         + [e.get("id") for e in chosen])
                    return
                except reportable() as err:  # a syntax error as much as a refused change
                    ctx.error(str(err))
                    if ctx.ask("Edit again?", ["yes", "no"]) != "yes":
                        raise ShellError("edit discarded; nothing changed") from None
        finally:
            os.unlink(path)

    def _selection_text(self, ctx, selectors: list[str], as_xml: bool) -> tuple[str, list]:
        from crmshell.lang.render import render_configuration, render_xml
        from crmshell.staging.selectors import select

        conf = ctx.staged.configuration
        chosen = select(ctx.staged, selectors)
        ids = chosen if selectors else None
        text = render_xml(conf, ids=ids) if as_xml else render_configuration(conf, ids=ids)
        return (text if text.endswith("\n") or not text else text + "\n"), chosen

    @command(usage="load [xml] replace|update|push <file>|-", repeating=k.Then(_load_argument))
    def do_load(self, ctx, *args: str) -> None:
        """Load a configuration file: replace everything, update (merge), or push."""
        from crmshell.staging.define import load_text

        as_xml, rest = xml_flag(args)
        if len(rest) != 2 or rest[0] not in ("replace", "update", "push"):
            raise UsageError("load: usage: load [xml] replace|update|push <file>|-")
        method, where = rest
        if where == "-":
            text, source = sys.stdin.read(), "<stdin>"
        else:
            try:
                text, source = Path(where).read_text(), where
            except OSError as err:
                raise ShellError(f"load: cannot read {where}: {err.strerror}") from None
        load_text(ctx.staged, text, method=method, source=source, as_xml=as_xml, log=ctx.info)

    @command(usage="save [xml] [<selector> ...] <file>|-",
             repeating=(k.Selectors(), k.FilePaths()))
    def do_save(self, ctx, *args: str) -> None:
        """Save the configuration (or selected objects) to a file, or '-' for standard output."""
        from daemon.cib.errors import CibError
        from daemon.cib.persist import write_file_atomically

        if not args:
            raise UsageError("save: name a file; usage: save [xml] [<selector> ...] <file>|-")
        as_xml, sel = xml_flag(args[:-1])
        where = args[-1]
        text, _ = self._selection_text(ctx, sel, as_xml)
        if where == "-":
            ctx.out.write(text)
            return
        try:
            write_file_atomically(Path(where), text.encode())
        except CibError as err:
            raise ShellError(f"save: {err}") from None


def staged_with_status(ctx):
    """The staged CIB, with the status section of `cibstatus` once that level loaded one."""
    if ctx.cib_status is None:
        return ctx.staged.doc
    return ctx.cib_status.over(ctx.staged.doc)


def xml_flag(words) -> tuple[bool, list[str]]:
    """`show xml ...`, `save xml ...`: whether the leading `xml` is there, and the rest."""
    words = list(words)
    if words and words[0] == "xml":
        return True, words[1:]
    return False, words


def one_line_per_object(text: str) -> str:
    """Join continuation lines, so a filter program sees each object on one line (as crmsh
    pipes them, which is what sed scripts written for crmsh expect)."""
    out: list[str] = []
    pending = ""
    for line in text.splitlines():
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        out.append((pending + line.strip()) if pending else line)
        pending = ""
    if pending:
        out.append(pending.rstrip())
    return "\n".join(out) + ("\n" if out else "")


def run_verify(ctx, *, forced: bool = False, changed_only: bool = False) -> list:
    """Verify the staged CIB, reporting every finding; returns them for the caller to judge.

    Under `commit force` errors are still shown but do not make the batch fail. With
    `changed_only` (a commit), warnings about objects the transaction did not touch are not
    repeated: they were told when those were committed, and `verify` still lists them all.
    Errors are always shown, since they are what stops the commit."""
    from crmshell.verify import verify

    findings = verify(ctx.staged.doc, ctx.catalog)
    changed = ctx.staged.changed
    for f in findings:
        if changed_only and f.severity != "error" and f.object_id is not None \
                and f.object_id not in changed:
            continue
        ctx.finding(f, counted=not forced)
    return findings


def _tell_unknown_agents(ctx, ids) -> None:
    """At the prompt and in `edit`: an agent that is not installed, said at once (see
    crmshell.staging.agent_check); a batch leaves it to verify."""
    if not ctx.options.interactive:
        return
    from crmshell.staging.agent_check import unknown_agents

    for message in unknown_agents(ctx.staged.configuration, dict.fromkeys(ids), ctx.catalog):
        ctx.error(message)


def drop_failed(ctx) -> None:
    """Drop a failed transaction, but verify what it staged first: a batch then reports
    the unknown agents, bad values and missing resources beside the error that failed it,
    all in one run, rather than one run per fix."""
    staged = ctx.staged_if_loaded
    if staged is not None and staged.has_changes():
        run_verify(ctx, changed_only=True)
    ctx.close_failed()


def commit(ctx, *, force: bool = False) -> None:
    """The one way staged changes reach the CIB, with the batch rules applied."""
    staged = ctx.staged
    if ctx.transaction.failed:
        drop_failed(ctx)
        raise Consequence("not committed: an earlier command in this transaction failed")
    if not staged.has_changes():
        ctx.info("nothing to commit")
        ctx.transaction_committed()
        return
    findings = run_verify(ctx, forced=force, changed_only=True)
    errors = [f for f in findings if f.severity == "error"]
    if errors and not force:
        if not ctx.options.interactive:  # a batch drops the transaction; the REPL keeps it to fix
            ctx.close_failed()
        raise Consequence(f"not committed: verify found {len(errors)} "
                         f"error{'s' if len(errors) > 1 else ''} (use 'commit force' to override)")
    result = staged.commit(force=force)
    ctx.info(result.message)
    ctx.transaction_committed()
    if ctx.options.wait:  # -w: return once the cluster has carried the change out
        ctx.source.wait()
