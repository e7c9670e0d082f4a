"""The options level: preferences shown, set, saved atomically and read back by a new session."""

from __future__ import annotations

import io

import pytest

from crmshell.errors import UsageError
from crmshell.levels.root import RootLevel
from crmshell.ui.context import Options, ShellContext
from crmshell.ui.preferences import (Preferences, colour_wanted, config_path, load_preferences,
                                     parse_preferences)
from crmshell.ui.walker import Walker


def _walker(tmp_path):
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path)}
    out = io.StringIO()
    ctx = ShellContext(options=Options(interactive=True), env=env, out=out, err=io.StringIO())
    return Walker(ctx, RootLevel), out, env


def test_set_persists_and_a_new_session_reads_it(tmp_path):
    walker, out, env = _walker(tmp_path)
    walker.execute("options editor 'emacs -nw'")
    walker.execute("options color native")
    walker.execute("options output plain")
    prefs = load_preferences(env)
    assert (prefs.editor, prefs.color, prefs.output) == ("emacs -nw", "native", "plain")
    assert not list(config_path(env).parent.glob(".options-*"))  # no temporary file left
    walker2, out2, _ = _walker(tmp_path)
    walker2.execute("options show")
    assert "editor = emacs -nw" in out2.getvalue()
    walker2.execute("options colorscheme")
    assert out2.getvalue().endswith("color = native\n")
    walker2.execute("options reset")
    assert load_preferences(env) == Preferences()


def test_bad_values_are_refused_and_change_nothing(tmp_path):
    walker, _out, env = _walker(tmp_path)
    with pytest.raises(UsageError, match="auto, color, plain"):
        walker.execute("options output loud")
    with pytest.raises(UsageError, match="no Pygments style"):
        walker.execute("options color no-such-style")
    assert not config_path(env).exists()


def test_a_damaged_file_never_stops_the_shell():
    prefs = parse_preferences("garbage\nunknown = 1\noutput = loud\npager = less\n")
    assert prefs == Preferences(pager="less")


def test_colour_only_on_a_terminal_and_never_with_no_color():
    auto = Preferences()
    assert colour_wanted(auto, {"TERM": "xterm"}, True)
    assert not colour_wanted(auto, {"TERM": "xterm"}, False)
    assert not colour_wanted(auto, {"TERM": "xterm", "NO_COLOR": "1"}, True)
    assert not colour_wanted(Preferences(output="plain"), {}, True)
    assert colour_wanted(Preferences(output="color"), {}, False)


def test_show_is_highlighted_only_on_a_terminal(tmp_path):
    from crmshell.ui.showing import show_configuration

    class Tty(io.StringIO):
        def isatty(self):
            return True

    text = "primitive d1 ocf:pacemaker:Dummy\n"
    for stream, env, coloured in ((Tty(), {"TERM": "xterm"}, True),
                                  (io.StringIO(), {"TERM": "xterm"}, False),
                                  (Tty(), {"TERM": "xterm", "NO_COLOR": "1"}, False)):
        env["XDG_CONFIG_HOME"] = str(tmp_path)
        ctx = ShellContext(options=Options(colour=stream.isatty()), env=env, out=stream)
        show_configuration(ctx, text)
        assert ("\x1b[" in stream.getvalue()) == coloured
        assert "primitive" in stream.getvalue()
