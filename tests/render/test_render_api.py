"""The renderer's API: single objects, contexts, selections, errors and speed."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "bench"))

from render_cases import parse_xml  # noqa: E402
from show_render import generate_cib  # noqa: E402

from crmshell.lang.render import (  # noqa: E402
    RenderInputError,
    build_context,
    collect_objects,
    render_configuration,
    render_object,
    render_xml,
)

CIB = parse_xml(
    '<cib validate-with="pacemaker-3.9"><configuration><crm_config>'
    '<cluster_property_set id="cib-bootstrap-options">'
    '<nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set>'
    '</crm_config><rsc_defaults><meta_attributes id="rsc-options">'
    '<nvpair id="r1" name="resource-stickiness" value="1"/></meta_attributes></rsc_defaults>'
    '<nodes><node id="n1" uname="n1"/></nodes><resources>'
    '<group id="g"><primitive id="a" class="ocf" provider="heartbeat" type="Dummy"/>'
    '<primitive id="b" class="ocf" provider="pacemaker" type="Dummy"/></group></resources>'
    '<constraints><rsc_location id="l1" rsc="g"><rule id="shared" score="5">'
    '<expression id="e" attribute="a" operation="defined"/></rule></rsc_location>'
    '<rsc_location id="l2" rsc="a"><rule id-ref="shared"/></rsc_location></constraints>'
    '</configuration><status><node_state id="n1"/></status></cib>')


def test_render_object_uses_its_tree_for_references():
    rule_owner = CIB.find(".//rsc_location[@id='l1']")
    assert render_object(rule_owner) == "location l1 g \\\n\trule $id=shared 5: defined a"


def test_render_object_with_explicit_context():
    ctx = build_context(CIB)
    prim = CIB.find(".//primitive[@id='b']")
    assert render_object(prim, context=ctx) == "primitive b ocf:pacemaker:Dummy"


def test_render_object_of_defaults_set():
    mset = CIB.find(".//rsc_defaults/meta_attributes")
    assert render_object(mset) == "rsc_defaults rsc-options: \\\n\tresource-stickiness=1"


def test_collect_objects_kinds_and_parents():
    objs = {o.obj_id: o for o in collect_objects(CIB)}
    assert objs["a"].kind == "primitive" and objs["a"].parent == "g"
    assert objs["rsc-options"].kind == "rsc_defaults"
    assert objs["l2"].kind == "location"


def test_selection_keeps_crmsh_order():
    text = render_configuration(CIB, ids=["l2", "g", "a"])
    assert [line.split()[1] for line in text.splitlines() if not line.startswith("\t")] == \
        ["a", "g", "l2"]


def test_selection_by_element():
    elem = CIB.find(".//primitive[@id='b']")
    assert render_configuration(CIB, ids=[elem]) == "primitive b ocf:pacemaker:Dummy\n"


def test_empty_selection_prints_nothing():
    assert render_configuration(CIB, ids=[]) == ""


def test_render_xml_of_one_object_brings_its_top_parent():
    text = render_xml(CIB.find(".//primitive[@id='b']"))
    assert '<group id="g">' in text and "rsc_location" not in text
    assert text.startswith('<?xml version="1.0" ?>\n<cib validate-with="pacemaker-3.9">')


def test_not_a_configuration():
    with pytest.raises(RenderInputError):
        render_configuration(parse_xml("<resources/>"))
    with pytest.raises(RenderInputError):
        render_object(CIB.find(".//nvpair"))


def test_input_tree_is_not_modified():
    from lxml import etree
    before = etree.tostring(CIB)
    render_configuration(CIB)
    render_xml(CIB)
    assert etree.tostring(CIB) == before


def test_300_objects_render_in_a_few_milliseconds():
    cib = parse_xml(generate_cib(240, 3, status_ops=False))
    assert len(collect_objects(cib)) >= 300
    start = time.perf_counter()
    render_configuration(cib)
    assert time.perf_counter() - start < 0.1


@pytest.mark.slow
def test_large_cib_renders_well_under_a_second():
    # A guard against a pathological (quadratic) render only, with room for a loaded CI
    # machine (0.3-0.65 s measured): the speed itself is bench/'s to measure.
    cib = parse_xml(generate_cib(5000, 32, status_ops=True))
    start = time.perf_counter()
    text = render_configuration(cib)
    assert time.perf_counter() - start < 2.0
    assert text.count("\nprimitive ") == 5000


@pytest.mark.parametrize("spec, attrs", [
    ("stonith:external/ssh", 'class="stonith" type="external/ssh"'),
    ("systemd:foo.service", 'class="systemd" type="foo.service"'),
])
def test_agent_types_with_a_slash_or_dot_are_primitive_lines(spec, attrs):
    """Issue 10, item 3: cluster-glue's stonith:external/ssh was shown as an xml blob."""
    prim = parse_xml(f'<primitive id="st1" {attrs}/>')
    assert render_object(prim) == f"primitive st1 {spec}"


def test_agent_type_with_a_space_still_falls_back_to_xml():
    prim = parse_xml('<primitive id="st1" class="stonith" type="a b"/>')
    assert render_object(prim).startswith("xml ")
