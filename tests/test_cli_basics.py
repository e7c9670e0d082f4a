"""The command line's fast paths: version, help, usage errors."""

import subprocess
import sys


def run(*args):
    return subprocess.run([sys.executable, "-m", "crmshell", *args], capture_output=True, text=True)


def test_version_prints_name_and_version():
    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout.startswith("crmshell ")


def test_help_exits_zero():
    proc = run("--help")
    assert proc.returncode == 0
    assert "usage: crmshell" in proc.stdout
