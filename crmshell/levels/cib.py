"""The `cib` level: shadow CIBs, private copies of the configuration to try changes on.

A shadow is a CIB file in the shadow directory. `new` copies the real CIB (the live cluster,
or the file given with --cib-file/CIB_file) and switches the session to it; `commit` copies
the shadow's configuration back, as `crm_shadow --commit` does.
"""

from __future__ import annotations

import copy
import difflib

from crmshell.completion import kinds as k
from crmshell.errors import ShellError, UsageError
from crmshell.ui.command import command
from crmshell.ui.level import Level


def _load_status(ctx, origin: str) -> None:
    """crmsh's `withstatus`: `configure cibstatus` works on this CIB's status from now on."""
    from crmshell.levels.cibstatus import load_status

    load_status(ctx, origin)


class CibLevel(Level):
    name = "cib"
    summary = "shadow CIBs: try changes on a private copy, then commit them"

    @command(usage="new <name> [empty] [force] [withstatus]", completers=(None,),
             repeating=k.Choice((("empty", "start from an empty CIB"),
                                 ("force", "overwrite a shadow of that name"),
                                 ("withstatus", "configure cibstatus works on its status"))))
    def do_new(self, ctx, name: str, *flags: str) -> None:
        """Create a shadow CIB from the real one (or empty) and switch to it."""
        from crmshell.cib.choose import real_source
        from crmshell.cib.shadow import shadow_path, shadow_source
        from daemon.cib.document import empty_cib
        from daemon.cib.persist import write_cib_file

        bad = [f for f in flags if f not in ("empty", "force", "withstatus")]
        if bad:
            raise UsageError(f"cib new: unexpected '{bad[0]}'; "
                             "usage: new <name> [empty] [force] [withstatus]")
        path = shadow_path(ctx.env, name)
        if path.exists() and "force" not in flags:
            raise ShellError(f"shadow CIB {name} already exists; add 'force' to overwrite it")
        doc = empty_cib() if "empty" in flags else real_source(ctx.options.where, ctx.env).load().root
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
        write_cib_file(path, doc)
        ctx.switch_source(shadow_source(ctx.env, name))
        ctx.info(f"shadow CIB {name} created from {'nothing' if 'empty' in flags else 'the CIB'}; "
                 "now working on it")
        if "withstatus" in flags:
            _load_status(ctx, f"shadow:{name}")

    @command(usage="use [<name>|live] [withstatus]",
             completers=(k.ShadowNames(live=True), k.choice("withstatus")))
    def do_use(self, ctx, name: str | None = None, withstatus: str | None = None) -> None:
        """Work on the named shadow CIB, or on the real CIB with no name (or 'live')."""
        from crmshell.cib.choose import real_source
        from crmshell.cib.shadow import shadow_source

        if withstatus not in (None, "withstatus"):
            raise UsageError(f"use: expected 'withstatus', got '{withstatus}'")
        if name in (None, "live"):
            ctx.switch_source(real_source(ctx.options.where, ctx.env))
        else:
            ctx.switch_source(shadow_source(ctx.env, name))
        if withstatus:
            _load_status(ctx, "live" if name in (None, "live") else f"shadow:{name}")

    @command(usage="import {<file>|<number>} [<shadow>]",
             completers=(k.FilePaths(stdin=False), None))
    def do_import(self, ctx, source: str, name: str | None = None) -> None:
        """Copy a CIB file (or a scheduler input by number) into a shadow CIB and use it."""
        from crmshell.cib.pe_inputs import find_input, read_input
        from crmshell.cib.shadow import shadow_path, shadow_source
        from daemon.cib.persist import write_cib_file

        found = find_input(source, ctx.env)
        if name is None:
            name = found.name.removesuffix(".bz2")
        path = shadow_path(ctx.env, name)
        doc = read_input(found)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
        write_cib_file(path, doc)
        ctx.switch_source(shadow_source(ctx.env, name))
        _load_status(ctx, f"shadow:{name}")
        ctx.info(f"{found} imported into shadow CIB {name}; now working on it")

    def do_list(self, ctx) -> None:
        """List the shadow CIBs; the one in use is marked with '*'."""
        from crmshell.cib.shadow import shadow_dir

        folder = shadow_dir(ctx.env)
        names = sorted(p.name[len("shadow."):] for p in folder.glob("shadow.*")) if folder.is_dir() else []
        current = ctx.source.label
        ctx.write_lines([f"{'*' if n == current else ' '} {n}" for n in names] or ["(no shadow CIBs)"])

    @command(completers=(k.ShadowNames(),))
    def do_diff(self, ctx, name: str | None = None) -> None:
        """Show how a shadow CIB's configuration differs from the real CIB."""
        from crmshell.cib.choose import real_source
        from crmshell.cib.shadow import shadow_source
        from crmshell.lang.render import render_configuration

        shadow = shadow_source(ctx.env, name or self._current_shadow(ctx))
        real = real_source(ctx.options.where, ctx.env)
        old = render_configuration(real.load().root).splitlines()
        new = render_configuration(shadow.load().root).splitlines()
        diff = difflib.unified_diff(old, new, real.label, f"shadow:{shadow.label}", lineterm="")
        ctx.write_lines(list(diff))

    @command(completers=(k.ShadowNames(),))
    def do_commit(self, ctx, name: str | None = None) -> None:
        """Copy a shadow CIB's configuration into the real CIB."""
        from crmshell.cib.choose import real_source
        from crmshell.cib.shadow import shadow_source
        from daemon.cib.patchset import make_patchset
        from daemon.cib.versions import CibVersion, read_version, write_version

        shadow = shadow_source(ctx.env, name or self._current_shadow(ctx))
        real = real_source(ctx.options.where, ctx.env)
        loaded = real.load()
        ours = shadow.load().root
        base = loaded.version
        target = copy.deepcopy(loaded.root)
        target.replace(target.find("configuration"), copy.deepcopy(ours.find("configuration")))
        write_version(target, CibVersion(base.admin_epoch,
                                         max(base.epoch, read_version(ours).epoch) + 1, 0))
        real.commit(base, make_patchset(loaded.root, target), new_root=target, force=True)
        ctx.info(f"shadow CIB {shadow.label} committed to {real.label}")

    @command(completers=(k.ShadowNames(),))
    def do_delete(self, ctx, name: str) -> None:
        """Delete a shadow CIB (not the one in use)."""
        from crmshell.cib.shadow import shadow_source

        shadow = shadow_source(ctx.env, name)
        if ctx.source.label == name:
            raise ShellError(f"shadow CIB {name} is in use; 'cib use' another CIB first")
        shadow.path.unlink()

    @command(completers=(k.ShadowNames(),))
    def do_reset(self, ctx, name: str) -> None:
        """Make a shadow CIB a fresh copy of the real CIB."""
        from crmshell.cib.choose import real_source
        from crmshell.cib.shadow import shadow_source

        shadow = shadow_source(ctx.env, name)
        if ctx.source.label == name and ctx.staged_if_loaded is not None \
                and ctx.staged_if_loaded.has_changes():
            raise ShellError("there are uncommitted changes to this shadow; commit or refresh first")
        shadow.replace(real_source(ctx.options.where, ctx.env).load().root)
        if ctx.source.label == name:
            ctx.drop_staged()

    @staticmethod
    def _current_shadow(ctx) -> str:
        from crmshell.cib.choose import real_source

        real = real_source(ctx.options.where, ctx.env)
        src = ctx.source
        if src.live or getattr(src, "path", None) == getattr(real, "path", None):
            raise UsageError("not working on a shadow CIB: name one")
        return src.label
