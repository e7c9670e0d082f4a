"""The renderer against what the real crm printed for differential_inputs.py.

The expectations were recorded with crmsh 4.4.1 (record_differential.py) so this runs without
crm; where crm is installed, one slow test re-checks that the table still matches it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from crm_oracle import CrmFailed, cib_document, crm_available, crm_show  # noqa: E402
from differential_inputs import CASES  # noqa: E402
from render_cases import parse_xml  # noqa: E402

from crmshell.lang.render import render_configuration, render_xml  # noqa: E402

TABLE = json.loads((HERE / "differential_expected.json").read_text())
SHOWN = sorted(name for name, entry in TABLE.items() if "show" in entry)
# crmsh 4.4.1 crashes (KeyError) on rkt and podman bundles; we show those as xml instead.
CRM_CRASHES = sorted(name for name, entry in TABLE.items() if "crm_error" in entry)


def test_table_covers_every_input():
    assert sorted(TABLE) == sorted(CASES)
    assert all(TABLE[name]["xml"] == CASES[name] for name in CASES)


@pytest.mark.parametrize("name", SHOWN)
def test_show_matches_recorded_crm(name):
    conf = parse_xml("<configuration>%s</configuration>" % CASES[name])
    assert render_configuration(conf) == TABLE[name]["show"]


def _cib(name: str):
    return parse_xml(cib_document(CASES[name]))


@pytest.mark.parametrize("name", SHOWN)
def test_show_xml_matches_recorded_crm(name):
    assert render_xml(_cib(name)) == TABLE[name]["show_xml"]


SELECTED = sorted(name for name, entry in TABLE.items() if "selection" in entry)


@pytest.mark.parametrize("name", SELECTED)
def test_selection_matches_recorded_crm(name):
    ids = TABLE[name]["selection"]
    cib = _cib(name)
    assert render_configuration(cib, ids=ids) == TABLE[name]["show_selection"]
    assert render_xml(cib, ids=ids) == TABLE[name]["show_xml_selection"]


@pytest.mark.parametrize("name", CRM_CRASHES)
def test_crm_crashes_become_xml(name):
    conf = parse_xml("<configuration>%s</configuration>" % CASES[name])
    text = render_configuration(conf)
    assert "xml <bundle" in text


@pytest.mark.slow
@pytest.mark.skipif(not crm_available(), reason="crm (crmsh) or cibadmin not installed")
def test_table_still_matches_crm():
    stale = []
    for name in sorted(CASES):
        try:
            show = crm_show(CASES[name])
        except CrmFailed:
            show = None
        if show != TABLE[name].get("show"):
            stale.append(name)
    assert stale == []
