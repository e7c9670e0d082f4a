"""Shell completion: the `--complete` entry point as a process, and bash driven through a real
pty (`bash -i` with completions/crmshell.bash sourced)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SCRIPT = ROOT / "completions" / "crmshell.bash"


def _complete(shell: str, line: str, env: dict[str, str], cwd: Path | None = None) -> list[str]:
    proc = subprocess.run([str(BIN / "crmshell"), "--complete", shell, str(len(line)), line],
                          env=env, capture_output=True, text=True, timeout=60, check=True,
                          cwd=cwd)
    return proc.stdout.splitlines()


@pytest.mark.needs_agents
def test_bash_candidates_are_cut_at_colons(shell_env, cib_path):
    env = {**shell_env, "CIB_file": str(cib_path)}
    assert {"IPaddr2", "IPaddr"} <= set(_complete("bash", "crmshell configure primitive ip ocf:heartbeat:IP", env))
    params = _complete("bash", "crmshell configure primitive ip ocf:heartbeat:IPaddr2 params ", env)
    assert {"ip=", "cidr_netmask="} <= set(params)
    values = _complete("bash", "crmshell configure property no-quorum-policy=", env)
    assert "stop" in values  # bash split the word at '='
    assert _complete("bash", "crmshell conf", env) == ["configure"]


@pytest.mark.needs_agents
def test_options_and_the_cib_file_option(shell_env, cib_path):
    env = dict(shell_env)
    assert "--cib-file" in _complete("bash", "crmshell --cib", env)
    files = _complete("bash", "crmshell --cib-file ci", env, cwd=cib_path.parent)
    assert files == ["cib.xml"]
    ids = _complete("bash", f"crmshell --cib-file {cib_path} configure show g", env)
    assert "g1" in ids
    assert _complete("bash", "crmshell -f x conf", env) == []


@pytest.mark.needs_agents
def test_zsh_lines_carry_descriptions(shell_env):
    lines = _complete("zsh", "crmshell configure primitive ip ocf:heartbeat:IPaddr2 params ci",
                      dict(shell_env))
    assert any(line.startswith("cidr_netmask=\t") and "netmask" in line.lower() for line in lines)


def test_the_entry_point_loads_neither_prompt_toolkit_nor_lark_nor_lxml(shell_env, cib_path):
    """Agent names and parameters need none of them; ids need lxml (the CIB), never the rest."""
    probe = ("import sys, io, contextlib\n"
             "from crmshell.cli import main\n"
             "with contextlib.redirect_stdout(io.StringIO()):\n"
             "    main(['--complete', 'bash', str(len(sys.argv[1])), sys.argv[1]])\n"
             "print(' '.join(sorted({m.split('.')[0] for m in sys.modules} & "
             "{'prompt_toolkit', 'lark', 'lxml', 'pygments'})))\n")
    env = {**shell_env, "CIB_file": str(cib_path)}
    # the grammar table must be cached (as it is after the first Tab)
    _complete("bash", "crmshell configure primitive x ", env)
    for line, allowed in (("crmshell configure primitive ip ocf:heartbeat:IP", ""),
                          ("crmshell configure primitive ip IPaddr2 params ", ""),
                          ("crmshell configure show ", "lxml")):
        proc = subprocess.run([sys.executable, "-c", probe, line], env=env, capture_output=True,
                              text=True, timeout=60, check=True, cwd=ROOT)
        assert proc.stdout.strip() == allowed, (line, proc.stdout, proc.stderr)


@pytest.mark.needs_agents
def test_bash_tab_in_a_real_interactive_bash(tmp_path, shell_env, cib_path):
    pexpect = pytest.importorskip("pexpect")
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    env = {**shell_env, "CIB_file": str(cib_path), "TERM": "xterm", "INPUTRC": "/dev/null",
           "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "PS1": "READY$ "}
    child = pexpect.spawn("bash", ["--norc", "--noprofile", "-i"], env=env, encoding="utf-8",
                          timeout=30, dimensions=(40, 200), cwd=str(tmp_path))
    try:
        child.expect_exact("READY$ ")
        child.sendline(f"bind 'set bell-style none'; source {SCRIPT}")
        child.expect_exact("READY$ ")
        child.send("crmshell configure primitive ip ocf:heartbeat:IPadd\t")
        child.expect_exact("IPaddr")  # the common part completed on the line
        child.send("\t\t")  # the list of what is left
        child.expect(r"IPaddr\s+IPaddr2")
        child.send("2 par\t")
        child.expect_exact("params ")
        child.send("cidr_\t")
        child.expect_exact("cidr_netmask=")
        child.send("\x03")
        child.expect_exact("READY$ ")
        child.send("crmshell conf\t")
        child.expect_exact("configure ")
        child.send("\x03")
        child.expect_exact("READY$ ")
    finally:
        child.terminate(force=True)


@pytest.mark.needs_agents
def test_zsh_tab_in_a_real_interactive_zsh(tmp_path, shell_env, cib_path):
    pexpect = pytest.importorskip("pexpect")
    if shutil.which("zsh") is None:
        pytest.skip("zsh is not installed (the Debian package zsh)")
    env = {**shell_env, "CIB_file": str(cib_path), "TERM": "xterm",
           "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    child = pexpect.spawn("zsh", ["-f", "-i"], env=env, encoding="utf-8", timeout=30,
                          dimensions=(40, 200), cwd=str(tmp_path))
    try:
        child.sendline(f"PS1='READY%% '; fpath=({ROOT / 'completions'} $fpath); "
                       "autoload -U compinit; compinit -u -D")
        child.expect_exact("READY% ")
        child.send("crmshell configure primitive ip ocf:heartbeat:IPadd\t")
        child.expect_exact("ocf:heartbeat:IPaddr")
        child.send("\t")
        child.expect_exact("IPaddr2")
        child.send("\x03")
        child.expect_exact("READY% ")
        child.send("crmshell configure primitive ip IPaddr2 params ci\t")
        child.expect_exact("cidr_netmask=")
        child.send("\x03")
        child.expect_exact("READY% ")
    finally:
        child.terminate(force=True)
