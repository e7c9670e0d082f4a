"""stonith-max-attempts as the controller reads it (daemon.controller.planning)."""

import pytest

from daemon.controller.planning import DEFAULT_FENCE_ATTEMPTS, max_attempts


@pytest.mark.parametrize("text, expected", [
    (None, DEFAULT_FENCE_ATTEMPTS), ("3", 3), (" 5 ", 5), ("INFINITY", 1_000_000),
    ("0", DEFAULT_FENCE_ATTEMPTS), ("-2", DEFAULT_FENCE_ATTEMPTS), ("many", DEFAULT_FENCE_ATTEMPTS),
])
def test_max_attempts(text, expected):
    assert max_attempts(text) == expected


@pytest.mark.parametrize("name", ["stonith-max-attempts", "fencing-max-attempts"])
def test_the_plan_carries_the_option_under_either_name(name):
    from lxml import etree

    from daemon.controller.planning import plan

    cib = etree.fromstring(
        '<cib admin_epoch="0" epoch="1" num_updates="0" validate-with="pacemaker-3.9">'
        '<configuration><crm_config><cluster_property_set id="o">'
        f'<nvpair id="o-a" name="{name}" value="3"/></cluster_property_set></crm_config>'
        '<nodes/><resources/><constraints/></configuration><status/></cib>')
    assert plan(cib, now_ms=0, seq=1, transition_id=1, dc_uuid="u").fence_max_attempts == 3
