"""Help: every command at every level has a synopsis, a real description, its arguments and
options explained, examples that the shell accepts and related commands; `help`,
`help <level> <command>` (from any level), `<command> --help`, `crmshell <level> <command>
--help` and the man page all print the same text, from the one source (crmshell/help/*.txt)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest

from crmshell.errors import ShellError
from crmshell.help import HelpFormatError, Terms, load_help, parse_entries
from crmshell.levels.root import RootLevel
from crmshell.ui.context import Options, ShellContext
from crmshell.ui.help import (command_doc, command_help, entry_for, help_for, level_help,
                              render_blocks, topic_names, _wrap)
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
            for spec in sorted(level.commands().values(), key=lambda s: s.name)]
IDS = [f"{level or 'top'}:{command}" for level, command in COMMANDS]
# How much a command's help says at least: summary and description, in lines of the text
# `help` prints (78 columns), blank lines not counted.
DESCRIPTION_LINES = 12
SUMMARY_WIDTH = 56  # what fits beside the name in a level's list of commands


def _path(level_name: str, command: str) -> list[str]:
    """The words naming a command from the top ("" is the top level itself)."""
    return [level_name, command] if level_name else [command]


def _walker(out: io.StringIO) -> Walker:
    ctx = ShellContext(options=Options(), env={}, out=out, err=io.StringIO())
    return Walker(ctx, RootLevel)


def _description_lines(doc) -> list[str]:
    return [line for line in _wrap(doc.summary) + render_blocks(doc.description) if line.strip()]


def test_every_level_is_listed():
    assert set(LEVELS) == {"", "configure", "cib", "ra", "resource", "node", "cluster",
                           "corosync", "status", "options", "cibstatus", "site"}


@pytest.mark.parametrize("level_name,command", COMMANDS, ids=IDS)
def test_every_command_has_usage_description_and_example(level_name, command):
    level = LEVELS[level_name]
    entry = load_help().entry(level_name, command)
    assert entry is not None, f"no help text for {level_name or 'top'} {command} in its level's file"
    assert entry.summary and entry.examples
    text = command_help(level, command)
    assert text.startswith("usage: ") and "example:" in text


@pytest.mark.parametrize("level_name,command", COMMANDS, ids=IDS)
def test_every_command_has_full_help(level_name, command):
    """A synopsis, a one-line summary, at least DESCRIPTION_LINES lines about it, every
    argument and option of its synopsis explained, an example and related commands."""
    level = LEVELS[level_name]
    doc = command_doc(level, command)
    assert doc.usage and all(u.split()[0] in doc.names for u in doc.usage), doc.usage
    assert len(doc.summary) <= SUMMARY_WIDTH and doc.summary.endswith("."), doc.summary
    lines = _description_lines(doc)
    assert len(lines) >= DESCRIPTION_LINES, f"{len(lines)} lines: {lines}"
    assert doc.examples and doc.see_also
    spec = level.commands()[command]
    if not spec.raw:
        terms = " ".join(term for block in doc.description if isinstance(block, Terms)
                         for term, _text in block.items)
        words = set(re.findall(r"<[\w-]+>|(?<![\w<])--?[a-z][\w-]*", " ".join(doc.usage)))
        missing = sorted(w for w in words if w not in terms)
        assert not missing, f"not explained in an arguments or options list: {missing}"


@pytest.mark.parametrize("level_name,command", COMMANDS, ids=IDS)
def test_usage_is_the_command_s_own(level_name, command):
    """The synopsis in the help is the one usage errors print (one source for both)."""
    level = LEVELS[level_name]
    spec = level.commands()[command]
    if spec.raw:
        return
    assert command_doc(level, command).usage == spec.usage.splitlines()


@pytest.mark.parametrize("level_name,command", COMMANDS, ids=IDS)
def test_help_names_the_command_and_its_aliases(level_name, command):
    level = LEVELS[level_name]
    spec = level.commands()[command]
    entry = load_help().entry(level_name, command)
    assert set(spec.aliases) <= set(entry.names)
    # other names are aliases the level lists as commands of their own (ms and master)
    assert set(entry.names) - {spec.name, *spec.aliases} <= set(level.commands())


@pytest.mark.parametrize("level_name,command", COMMANDS, ids=IDS)
def test_examples_are_accepted_by_the_shell(level_name, command):
    """Every example is a command of its level that the shell takes (parsed and checked, not
    run: a dry run)."""
    level = LEVELS[level_name]
    for example in command_doc(level, command).examples:
        if example.startswith("crmshell "):
            continue  # a command line, shown for scripts
        walker = _walker(io.StringIO())
        if level_name:
            walker.execute(f"cd {level_name}")
        walker.execute(example, dry=True)


def _see_also_resolves(level, name: str) -> None:
    help_for(level, name.split(), root=RootLevel)


def test_see_also_names_commands_levels_and_topics():
    data = load_help()
    bad = []
    for level_name, table in data.levels.items():
        for entry in table.values():
            for name in entry.see_also:
                try:
                    _see_also_resolves(LEVELS[level_name], name)
                except ShellError as err:
                    bad.append(f"{level_name or 'top'} {entry.name}: {name}: {err}")
    for entry in data.topics.values():
        for name in entry.see_also:
            try:
                _see_also_resolves(RootLevel, name)
            except ShellError as err:
                bad.append(f"topic {entry.name}: {name}: {err}")
    assert not bad


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


def test_help_level_command_works_inside_any_level():
    """`help configure primitive` typed inside configure (issue 10, item 13), and a command
    of another level from inside a level; names of the level itself still come first."""
    configure, node = LEVELS["configure"], LEVELS["node"]
    primitive = help_for(RootLevel, ["configure", "primitive"])
    assert help_for(configure, ["configure", "primitive"], root=RootLevel) == primitive
    assert help_for(configure, ["primitive"], root=RootLevel) == primitive
    assert help_for(node, ["configure", "prim"], root=RootLevel) == primitive
    assert help_for(configure, ["resource", "move"], root=RootLevel) == \
        help_for(RootLevel, ["resource", "move"])
    assert help_for(configure, ["resource"], root=RootLevel) == level_help(LEVELS["resource"])
    # configure's own `node` (the definition), not the node level; but `node standby` is
    # the node level's command
    assert help_for(configure, ["node"], root=RootLevel).startswith("usage: node [$id=<id>]")
    assert help_for(configure, ["node", "standby"], root=RootLevel) == \
        help_for(RootLevel, ["node", "standby"])
    with pytest.raises(ShellError, match="unknown command or topic 'nosuch'"):
        help_for(configure, ["nosuch"], root=RootLevel)
    with pytest.raises(ShellError, match="primitive is a command, not a level"):
        help_for(configure, ["primitive", "params"], root=RootLevel)


def test_help_and_dash_dash_help_through_the_walker():
    out = io.StringIO()
    walker = _walker(out)
    walker.execute("configure show --help")
    walker.execute("help configure show")
    walker.execute("configure")
    walker.execute("help configure show")
    assert out.getvalue().count("usage: show [xml]") == 3
    assert walker.path() == ["configure"]


def _walker_text(*lines: str) -> str:
    out = io.StringIO()
    walker = _walker(out)
    for line in lines:
        walker.execute(line)
    return out.getvalue().rstrip("\n")


def _other_level(level_name: str) -> str:
    return "options" if level_name != "options" else "configure"


@pytest.mark.parametrize("level_name,command", COMMANDS, ids=IDS)
def test_help_dash_dash_help_and_help_from_anywhere_agree(level_name, command):
    path = " ".join(_path(level_name, command))
    expected = help_for(RootLevel, _path(level_name, command))
    assert _walker_text(f"{path} --help") == expected
    assert _walker_text(f"cd /{level_name}", f"help {command}") == expected
    assert _walker_text(f"cd /{level_name}", f"{command} --help") == expected
    assert _walker_text(f"cd {_other_level(level_name)}", f"help {path}") == expected


@pytest.mark.parametrize("level_name,command", [c for c in COMMANDS if c[0] in ("configure", "status")
                                                or c[1] in ("move", "standby", "new")])
def test_crmshell_command_dash_dash_help_prints_the_same(level_name, command, capsys, tmp_path,
                                                         monkeypatch):
    from crmshell.cli import main

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    expected = help_for(RootLevel, _path(level_name, command))
    assert main(["--cib-file", str(tmp_path / "cib.xml"), level_name, command, "--help"]) == 0
    assert capsys.readouterr().out.rstrip("\n") == expected
    assert main(["--cib-file", str(tmp_path / "cib.xml"), "-h", level_name, command]) == 0
    assert capsys.readouterr().out.rstrip("\n") == expected


# -- the man page says what help says ------------------------------------------------------
def _man_sections(text: str) -> dict[str, str]:
    """`.SS "name, alias"` -> the roff up to the next section, keyed by the first name."""
    out, name, body = {}, None, []
    for line in text.splitlines():
        if line.startswith((".SS", ".SH")):
            if name is not None:
                out.setdefault(name, "\n".join(body))
            name = line[4:].strip().strip('"').split(",")[0].replace("\\-", "-") \
                if line.startswith(".SS") else None
            body = []
        elif name is not None:
            body.append(line)
    if name is not None:
        out.setdefault(name, "\n".join(body))
    return out


def _man_words(roff: str) -> list[str]:
    """The words of a man page section as a reader sees them, without its labels."""
    words = []
    for line in roff.splitlines():
        if line.startswith(".") or line == "Example:":
            continue
        line = re.sub(r"\\f[BIR]", "", line).replace("\\-", "-").replace("\\&", "")
        line = line.replace("\\e", "\\")
        if line.startswith("See also: "):
            line = line[len("See also: "):].removesuffix(".")
        words += line.split()
    return words


def _help_words(text: str) -> list[str]:
    """The words `help` prints, without its labels (usage:, example:, aliases:, see also:)."""
    words = []
    for line in text.splitlines():
        if line.startswith("aliases: ") or line == "example:":
            continue
        for label in ("usage: ", "see also: "):
            line = line.removeprefix(label)
        words += line.split()
    return words


@pytest.fixture(scope="module")
def man_text():
    from crmshell.help.man import man_page

    return man_page()


@pytest.mark.parametrize("level_name,command", COMMANDS, ids=IDS)
def test_the_man_page_says_what_help_says(level_name, command, man_text):
    heading = f'.SH "{level_name.upper()} LEVEL"' if level_name else ".SH COMMANDS"
    level_text = man_text.split(heading, 1)[1].split("\n.SH ", 1)[0]
    doc = command_doc(LEVELS[level_name], command)
    sections = _man_sections(level_text)
    assert doc.name in sections, f"no section for {command} in the man page"
    help_text = help_for(RootLevel, _path(level_name, doc.name))
    assert _man_words(sections[doc.name]) == _help_words(help_text)


def test_the_format_refuses_text_outside_an_entry():
    with pytest.raises(HelpFormatError):
        parse_entries("stray text\n== x\nsummary\n", "bad.txt")


def test_the_format_reads_lists_examples_and_see_also():
    text = ("== cmd, alias\nusage: cmd <a>\nSummary line.\n\nA paragraph\nover two lines.\n\n"
            "arguments:\n  <a>\n      The a,\n      in two lines.\n  -x\n      An option.\n"
            "Another paragraph.\n\nexample:\n    cmd 1\n    cmd 2\nsee also: other, lvl cmd,\n"
            "    topic\n")
    (entry,) = parse_entries(text, "t.txt")
    assert entry.names == ("cmd", "alias") and entry.usage == ["cmd <a>"]
    assert entry.summary == "Summary line."
    assert entry.description == ["A paragraph over two lines.",
                                 Terms("arguments", [("<a>", "The a, in two lines."),
                                                     ("-x", "An option.")]),
                                 "Another paragraph."]
    assert entry.examples == ["cmd 1", "cmd 2"]
    assert entry.see_also == ["other", "lvl cmd", "topic"]
    with pytest.raises(HelpFormatError, match="indented two spaces"):
        parse_entries("== c\nSummary.\n\noptions:\n    -x\n", "t.txt")
    with pytest.raises(HelpFormatError, match="no items"):
        parse_entries("== c\nSummary.\n\noptions:\nText.\n", "t.txt")


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


# -- the top level, navigation, levels and topics --------------------------------------------
@pytest.mark.parametrize("name", ("cd", "up", "ls", "help", "quit"))
def test_every_navigation_command_has_full_help(name):
    doc = command_doc(RootLevel, name)
    assert doc.usage and len(doc.summary) <= SUMMARY_WIDTH
    assert len(_description_lines(doc)) >= DESCRIPTION_LINES
    assert doc.examples and doc.see_also
    assert set(doc.names) == {n for n in NAVIGATION if NAVIGATION[n].endswith(f"(alias of {name})")
                              or n == name}


@pytest.mark.parametrize("name", sorted(LEVELS))
def test_every_level_says_what_it_is_for(name):
    entry = load_help().entry(name, ".")
    assert entry.summary.endswith(".")
    assert len(entry.summary) <= SUMMARY_WIDTH or not name  # levels are listed by summary
    assert entry.description and entry.examples and entry.see_also


def test_every_topic_names_related_commands():
    for entry in load_help().topics.values():
        assert entry.description and entry.examples and entry.see_also, entry.name


def _documented_options() -> set[str]:
    (block,) = [b for b in load_help().entry("", ".").description
                if isinstance(b, Terms) and b.heading == "options"]
    return {word.rstrip(",") for term, _text in block.items for word in term.split()
            if word.startswith("-")}


def test_crmshell_s_options_are_the_ones_documented():
    """What the command line accepts is what `crmshell --help` and the man page explain."""
    from crmshell import cli

    assert _documented_options() == set(cli._VALUED) | set(cli._FLAGS)


def test_crmshell_help_usage_errors_and_the_man_page_share_the_synopsis(capsys, man_text):
    from crmshell.cli import main
    from crmshell.ui.help import program_help

    top = load_help().entry("", ".")
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert out == program_help(RootLevel) + "\n"
    for line in top.usage:
        assert line in out
        assert line.replace("-", "\\-") in man_text.split(".SH DESCRIPTION")[0]
    for option in _documented_options():
        assert option in out and f"\\fB{option.replace('-', chr(92) + '-')}" in \
            man_text.split(".SH OPTIONS")[1].split(".SH ")[0].replace(", \\-", ", \\fB\\-")
    assert main(["--no-such-option"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("crmshell: unknown option '--no-such-option'\nusage: " + top.usage[0])


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_long_help_goes_through_the_pager_at_the_prompt(tmp_path, monkeypatch):
    """With "options pager" set, help longer than the terminal is paged at the prompt (as
    configure show is), and printed as it is everywhere else."""
    import os

    from crmshell.ui.preferences import Preferences, save_preferences

    paged = tmp_path / "paged.txt"
    env = {"XDG_CONFIG_HOME": str(tmp_path), "HOME": str(tmp_path)}
    save_preferences(env, Preferences(pager=f"sh -c 'cat > {paged}'"))
    monkeypatch.setattr("shutil.get_terminal_size", lambda *a: os.terminal_size((80, 24)))
    expected = help_for(RootLevel, ["configure", "primitive"])
    for interactive, shown in ((True, ""), (False, expected + "\n")):
        out = _Terminal()
        ctx = ShellContext(options=Options(interactive=interactive), env=env, out=out,
                           err=io.StringIO())
        Walker(ctx, RootLevel).execute("help configure primitive")
        assert out.getvalue() == shown
    assert paged.read_text() == expected
