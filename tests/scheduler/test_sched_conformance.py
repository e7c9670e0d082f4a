"""Pacemaker's scheduler regression cases, run in process through `schedule()`.

Compares Transition Summary lines as the conformance README describes and prints the
figures per tier. The floors below are the current state: raise them, never lower them.
"""

from __future__ import annotations

import pytest

import sched_conformance as conf

# Cases that must be exact per tier (current floor: all of tiers 1 and 2; tier 3 is issue 11).
FLOOR = {"tier1": 95, "tier2": 154, "tier3": 215}



@pytest.fixture(scope="module")
def results() -> list[conf.CaseResult]:
    return conf.run_all()


def test_rates_do_not_fall_below_the_floor(results, capsys):
    figures = conf.figures(results)
    with capsys.disabled():
        print()
        for tier in sorted(figures):
            print("scheduler conformance", figures[tier].line(tier))
    for tier, floor in FLOOR.items():
        assert figures[tier].exact >= floor, figures[tier].line(tier)


def test_every_failing_case_is_listed_with_a_reason(results):
    known = conf.known_failures()
    failing = {res.name: res for res in results if not res.exact}
    unlisted = {name: (res.error, res.missing, res.extra)
                for name, res in failing.items() if name not in known}
    assert not unlisted, f"failing cases missing from known_failures.tsv: {unlisted}"
    assert all(reason for reason in known.values()), "every known failure needs a reason"


def test_listed_cases_still_fail(results):
    exact = {res.name for res in results if res.exact}
    fixed = sorted(name for name in conf.known_failures() if name in exact)
    assert not fixed, f"these cases pass now; take them off known_failures.tsv: {fixed}"


def test_no_case_crashes(results):
    crashed = {res.name: res.error for res in results if res.error}
    assert not crashed


def test_comparison_follows_the_readme():
    expected = ["* Move       rsc1     ( node1 -> node2 )", "* Stop rsc2 ( node1 )"]
    actual = ["  * Stop  rsc2 (node1)", "* Move rsc1 (node1 -> node2)"]
    matched, missing, extra = conf.compare([conf.normalise(x) for x in expected],
                                           [conf.normalise(x) for x in actual])
    assert (matched, missing, extra) == (2, [], [])
    matched, missing, extra = conf.compare(["* Stop a (n1)", "* Stop a (n1)"],
                                           ["* Stop a (n1)"])
    assert (matched, missing, extra) == (1, ["* Stop a (n1)"], [])
    block = conf.summary_block(["x", "Transition Summary:", "  * Start a ( n1 )", "",
                                "  * Start b ( n1 )"])
    assert block == ["* Start a (n1)"]
