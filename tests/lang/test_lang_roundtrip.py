"""Round trips through `show`: definitions drawn from the grammar are built, printed by the
show renderer, parsed and built again, and must give the same configuration.

What crmsh's show text cannot carry is left out on both sides: ids given explicitly (crmsh
prints them only when something refers to them), the `string:` type of an expression
(crmsh's show drops it), the order of a bundle's parts and of fencing levels (show prints
them grouped), and the ids crmsh's node merge leaves behind.
"""

from __future__ import annotations

import random
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_cases import canonical, empty_cib
from grammar_walk import GrammarWalk
from crmshell.lang.errors import DefinitionError, ParseError
from crmshell.lang.parser import default_parser, parse_document, parse_statement
from crmshell.lang.place import define, define_all
from crmshell.lang.render import render_configuration
from daemon.cib.ids import IdAllocator

SETUP = ["node node1", "node node2", "primitive d1 Dummy", "primitive d2 Dummy",
         "primitive d3 Dummy", "primitive tpl Dummy"]
_EXPLICIT_ID = re.compile(r"\$|id=|(read|write|deny) [\w-]+:")
_NODE_MERGE = re.compile(r"^node (\S+: |\$\S+ )?node[12]\b")


def _configuration(lines, text=None):
    cib = empty_cib()
    ids = IdAllocator.from_tree(cib.find("configuration"))
    for line in SETUP:
        define(cib, parse_statement(line), ids)
    if text is not None:
        define_all(cib, parse_document(text), ids)
    for stmt in lines:
        define(cib, stmt, ids)
    return cib


def _normalised(cib):
    conf = cib.find("configuration")
    for expr in conf.iter("expression"):
        if expr.get("type") == "string":
            del expr.attrib["type"]
    for bundle in conf.iter("bundle"):
        bundle[:] = sorted(bundle, key=lambda e: str(e.tag))
    for topology in conf.iter("fencing-topology"):
        for level in topology:
            level.attrib.pop("id", None)
        topology[:] = sorted(topology, key=lambda e: sorted(e.attrib.items()))
    return canonical(conf, order_sections=True)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**32))
def test_show_round_trip(seed):
    walk = GrammarWalk(default_parser().lark)
    text = walk.statement(random.Random(seed))
    if _EXPLICIT_ID.search(text) or _NODE_MERGE.search(text):
        return
    try:
        stmt = parse_statement(text)
        cib = _configuration([stmt])
    except (ParseError, DefinitionError):
        return
    shown = render_configuration(cib)
    if "xml <meta_attributes" in shown:
        return  # crmsh prints defaults it cannot express as XML it cannot read back either
    again = empty_cib()
    define_all(again, parse_document(shown, source="show"),
               IdAllocator.from_tree(again.find("configuration")))
    assert _normalised(again) == _normalised(cib), f"{text}\n---\n{shown}"


def test_an_alerts_own_set_after_a_braced_recipient_reads_back():
    """show prints `to { ADDR } meta ...` for an alert's set after its recipient (crmsh's
    form); found by the round trip above at seed 2557033."""
    text = 'alert c1 "/x.sh" to { 10.0.0.1 } meta a=1'
    cib = _configuration([parse_statement(text)])
    shown = render_configuration(cib)
    assert "to { 10.0.0.1 }" in shown and "meta a=1" in shown
    again = empty_cib()
    define_all(again, parse_document(shown, source="show"),
               IdAllocator.from_tree(again.find("configuration")))
    assert _normalised(again) == _normalised(cib)
