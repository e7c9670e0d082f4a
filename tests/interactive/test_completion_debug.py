"""Completion and the toolbar keep errors from the prompt, so typing goes on; with
CRMSHELL_DEBUG set, each one they kept shows its traceback on stderr (issue 10, item 20)."""

from __future__ import annotations

import types

import pytest
from prompt_toolkit.document import Document

from crmshell.completion import matchers, suggest
from crmshell.completion.env import ContextEnv
from crmshell.completion.static_env import StaticEnv


def _boom(*_args, **_kwargs):
    raise RuntimeError("boom in completion")


@pytest.fixture(params=[False, True], ids=["quiet", "CRMSHELL_DEBUG"])
def debug(request, monkeypatch):
    if request.param:
        monkeypatch.setenv("CRMSHELL_DEBUG", "1")
    else:
        monkeypatch.delenv("CRMSHELL_DEBUG", raising=False)
    return request.param


def _check(capsys, debug: bool) -> None:
    captured = capsys.readouterr()
    assert captured.out == ""
    if debug:
        assert "CRMSHELL_DEBUG" in captured.err and "Traceback" in captured.err
        assert "RuntimeError: boom in completion" in captured.err
    else:
        assert captured.err == ""


def test_the_repl_completer(monkeypatch, capsys, debug):
    from crmshell.repl import completer

    monkeypatch.setattr(completer, "complete", _boom)
    shell = completer.ShellCompleter(lambda: ["configure"], StaticEnv())
    assert list(shell.get_completions(Document("primitive p1 "), None)) == []
    _check(capsys, debug)


def test_the_toolbar(monkeypatch, capsys, debug):
    from prompt_toolkit.application import current

    from crmshell.repl import completer

    monkeypatch.setattr(completer, "describe", _boom)
    app = types.SimpleNamespace(current_buffer=types.SimpleNamespace(document=Document("pri")))
    monkeypatch.setattr(current, "get_app", lambda: app)
    assert completer.toolbar(lambda: [], StaticEnv())() == " "
    _check(capsys, debug)


def test_a_matcher(monkeypatch, capsys, debug):
    class Broken:
        pass

    def broken(_kind, _word, _env):
        yield from ()
        raise RuntimeError("boom in completion")

    monkeypatch.setitem(matchers._MATCHERS, Broken, broken)
    with pytest.raises(RuntimeError):  # only the look-up failures are kept from the prompt
        list(matchers.candidates(Broken(), "", StaticEnv()))
    capsys.readouterr()

    def lookup_fails(_kind, _word, _env):
        yield from ()
        raise ValueError("boom in completion")

    monkeypatch.setitem(matchers._MATCHERS, Broken, lookup_fails)
    assert list(matchers.candidates(Broken(), "", StaticEnv())) == []
    captured = capsys.readouterr()
    assert ("ValueError: boom in completion" in captured.err) is debug
    assert debug or captured.err == ""


def test_the_toolbar_description_of_an_attribute(monkeypatch, capsys, debug):
    monkeypatch.setattr(suggest, "attribute_specs", _boom)
    line = "primitive p1 ocf:heartbeat:Dummy params sta"
    assert isinstance(suggest.describe(["configure"], line, len(line), StaticEnv()), str)
    _check(capsys, debug)


def test_the_ids_of_a_cib_that_cannot_be_read(capsys, debug):
    class Ctx:
        env: dict = {}

        @property
        def staged(self):
            _boom()

    env = ContextEnv(Ctx())
    assert list(env.objects()) == [] and list(env.nodes()) == []
    _check(capsys, debug)


def test_the_bash_and_zsh_entry_point(monkeypatch, capsys, debug):
    from crmshell.completion import entry

    monkeypatch.setattr(entry, "candidates_for", _boom)
    assert entry.main(["bash", "8", "crmshell"]) == 1
    _check(capsys, debug)
