"""The command line as a process: options, one-shot commands, exit statuses, no colour."""

from __future__ import annotations

import pytest

from daemon.cib.persist import current_umask


def test_unknown_option_is_a_usage_error(shell):
    proc = shell.run("--bogus")
    assert proc.returncode == 2
    assert "unknown option '--bogus'" in proc.stderr


def test_missing_batch_file_is_a_usage_error(shell):
    proc = shell.run("-f", "nope.crm")
    assert proc.returncode == 2
    assert "cannot read nope.crm" in proc.stderr


@pytest.mark.needs_agents
def test_one_shot_definition_commits(shell):
    assert shell.run("configure", "property", "stonith-enabled=false").returncode == 0
    proc = shell.run("configure", "primitive", "ip", "ocf:heartbeat:IPaddr2",
                     "params", "ip=192.168.122.10", "op", "monitor", "interval=10s")
    assert proc.returncode == 0, proc.stderr
    assert "primitive ip IPaddr2 \\\n\tparams ip=192.168.122.10" in shell.show()


@pytest.mark.needs_agents
def test_one_shot_keeps_words_with_spaces(shell):
    shell.run("configure", "property", "stonith-enabled=false")
    proc = shell.run("configure", "primitive", "d1", "ocf:pacemaker:Dummy",
                     "meta", "description=two words")
    assert proc.returncode == 0, proc.stderr
    assert 'description="two words"' in shell.show()


@pytest.mark.needs_agents
def test_one_shot_keeps_quotes_and_backslashes(shell):
    shell.run("configure", "property", "stonith-enabled=false")
    proc = shell.run("configure", "primitive", "d1", "ocf:pacemaker:Dummy",
                     "meta", 'description=say "hi" \\ back')
    assert proc.returncode == 0, proc.stderr
    assert 'value="say &quot;hi&quot; \\ back"' in shell.cib.read_text()


def test_one_shot_failure_changes_nothing(shell):
    before = shell.cib.read_bytes()
    proc = shell.run("configure", "group", "g1", "nosuch")
    assert proc.returncode == 1
    assert "nosuch" in proc.stderr
    assert shell.cib.read_bytes() == before


def test_misspelt_command_gets_a_suggestion(shell):
    proc = shell.run("configure", "shwo")
    assert proc.returncode == 1
    assert "did you mean 'show'" in proc.stderr


def test_cib_file_option_beats_the_environment(shell, tmp_path):
    other = tmp_path / "other.xml"
    proc = shell.run("--cib-file", str(other), "configure", "property", "stonith-enabled=false")
    assert proc.returncode == 0, proc.stderr
    assert other.exists() and "stonith-enabled" in other.read_text()
    assert "stonith-enabled" not in shell.cib.read_text()
    # a new CIB file follows the umask, as Pacemaker's tools make theirs (issue 10, item 6)
    assert other.stat().st_mode & 0o777 == 0o666 & ~current_umask()


def test_no_colour_without_a_terminal(shell):
    shell.run("configure", "property", "stonith-enabled=false")
    assert "\x1b[" not in shell.show()


def test_daemon_levels_say_they_need_the_daemon(shell):
    proc = shell.run("resource", "restart", "d1")
    assert proc.returncode == 1
    assert "needs the crmshell node daemon" in proc.stderr
    # bootstrap runs for real now; a command refused before it touches anything:
    proc = shell.run("cluster", "join")
    assert proc.returncode == 1 and "give a node of it with -c SEED" in proc.stderr


@pytest.mark.parametrize("content, message", [
    ("<cib><configuration>", "bad.xml:1:21: Premature end of data"),
    ("<notcib/>", "bad.xml:1:1: the root element is <notcib>, not <cib>"),
    ("", "bad.xml:1:1:"),
])
def test_a_broken_cib_file_is_a_clear_error(shell, content, message):
    (shell.workdir / "bad.xml").write_text(content)
    for args in (["configure", "show"], ["-f", "batch.crm"]):
        (shell.workdir / "batch.crm").write_text("configure\nshow\n")
        proc = shell.run("--cib-file", "bad.xml", *args)
        assert proc.returncode == 1
        assert "Traceback" not in proc.stderr
        assert message in proc.stderr, proc.stderr
    assert (shell.workdir / "bad.xml").read_text() == content  # nothing overwritten


def test_a_directory_as_cib_file_is_a_clear_error(shell):
    proc = shell.run("--cib-file", str(shell.workdir), "configure", "show")
    assert proc.returncode == 1 and "Is a directory" in proc.stderr
    assert "Traceback" not in proc.stderr
