"""Our status output against Debian's crm_mon 2.1.5 on 150 generated CIBs, text and XML.

Each CIB is shown with crm_mon's XML, `-r`, and two more option sets chosen by its seed
from the rest, so every option set meets a few dozen clusters in about half a minute.
A failure prints the seed, the option set and the diff; `status_cibgen.generate(seed)`
rebuilds the CIB. The generator's coverage (node states, resource kinds, histories) is
checked first, fast, so a generator change cannot quietly stop testing something.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from status_cibgen import generate
from status_oracle import CRM_MON, OPTION_SETS, compare, oracle_copy, run_crm_mon, scratch_dir

SEEDS = range(150)
ALWAYS = ("xml", "-r")
ROTATING = tuple(name for name in OPTION_SETS if name not in ALWAYS)


def option_sets(seed: int) -> list[str]:
    """XML, -r and two different others, the pair shifting each round of the rotation."""
    count = len(ROTATING)
    return [*ALWAYS, ROTATING[seed % count], ROTATING[(seed + 1 + seed // count) % count]]


# What the corpus must contain, each as an XPath that finds it in a CIB.
FEATURES = {
    "offline node": "status/node_state[@crmd='offline']",
    "unseen node": "configuration/nodes/node[not(@id=/cib/status/node_state/@id)]",
    "standby node": "status//nvpair[@name='standby']",
    "maintenance node": "status//nvpair[@name='maintenance']",
    "group": "configuration/resources/group",
    "clone": "configuration/resources/clone[not(.//nvpair[@name='promotable'])]",
    "promotable clone": "configuration/resources/clone[.//nvpair[@name='promotable']]",
    "unique clone": "configuration/resources/clone[.//nvpair[@name='globally-unique']]",
    "failed op": "status//lrm_rsc_op[@rc-code!='0' and @rc-code!='7' and @rc-code!='8']",
    "timed-out op": "status//lrm_rsc_op[@op-status='2']",
    "failed stop": "status//lrm_rsc_op[@operation='stop' and @rc-code='1']",
    "fail count": "status//nvpair[starts-with(@name, 'fail-count-')]",
    "pending op": "status//lrm_rsc_op[@call-id='-1']",
    "unmanaged": "configuration//nvpair[@name='is-managed' and @value='false']",
    "stopped by target-role": "configuration//nvpair[@name='target-role' and @value='Stopped']",
    "ban": "configuration/constraints/rsc_location",
    "node attribute": "status//nvpair[@name='pingd' or @name='site']",
    "ticket": "status/tickets/ticket_state",
    "maintenance-mode": "configuration//nvpair[@name='maintenance-mode']",
    "joining node": "status/node_state[@join='pending']",
    "orphaned history": "status//lrm_resource[@id='old-web' or @id='gone:0']",
    "ticket constraint": "configuration/constraints/rsc_ticket",
    "several tickets": "status/tickets[count(ticket_state) > 1]",
    "promoted-only ban": "configuration/constraints/rsc_location[@role='Promoted']",
    "preference": "configuration/constraints/rsc_location[not(starts-with(@score, '-'))]",
    "ping clone": "configuration//primitive[@type='ping']",
    "node health": "status//nvpair[starts-with(@name, '#health')]",
    "resource maintenance": "configuration//nvpair[@name='maintenance']",
    "failure-timeout": "configuration//nvpair[@name='failure-timeout']",
    "no DC": "self::cib[not(@dc-uuid)]",
    "without quorum": "self::cib[@have-quorum='0']",
}


def test_generated_cibs_cover_what_status_shows():
    found = Counter()
    for seed in SEEDS:
        root = etree.fromstring(generate(seed).encode())
        for name, xpath in FEATURES.items():
            if root.xpath(xpath):
                found[name] += 1
    missing = [name for name in FEATURES if found[name] < 3]
    assert not missing, f"fewer than 3 of {len(SEEDS)} CIBs have: {missing} ({dict(found)})"


def test_every_option_set_is_compared_often():
    uses = Counter(name for seed in SEEDS for name in option_sets(seed))
    assert min(uses.values()) >= 20 and set(uses) == set(OPTION_SETS)
    assert all(len(set(option_sets(seed))) == 4 for seed in SEEDS)


@pytest.mark.slow
@pytest.mark.needs_pacemaker
@pytest.mark.skipif(CRM_MON is None, reason="crm_mon (pacemaker-cli-utils) is not installed")
def test_status_matches_crm_mon():
    outcomes = []
    with scratch_dir() as workdir:
        for seed in SEEDS:
            text = generate(seed)
            path = oracle_copy(text, Path(workdir), f"cib-{seed}")
            for name in option_sets(seed):
                expected, ran_at = run_crm_mon(path, OPTION_SETS[name][0])
                outcomes.append(compare(str(seed), text, name, expected, ran_at))
    unreadable = [o.case for o in outcomes if o.oracle_failed]
    assert not unreadable, f"crm_mon could not read the CIBs of seeds {sorted(set(unreadable))}"
    different = [o for o in outcomes if not o.same]
    report = "\n".join(f"--- seed {o.case}, crm_mon {o.option_set}:\n{o.diff}"
                       for o in different[:5])
    assert not different, (f"{len(different)} of {len(outcomes)} outputs differ from "
                           f"crm_mon 2.1.5; first ones:\n{report}")
