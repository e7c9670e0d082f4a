"""The walker: prefix resolution, suggestions, navigation, arity from signatures."""

import io

import pytest

from crmshell.errors import ShellError, UsageError
from crmshell.ui.command import command
from crmshell.ui.context import Options, ShellContext
from crmshell.ui.level import Level
from crmshell.ui.walker import QuitSession, Walker, resolve_word


class Inner(Level):
    name = "inner"
    summary = "an inner level"
    left = 0

    def do_echo(self, ctx, first: str, *rest: str) -> None:
        """Print the words."""
        ctx.write(" ".join([first, *rest]))

    def on_leave(self) -> None:
        Inner.left += 1


class Top(Level):
    name = ""
    sublevels = {"inner": Inner}

    @command(aliases=("rm",))
    def do_remove(self, ctx, what: str, where: str | None = None) -> None:
        """Remove something."""
        ctx.write(f"remove {what} {where}")

    def do_restart(self, ctx) -> None:
        """Restart."""
        ctx.write("restart")


@pytest.fixture
def walker():
    out = io.StringIO()
    ctx = ShellContext(options=Options(), env={}, out=out, err=io.StringIO())
    Inner.left = 0
    return Walker(ctx, Top)


def test_exact_and_prefix_resolution():
    assert resolve_word("rem", ["remove", "restart"]).name == "remove"
    assert resolve_word("remove", ["remove", "removeall"]).name == "remove"


def test_ambiguous_prefix_is_refused():
    with pytest.raises(ShellError, match="ambiguous"):
        resolve_word("re", ["remove", "restart"])


def test_misspelling_gets_a_suggestion_not_a_guess():
    with pytest.raises(ShellError, match="did you mean 'remove'"):
        resolve_word("remvoe", ["remove", "restart"])


def test_arity_comes_from_the_signature(walker):
    walker.execute("remove a b")
    assert walker.ctx.out.getvalue() == "remove a b\n"
    with pytest.raises(UsageError, match="too many arguments"):
        walker.execute("remove a b c")
    with pytest.raises(UsageError, match="missing arguments"):
        walker.execute("remove")


def test_alias_and_level_one_shot(walker):
    walker.execute("rm x")
    walker.execute("inner echo hello world")
    assert walker.ctx.out.getvalue().splitlines() == ["remove x None", "hello world"]
    assert walker.path() == [] and Inner.left == 1


def test_cd_up_and_quit(walker):
    walker.execute("cd inner")
    assert walker.path() == ["inner"]
    walker.execute("up")
    assert walker.path() == []
    walker.execute("inner")
    walker.execute("cd ..")
    assert walker.path() == [] and Inner.left == 2
    with pytest.raises(QuitSession):
        walker.execute("quit")


def test_one_shot_level_command_that_navigates_comes_back_where_it_was(walker):
    for text in ("inner up", "inner cd /", "inner cd ..", "inner"):
        walker.execute(text)
        walker.execute("cd /")
        assert walker.path() == [] and len(walker.stack) == 1


def test_dry_run_checks_without_running(walker):
    walker.execute("remove a", dry=True)
    assert walker.ctx.out.getvalue() == ""
    with pytest.raises(UsageError):
        walker.execute("remove", dry=True)
