"""Figures for the closing note: small round trips per second, and what importing the
client costs the shell's start. Floors are far below the targets, so a busy shared machine
does not fail them; the printed figures are what is reported."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from daemon.api.client import ApiClient
from tests.api.serving import ServerThread


@pytest.mark.slow
def test_small_round_trips_per_second(sock_path):
    with ServerThread(sock_path), ApiClient(sock_path) as client:
        client.call("hello")
        rates = []
        for _ in range(3):
            start, n = time.perf_counter(), 2000
            for _ in range(n):
                client.call("hello")
            rates.append(n / (time.perf_counter() - start))
    rate = sorted(rates)[1]
    print(f"\nhello round trips: median {rate:.0f}/s over 3 x 2000 (one connection)")
    assert rate > 1000


def test_client_import_is_light(tmp_path):
    """Measured with compiled bytecode (in a private cache: the environment may forbid
    writing it next to the sources), as an installed shell runs."""
    code = ("import sys, time; t = time.perf_counter(); import daemon.api.client; "
            "print(time.perf_counter() - t, 'asyncio' in sys.modules, 'logging' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp_path / "pyc")
    runs = []
    for _ in range(4):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=30, check=True, env=env).stdout.split()
        assert out[1:] == ["False", "False"]
        runs.append(float(out[0]))
    median = sorted(runs[1:])[1]                # the first run compiles
    print(f"\nimport daemon.api.client: median {median * 1000:.1f} ms (compiled)")
    assert median < 0.1                         # the shell's whole start budget
