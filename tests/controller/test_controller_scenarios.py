"""The controller core's behaviour as readable traces (see scenario.py for the commands)."""

from pathlib import Path

import pytest

from tests.controller.scenario import run_file

DATA = Path(__file__).with_name("testdata")


@pytest.mark.parametrize("path", sorted(DATA.glob("*.txt")), ids=lambda p: p.stem)
def test_scenario(path):
    expected, actual = run_file(path)
    assert actual == expected, f"{path.name} differs; CRMSHELL_REWRITE=1 rewrites it"
