"""Verify never raises on damaged configurations: every problem is a one-line finding."""

from __future__ import annotations

import random

import pytest
from lxml import etree

from crmshell.verify import verify

from verify_fixtures import conformance_dir, needs_real_agents

pytestmark = [pytest.mark.needs_agents, needs_real_agents]
CONFORMANCE = conformance_dir()

SEEDS = range(150)


def damaged(seed: int):
    """A conformance configuration with a few random attributes or elements removed or
    renamed (seeded: a failure names the seed that reproduces it)."""
    rng = random.Random(seed)
    cases = sorted(p for p in CONFORMANCE.glob("*.xml") if p.stem != "empty-cib")
    conf = etree.parse(str(rng.choice(cases))).getroot()
    for _ in range(rng.randint(1, 4)):
        elems = list(conf.iter(etree.Element))[1:]
        victim = rng.choice(elems)
        action = rng.randrange(4)
        if action == 0 and victim.attrib:
            del victim.attrib[rng.choice(sorted(victim.attrib))]
        elif action == 1 and victim.attrib:
            victim.set(rng.choice(sorted(victim.attrib)), rng.choice(["", "x", "-1", "d1", "0s"]))
        elif action == 2 and victim.getparent() is not None:
            victim.getparent().remove(victim)
        else:
            victim.tag = rng.choice(["primitive", "group", "nvpair", "op", "resource_ref"])
    cib = etree.fromstring(b'<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" '
                           b'admin_epoch="0"/>')
    cib.append(conf)
    etree.SubElement(cib, "status")
    return cib


@pytest.mark.parametrize("seed", SEEDS)
def test_damaged_configuration_gives_findings_not_exceptions(seed: int, catalog):
    for finding in verify(damaged(seed), catalog):
        assert finding.severity in ("error", "warning"), seed
        assert finding.message and "\n" not in finding.message, seed
