"""The scheduler's pure pieces: scores, durations, node name order, GLib's sort, digests,
rules and nvpair sets, roles, and clone instance numbering through schedule()."""

from __future__ import annotations

from functools import cmp_to_key

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from daemon.scheduler import CibInputError, schedule
from daemon.scheduler import rules, scores
from daemon.scheduler.cib_xml import parse_cib_text
from daemon.scheduler.dates import parse_date
from daemon.scheduler.digests import digest_of, filter_for_digest, serialise
from daemon.scheduler.glib_sort import merge_sort
from daemon.scheduler.node_names import compare_names
from daemon.scheduler.roles import Role, parse_role
from daemon.scheduler.timespec import interval_ms, msec
from sched_cib import cib, dummy, node_state, running

INF = scores.INFINITY
NOW = 1_767_225_600  # 2026-01-01T00:00:00Z


# ---- scores -------------------------------------------------------------------------------

@pytest.mark.parametrize("a, b, total", [
    (1, 2, 3), (INF, 5, INF), (INF, -5, INF), (-INF, 5, -INF),
    (INF, -INF, -INF), (-INF, INF, -INF),          # a ban is never cancelled
    (900_000, 900_000, INF), (-900_000, -900_000, -INF),
])
def test_score_addition_saturates(a, b, total):
    assert scores.add(a, b) == total == scores.add(b, a)


@pytest.mark.parametrize("text, value", [
    ("INFINITY", INF), ("+INFINITY", INF), ("-INFINITY", -INF), ("-infinity", -INF),
    ("100", 100), ("-100", -100), ("+7", 7), (" 12 ", 12), ("12abc", 12),
    ("2000000", INF), ("-2000000", -INF), ("abc", 0), ("", 0), (None, 0),
])
def test_score_parsing(text, value):
    assert scores.parse(text) == value


def test_score_text_and_health_colours():
    assert [scores.text(v) for v in (INF, -INF, 0, -3)] == ["INFINITY", "-INFINITY", "0", "-3"]
    assert scores.parse("red", health={"red": -INF}) == -INF
    assert scores.parse("red") == 0


@given(st.integers(-3 * INF, 3 * INF), st.integers(-3 * INF, 3 * INF))
def test_score_addition_stays_in_range(a, b):
    a, b = scores.clamp(a), scores.clamp(b)
    assert -INF <= scores.add(a, b) <= INF


# ---- durations ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, ms", [
    ("10s", 10_000), ("10", 10_000), ("500ms", 500), ("1min", 60_000), ("2m", 120_000),
    ("1h", 3_600_000), (" 30 s ", 30_000), ("1.5s", 1500), ("x", None), ("-1s", None),
    ("10parsecs", None), (None, None),
])
def test_msec(text, ms):
    assert msec(text) == ms


@pytest.mark.parametrize("text, ms", [
    ("0", 0), ("10s", 10_000), ("PT1M30S", 90_000), ("P1D", 86_400_000), ("P30S", 30_000),
    ("bogus", 0), (None, 0),
])
def test_interval(text, ms):
    assert interval_ms(text) == ms


# ---- node names ---------------------------------------------------------------------------

def test_node_names_sort_numerically_and_case_insensitively():
    names = ["node10", "Node2", "node1", "node02", "alpha", "node2a"]
    ordered = sorted(names, key=cmp_to_key(compare_names))
    assert ordered == ["alpha", "node1", "Node2", "node2a", "node02", "node10"]
    assert compare_names("node2", "NODE2") == 0


# ---- GLib's merge sort --------------------------------------------------------------------

@given(st.lists(st.tuples(st.integers(0, 5), st.integers())))
def test_merge_sort_is_stable_like_sorted(items):
    by_key = merge_sort(items, lambda a, b: (a[0] > b[0]) - (a[0] < b[0]))
    assert by_key == sorted(items, key=lambda x: x[0])


# ---- digests ------------------------------------------------------------------------------

def test_digests_match_pacemakers():
    # All three digests appear in Pacemaker's own regression inputs.
    assert digest_of({}) == "f2317cad3d54cec5d7d7aa7d0bf35cf8"
    assert digest_of({"CRM_meta_timeout": "30000"}) == "02a5bcf940fc8d3239701acb11438d6a"
    fs = {"fstype": "reiserfs", "directory": "/mnt/share1", "device": "/dev/drbd0"}
    assert digest_of(fs) == "e38fc095cd72534897b21e24a8484122"


def test_digest_serialisation_sorts_and_escapes():
    assert serialise({"b": "1", "a": 'x"<&>'}) == ' <parameters a="x&quot;&lt;&amp;&gt;" b="1"/>\n'


def test_digest_filter_keeps_the_timeout_of_recurring_ops_only():
    recurring = {"ip": "1.2.3.4", "CRM_meta_interval": "10000", "CRM_meta_timeout": "20000",
                 "CRM_meta_name": "monitor"}
    assert filter_for_digest(recurring) == {"ip": "1.2.3.4", "CRM_meta_timeout": "20000"}
    one_shot = {"ip": "1.2.3.4", "CRM_meta_interval": "0", "CRM_meta_timeout": "20000"}
    assert filter_for_digest(one_shot) == {"ip": "1.2.3.4"}


# ---- rules --------------------------------------------------------------------------------

def _rule(xml: str) -> bool:
    return rules.evaluate_rule(etree.fromstring(xml), rules.RuleInput(
        now=NOW, node_attrs={"#uname": "node1", "ram": "2048", "ver": "1.10", "f": "2.5",
                             "kind": "db"}))


@pytest.mark.parametrize("expr, result", [
    ('attribute="#uname" operation="eq" value="node1"', True),
    ('attribute="#uname" operation="ne" value="node1"', False),
    ('attribute="ram" operation="gt" value="512" type="integer"', True),
    ('attribute="ram" operation="gt" value="512" type="string"', False),    # "2048" < "512"
    ('attribute="ram" operation="lt" value="9" type="string"', True),      # text order
    ('attribute="ram" operation="lt" value="9" type="integer"', False),
    ('attribute="f" operation="eq" value="2" type="integer"', True),       # prefix parse
    ('attribute="f" operation="gt" value="2" type="number"', True),
    ('attribute="ver" operation="gt" value="1.9" type="version"', True),
    ('attribute="ver" operation="gt" value="1.9" type="string"', False),
    ('attribute="kind" operation="defined"', True),
    ('attribute="nope" operation="not_defined"', True),
    ('attribute="nope" operation="lt" value="5" type="integer"', False),
])
def test_attribute_expressions(expr, result):
    assert _rule(f'<rule id="r" score="1"><expression id="e" {expr}/></rule>') is result


def test_boolean_op_and_date_expressions():
    either = ('<rule id="r" boolean-op="or"><expression id="a" attribute="kind" operation="eq" '
              'value="web"/><expression id="b" attribute="kind" operation="eq" value="db"/></rule>')
    assert _rule(either) is True
    assert _rule(either.replace(' boolean-op="or"', "")) is False
    assert _rule('<rule id="r"><date_expression id="d" operation="gt" start="2025-06-01"/></rule>')
    assert not _rule('<rule id="r"><date_expression id="d" operation="lt" end="2025-06-01"/></rule>')
    in_range = ('<rule id="r"><date_expression id="d" operation="in_range" start="2025-12-31">'
                '<duration id="du" days="2"/></date_expression></rule>')
    assert _rule(in_range)
    assert not _rule(in_range.replace('days="2"', 'hours="1"'))
    midnight = '<rule id="r"><date_expression id="d" operation="date_spec"><date_spec id="s" hours="0-5"/></date_expression></rule>'
    assert _rule(midnight)
    assert not _rule(midnight.replace("0-5", "9-17"))


def test_dates_parse_in_utc_with_offsets():
    assert parse_date("2026-01-01") == NOW
    assert parse_date("2026-01-01T01:00:00+01:00") == NOW
    assert parse_date("2026-001") == NOW
    assert parse_date("2026-01-01 01:00:00 +01:00") == NOW     # a space before the offset


def test_nvpair_sets_by_score_and_default():
    parent = etree.fromstring(
        '<p><meta_attributes id="low" score="1"><nvpair id="a1" name="a" value="low"/>'
        '<nvpair id="b1" name="b" value="keep"/></meta_attributes>'
        '<meta_attributes id="high" score="10"><nvpair id="a2" name="a" value="high"/>'
        '<nvpair id="b2" name="b" value="#default"/></meta_attributes></p>')
    values = rules.unpack_nvpair_sets(parent, "meta_attributes", rules.RuleInput(now=NOW), {})
    assert values == {"a": "high", "b": "keep"}


def test_nvpair_sets_of_one_score_the_later_wins_unless_overwriting():
    """Pacemaker 3 reads blocks of the same score last first (2.1 read them in order)."""
    parent = etree.fromstring(
        '<p><meta_attributes id="one"><nvpair id="a1" name="a" value="one"/></meta_attributes>'
        '<meta_attributes id="two"><nvpair id="a2" name="a" value="two"/></meta_attributes>'
        '<meta_attributes id="three" score="-1"><nvpair id="a3" name="a" value="three"/>'
        '</meta_attributes></p>')
    inp = rules.RuleInput(now=NOW)
    assert rules.unpack_nvpair_sets(parent, "meta_attributes", inp, {}) == {"a": "two"}
    assert rules.unpack_nvpair_sets(parent, "meta_attributes", inp, {},
                                    overwrite=True) == {"a": "one"}
    assert rules.unpack_nvpair_sets(parent, "meta_attributes", inp, {},
                                    first_id="three") == {"a": "three"}
    assert rules.unpack_nvpair_sets(parent, "meta_attributes", inp, {}, first_id="three",
                                    overwrite=True) == {"a": "three"}


def test_role_names_of_both_generations():
    assert parse_role("Master") == parse_role("Promoted") == Role.PROMOTED
    assert parse_role("slave") == parse_role("Unpromoted") == Role.UNPROMOTED
    assert parse_role("bogus") == Role.UNKNOWN


# ---- whole-scheduler behaviour on tiny CIBs (expected lines checked with crm_simulate 2.1.5)

def _summary(text: str) -> list[str]:
    return [" ".join(line.split()) for line in schedule(parse_cib_text(text), NOW).summary_lines]


def test_anonymous_clone_keeps_its_running_instance_number():
    nodes = ["node1", "node2", "node3"]
    text = cib(nodes=nodes, resources=f'<clone id="c">{dummy("d")}</clone>',
               status=node_state("node1") + node_state("node2", running("d", "node2"))
               + node_state("node3"))
    assert _summary(text) == ["* Start d:1 ( node1 )", "* Start d:2 ( node3 )"]


def test_anonymous_clone_over_its_maximum_stops_the_highest_instance():
    nodes = ["node1", "node2", "node3"]
    clone = ('<clone id="c"><meta_attributes id="cm"><nvpair id="cm1" name="clone-max" '
             f'value="2"/></meta_attributes>{dummy("d")}</clone>')
    status = (node_state("node1", running("d:1", "node1")) + node_state("node2", running("d", "node2"))
              + node_state("node3", running("d:5", "node3")))
    assert _summary(cib(nodes=nodes, resources=clone, status=status)) == [
        "* Stop d:2 ( node3 ) due to node availability"]


def test_stickiness_keeps_a_resource_and_location_moves_it():
    nodes = ["node1", "node2"]
    status = node_state("node1", running("r", "node1")) + node_state("node2")
    prefer = '<rsc_location id="l" rsc="r" node="node2" score="50"/>'
    sticky = cib(nodes=nodes, resources=dummy("r"), constraints=prefer, status=status,
                 rsc_defaults={"resource-stickiness": "100"})
    assert _summary(sticky) == []
    loose = cib(nodes=nodes, resources=dummy("r"), constraints=prefer, status=status)
    assert _summary(loose) == ["* Move r ( node1 -> node2 )"]


def test_schedule_is_deterministic_and_leaves_the_document_alone():
    text = cib(nodes=["node1", "node2"], resources=dummy("a") + dummy("b"))
    root = parse_cib_text(text)
    before = etree.tostring(root)
    first = schedule(root, NOW).summary_lines
    assert schedule(root, NOW).summary_lines == first
    assert etree.tostring(root) == before


def test_bad_documents_raise_our_error_with_a_place():
    with pytest.raises(CibInputError, match=r"x\.xml:1:\d+"):
        parse_cib_text("<cib><configuration>", "x.xml")
    with pytest.raises(CibInputError, match="cib"):
        parse_cib_text("<nodes/>", "y.xml")


@pytest.mark.parametrize("option", ["stonith-enabled", "fencing-enabled"])
def test_both_generations_of_fencing_option_names(option):
    text = cib(nodes=["node1"], resources=dummy("r"), props={"stonith-enabled": "true"})
    # Fencing on and no device: nothing may start.
    assert _summary(text) == []
    text = cib(nodes=["node1"], resources=dummy("r"), props={"stonith-enabled": "true"}
               ).replace('name="stonith-enabled" value="true"', f'name="{option}" value="false"')
    assert _summary(text) == ["* Start r ( node1 )"]


@pytest.mark.parametrize("element, role", [("master", "Master"), ("clone", "Promoted")])
def test_promotable_clones_of_both_generations(element, role):
    meta = ('<meta_attributes id="m"><nvpair id="m1" name="promotable" value="true"/>'
            '</meta_attributes>' if element == "clone" else "")
    stateful = ('<primitive id="s" class="ocf" provider="pacemaker" type="Stateful">'
                '<operations><op id="s-mon" name="monitor" interval="10s"/></operations>'
                '</primitive>')
    prefer = (f'<rsc_location id="l" rsc="ms"><rule id="l-r" role="{role}" score="100">'
              '<expression id="l-e" attribute="#uname" operation="eq" value="node2"/>'
              '</rule></rsc_location>')
    text = cib(nodes=["node1", "node2"], resources=f'<{element} id="ms">{meta}{stateful}'
               f'</{element}>', constraints=prefer)
    # as crm_simulate 2.1.5 prints it (<master> with validate-with pacemaker-3.0)
    assert _summary(text) == ["* Start s:0 ( node1 )", "* Promote s:1 ( Stopped -> Promoted node2 )"]


def test_a_template_in_a_colocation_stands_for_each_of_its_primitives():
    """Pacemaker 3 reads `rsc="TEMPLATE"` as a non-sequential set of the template's
    primitives, each colocated with the other side (2.1.5 drops such a colocation)."""
    nodes = ["node1", "node2"]
    resources = ('<template id="t" class="ocf" provider="pacemaker" type="Dummy"/>'
                 '<primitive id="a" template="t"/><primitive id="b" template="t"/>'
                 + dummy("solo"))
    constraints = ('<rsc_location id="l" rsc="solo" node="node2" score="10"/>'
                   '<rsc_colocation id="c" rsc="t" with-rsc="solo" score="INFINITY"/>')
    assert _summary(cib(nodes=nodes, resources=resources, constraints=constraints)) == [
        "* Start a ( node2 )", "* Start b ( node2 )", "* Start solo ( node2 )"]
    # two templates cannot be colocated: the constraint is ignored
    two = resources + '<template id="u" class="ocf" provider="pacemaker" type="Dummy"/>'
    constraints = ('<rsc_location id="l" rsc="a" node="node2" score="10"/>'
                   '<rsc_colocation id="c" rsc="t" with-rsc="u" score="INFINITY"/>')
    assert _summary(cib(nodes=nodes, resources=two, constraints=constraints)) == [
        "* Start a ( node2 )", "* Start b ( node1 )", "* Start solo ( node1 )"]
