"""grammars/cib.rng and daemon.cib.schema: what is accepted, what is refused, and how it is said."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from lxml import etree

from cib_trees import CONFORMANCE, EMPTY_CIB, bench_module, wrap_configuration
from daemon.cib.document import parse_cib
from daemon.cib.schema import SchemaProblem, default_schema, validate
from tests.shared_paths import required

SCHEDULER_INPUTS = sorted(required(CONFORMANCE / "scheduler" / "xml").glob("*.xml"))
CRMSH_CONFIGURATIONS = sorted(p for p in required(CONFORMANCE / "crmsh").glob("*.xml")
                              if p != EMPTY_CIB)
OLDER_DOCUMENTS = sorted((Path(__file__).parent / "data").glob("pacemaker-*.xml"))
PACEMAKER_SCHEMAS = Path("/usr/share/pacemaker")


def load(path: Path) -> etree._Element:
    return parse_cib(path.read_bytes(), source=path.name)


def test_conformance_inputs_are_there():
    assert len(SCHEDULER_INPUTS) == 249
    assert len(CRMSH_CONFIGURATIONS) == 44


@pytest.mark.parametrize("path", SCHEDULER_INPUTS, ids=lambda p: p.stem)
def test_scheduler_inputs_are_valid(path):
    assert validate(load(path)) == []


@pytest.mark.parametrize("path", CRMSH_CONFIGURATIONS, ids=lambda p: p.stem)
def test_crmsh_configurations_are_valid(path):
    configuration = etree.fromstring(path.read_bytes())
    assert validate(wrap_configuration(configuration)) == []


@pytest.mark.parametrize("path", OLDER_DOCUMENTS, ids=lambda p: p.stem)
def test_documents_of_older_schema_versions_are_valid(path):
    """Pacemaker 2.1 reads documents declaring pacemaker-1.2, 2.0, 3.7...: so do we."""
    assert validate(load(path)) == []


@pytest.mark.needs_pacemaker
@pytest.mark.parametrize("path", OLDER_DOCUMENTS, ids=lambda p: p.stem)
def test_pacemakers_own_schema_accepts_those_documents(path):
    """The documents above are real ones: Pacemaker's schema of their version accepts them."""
    root = load(path)
    schema_file = PACEMAKER_SCHEMAS / f"{root.get('validate-with')}.rng"
    if not schema_file.exists():
        pytest.skip(f"{schema_file} is not installed (Debian package pacemaker-cli-utils)")
    pacemaker = etree.RelaxNG(file=str(schema_file))
    assert pacemaker.validate(root), [e.message for e in pacemaker.error_log]


def cib_with(*, resources: str = "", constraints: str = "", status: str = "") -> etree._Element:
    text = EMPTY_CIB.read_text()
    text = text.replace("<resources/>", f"<resources>{resources}</resources>")
    text = text.replace("<constraints/>", f"<constraints>{constraints}</constraints>")
    text = text.replace("<status/>", f"<status>{status}</status>")
    return parse_cib(text.encode(), source="cib.xml")


DUMMY = 'class="ocf" provider="pacemaker" type="Dummy"'
RES = "/cib/configuration/resources"
CONS = "/cib/configuration/constraints"

MALFORMED = [
    pytest.param(
        {"resources": f'<primitive id="d1" {DUMMY}><operations><op id="d1-mon" interval="10s"/>'
                      '<op interval="0" name="start"/></operations></primitive>'},
        [(f"{RES}/primitive[@id='d1']/operations/op[@id='d1-mon']", "element 'op': attribute 'name' is required"),
         (f"{RES}/primitive[@id='d1']/operations/op[2]", "element 'op': attribute 'id' is required")],
        id="op-missing-attributes",
    ),
    pytest.param(
        {"constraints": '<rsc_order id="o1" first="a" then="b" kind="Sometimes"/>'},
        [(f"{CONS}/rsc_order[@id='o1']",
          "element 'rsc_order': attribute 'kind' is 'Sometimes', expected one of Mandatory, Optional, Serialize")],
        id="bad-enum",
    ),
    pytest.param(
        {"constraints": '<rsc_location id="l1" rsc="a" node="node1" score="lots"/>'},
        [(f"{CONS}/rsc_location[@id='l1']", "element 'rsc_location': attribute 'score' is 'lots', expected "
          "a score (an integer, INFINITY, +INFINITY or -INFINITY)")],
        id="bad-score",
    ),
    pytest.param(
        {"constraints": '<rsc_colocation id="c1" rsc="a" with-rsc="b" score="inf"/>'},
        [(f"{CONS}/rsc_colocation[@id='c1']", "element 'rsc_colocation': attribute 'score' is 'inf', expected "
          "a score (an integer, INFINITY, +INFINITY or -INFINITY)")],
        id="crmsh-spelling-of-infinity",
    ),
    pytest.param(
        {"resources": f'<primitive id="d1" {DUMMY}/><frobnicator id="f1"/>'},
        [(f"{RES}/frobnicator[@id='f1']", "element 'frobnicator' is not allowed in 'resources' "
          "(allowed: bundle, clone, group, master, primitive, template)")],
        id="unknown-element",
    ),
    pytest.param(
        {"resources": f'<primitive id="d1" {DUMMY} colour="red"/>'},
        [(f"{RES}/primitive[@id='d1']", "element 'primitive': attribute 'colour' is not allowed")],
        id="unknown-attribute",
    ),
    pytest.param(
        {"resources": '<primitive id="d1" type="Dummy"/>'},
        [(f"{RES}/primitive[@id='d1']",
          "element 'primitive': needs attribute 'class' and attribute 'type', or attribute 'template'")],
        id="missing-class",
    ),
    pytest.param(
        {"resources": '<group id="g1"/>'},
        [(f"{RES}/group[@id='g1']", "element 'group': element 'primitive' is required")],
        id="empty-group",
    ),
    pytest.param(
        {"constraints": '<rsc_location id="l1" node="node1" score="10"/>'},
        [(f"{CONS}/rsc_location[@id='l1']",
          "element 'rsc_location': needs attribute 'rsc', or attribute 'rsc-pattern', or element 'resource_set'")],
        id="location-without-resource",
    ),
    pytest.param(
        {"constraints": '<rsc_location id="1st" rsc="a" node="node1" score="10"/>'},
        [(f"{CONS}/rsc_location[@id='1st']", "element 'rsc_location': attribute 'id' is '1st', expected an id "
          "(an XML name: letters, digits, '.', '-' and '_', not starting with a digit)")],
        id="id-not-a-name",
    ),
    pytest.param(
        {"resources": f'<primitive id="d1" class="ocf" type="Dummy"/>'},
        [(f"{RES}/primitive[@id='d1']", "element 'primitive': this combination of attributes is not allowed")],
        id="ocf-without-provider",
    ),
    pytest.param(
        {"resources": f'<primitive id="d1" {DUMMY} template="t1"/>'},
        [(f"{RES}/primitive[@id='d1']",
          "element 'primitive': attribute 'template' is not allowed (here, or together with the others)")],
        id="agent-and-template",
    ),
    pytest.param(
        {"resources": f'<primitive id="d1" {DUMMY}><operations><op id="m" name="monitor" interval="1s" '
                      f'enabled="maybe"/></operations></primitive><primitive id="d2" {DUMMY} colour="x"/>'},
        [(f"{RES}/primitive[@id='d1']/operations/op[@id='m']",
          "element 'op': attribute 'enabled' is 'maybe', expected a boolean (true, false, 1 or 0)"),
         (f"{RES}/primitive[@id='d2']", "element 'primitive': attribute 'colour' is not allowed")],
        id="every-problem-not-just-the-first",
    ),
    pytest.param(
        {"status": '<node_state uname="n1"><lrm id="n1"><lrm_resources><lrm_resource id="d1">'
                   '<lrm_rsc_op operation="start"/></lrm_resource></lrm_resources></lrm><bogus/></node_state>'},
        [("/cib/status/node_state/lrm[@id='n1']/lrm_resources/lrm_resource[@id='d1']/lrm_rsc_op",
          "element 'lrm_rsc_op': attribute 'id' is required"),
         ("/cib/status/node_state/bogus", "element 'bogus' is not allowed in 'node_state' "
          "(allowed: lrm, transient_attributes)")],
        id="status-names-and-ids",
    ),
]


@pytest.mark.parametrize("parts, expected", MALFORMED)
def test_malformed_documents_are_refused_with_exact_messages(parts, expected):
    root = cib_with(**parts)
    problems = validate(root)
    assert [(p.path, p.message) for p in problems] == expected
    for problem in problems:
        assert problem.line == root.getroottree().xpath(problem.path)[0].sourceline


@pytest.mark.needs_pacemaker
@pytest.mark.parametrize("parts, expected", [p for p in MALFORMED if "status" not in p.values[0]])
def test_pacemakers_schema_refuses_them_too(parts, expected):
    """The same documents, refused by Pacemaker's own schema (which checks nothing in
    the status section: there we are stricter on purpose)."""
    schema_file = PACEMAKER_SCHEMAS / "pacemaker-3.9.rng"
    if not schema_file.exists():
        pytest.skip(f"{schema_file} is not installed")
    assert not etree.RelaxNG(file=str(schema_file)).validate(cib_with(**parts))


def test_status_attributes_are_free():
    root = cib_with(status='<node_state id="1" anything="goes"><lrm id="1" new-in-pacemaker-9="x"/></node_state>')
    assert validate(root) == []


def test_problem_as_text():
    problem = SchemaProblem(12, "/cib/configuration", "element 'x': attribute 'y' is required")
    assert str(problem) == "/cib/configuration (line 12): element 'x': attribute 'y' is required"
    assert str(SchemaProblem(None, "/cib", "m")) == "/cib: m"


def test_lines_past_libxml2s_limit_are_not_guessed():
    padding = "\n" * 70000
    text = EMPTY_CIB.read_text().replace("<resources/>", f"<resources>{padding}<group id='g1'/></resources>")
    (problem,) = validate(parse_cib(text.encode(), source="cib.xml"))
    assert problem.line is None
    assert problem.path == f"{RES}/group[@id='g1']"


def test_schema_is_compiled_once():
    assert default_schema() is default_schema()


@pytest.mark.slow
def test_a_100_mb_cib_validates_in_seconds():
    root = parse_cib(bench_module().generate_cib(32, 5000), source="big.xml")
    validate(root)
    start = time.perf_counter()
    assert validate(root) == []
    elapsed = time.perf_counter() - start
    assert elapsed < 3.0, f"validating took {elapsed:.1f} s"
