"""Help: every command at every level has usage, a description and an example; `help`,
`help <command>`, `<command> --help` and the man page all come from the same texts."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest

from crmshell.help import load_help, parse_entries, HelpFormatError
from crmshell.levels.root import RootLevel
from crmshell.ui.context import Options, ShellContext
from crmshell.ui.help import command_help, entry_for, help_for, level_help, topic_names
from crmshell.ui.walker import NAVIGATION, Walker


def _levels():
    seen, todo = {}, [RootLevel]
    while todo:
        level = todo.pop()
        if level.name not in seen:
            seen[level.name] = level
            todo.extend(level.sublevels.values())
    return seen


LEVELS = _levels()
COMMANDS = [(name, spec.name) for name, level in sorted(LEVELS.items())
            for spec in level.commands().values()]


def test_every_level_is_listed():
    assert set(LEVELS) == {"", "configure", "cib", "ra", "resource", "node", "cluster",
                           "corosync", "status", "options", "cibstatus"}


@pytest.mark.parametrize("level_name,command", COMMANDS, ids=[f"{l or 'top'}:{c}" for l, c in COMMANDS])
def test_every_command_has_usage_description_and_example(level_name, command):
    level = LEVELS[level_name]
    entry = entry_for(level, command)
    assert entry is not None, f"no help text for {level_name or 'top'} {command}"
    assert entry.summary and entry.examples
    text = command_help(level, command)
    assert text.startswith("usage: ") and "example:" in text


@pytest.mark.parametrize("name", sorted(LEVELS))
def test_every_level_has_its_own_text_and_lists_its_commands(name):
    level = LEVELS[name]
    assert load_help().entry(name, ".") is not None
    text = level_help(level)
    for spec in level.commands().values():
        assert f"    {spec.name} " in text


def test_every_navigation_command_has_help():
    for name in NAVIGATION:
        assert entry_for(RootLevel, name) is not None, name


def test_help_files_name_only_real_commands():
    for name, table in load_help().levels.items():
        known = set(LEVELS[name].lookup_names()) | {"."} | (set(NAVIGATION) if name == "" else set())
        assert set(table) <= known, (name, sorted(set(table) - known))


def test_topics_are_there():
    assert set(topic_names()) >= {"rules", "resource-sets", "scores", "shadow", "batch"}
    assert "INFINITY" in help_for(RootLevel, ["scores"])


def test_help_resolves_prefixes_levels_and_commands_in_levels():
    assert help_for(RootLevel, ["configure", "prim"]).startswith("usage: primitive <id>")
    assert help_for(RootLevel, ["conf"]).startswith("Edit the cluster configuration")
    assert help_for(LEVELS["configure"], ["rm"]).startswith("usage: delete")


def test_help_and_dash_dash_help_through_the_walker():
    out = io.StringIO()
    ctx = ShellContext(options=Options(), env={}, out=out, err=io.StringIO())
    walker = Walker(ctx, RootLevel)
    walker.execute("configure show --help")
    walker.execute("help configure show")
    first, second = out.getvalue().split("example:", 2)[0], None
    assert first.startswith("usage: show [xml]")
    assert out.getvalue().count("usage: show [xml]") == 2
    assert walker.path() == []


def test_the_format_refuses_text_outside_an_entry():
    with pytest.raises(HelpFormatError):
        parse_entries("stray text\n== x\nsummary\n", "bad.txt")


def test_man_page_is_generated_and_valid_roff(tmp_path):
    from crmshell.help.man import main

    path = tmp_path / "crmshell.1"
    assert main([str(path)]) == 0
    text = path.read_text()
    assert ".SH \"CONFIGURE LEVEL\"" in text and "cidr_netmask" in text
    if shutil.which("groff") is None:
        pytest.skip("groff is not installed to check the page")
    proc = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", str(path)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
