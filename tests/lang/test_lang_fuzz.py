"""Property tests: whatever the input, the parser raises ParseError (with a position) or
returns statements, and building and placing what parsed raises only DefinitionError."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_cases import empty_cib
from crmshell.lang.errors import DefinitionError, ParseError
from crmshell.lang.parser import parse_document, parse_statement
from crmshell.lang.place import define
from daemon.cib.ids import IdAllocator

KEYWORDS = [
    "node", "primitive", "resource", "group", "clone", "ms", "master", "rsc_template", "bundle",
    "location", "colocation", "collocation", "order", "rsc_ticket", "property", "rsc_defaults",
    "op_defaults", "fencing_topology", "tag", "alert", "role", "user", "acl_target",
    "acl_group", "xml", "monitor", "params", "meta", "utilization", "attributes",
    "operations", "op", "op_params", "op_meta", "rule", "and", "or", "date", "lt", "gt", "in",
    "spec", "defined", "not_defined", "docker", "podman", "network", "storage",
    "port-mapping", "storage-mapping", "primitive", "select", "to", "nodes", "fencing",
    "resources", "read", "write", "deny", "{", "}", "(", ")", "[", "]", "_rsc_set_",
]
WORDS = KEYWORDS + [
    "d1", "d2", "g1", "node1", "Dummy", "ocf:heartbeat:Dummy", "stonith:null", "ocf::x",
    "a:b:c:d", "inf:", "-inf:", "100:", "foo:", "Mandatory:", "0:", "d1:Master", "d1:start",
    "d1:2", "a=1", "$id=x", "$id-ref=d1", "$x:y=1", "@d1", "@d1:name", "role=Started",
    "description=x", "sequential=false", "require-all=true", "symmetrical=no",
    "node-attribute=rack", "loss-policy=fence", "start=2020", "end=2021", "years=1",
    "#uname", "eq", "number:lte", "version:gt", "value{x}", "attr:a=b", "pattern:n.*",
    "xpath:/cib", "ref:d1", "meta:d1:target-role", "status", "cib", "nodeutil:n1", "tag:x",
    "role:r1", "/d.*/", "@tpl", "60s", "60s:30s", "<primitive id='x' class='ocf' type='y'/>",
    "<bogus/>", "<unclosed", "'quoted word'", '"a \\" b"', "a\\ b", "id=d9", "1abc", "=",
    ":", "", "\\", "a=\x01", "x\x00y", "caf\u00e9", "\ud800", "<a>\x02</a>", "a:b=c",
]

token_soup = st.lists(st.sampled_from(WORDS), min_size=0, max_size=14).map(" ".join)
statements = st.one_of(
    token_soup,
    st.builds(lambda k, rest: f"{k} {rest}", st.sampled_from(KEYWORDS[:26]), token_soup),
    st.text(max_size=80),
)


def _check_error(exc: ParseError) -> None:
    assert exc.line >= 1 and exc.column >= 1
    assert str(exc).startswith(f"{exc.source}:{exc.line}:{exc.column}: ")


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(statements)
def test_parse_statement_raises_only_parse_errors(text):
    try:
        stmt = parse_statement(text, source="fuzz.crm", line=3)
    except ParseError as exc:
        _check_error(exc)
        assert exc.line >= 3
        return
    assert stmt.kind and stmt.tree is not None
    cib = empty_cib()
    ids = IdAllocator.from_tree(cib.find("configuration"))
    try:
        define(cib, stmt, ids, mode="create")
    except DefinitionError as exc:
        assert str(exc)
        # a refused definition leaves the ids as they were
        assert sorted(ids) == sorted(IdAllocator.from_tree(cib.find("configuration")))


@settings(max_examples=300, deadline=None)
@given(st.lists(statements, max_size=6), st.sampled_from(["\n", " \\\n", "\n# c\n", "\n\n"]))
def test_parse_document_raises_only_parse_errors(lines, joiner):
    text = joiner.join(lines)
    try:
        stmts = parse_document(text, source="doc.crm")
    except ParseError as exc:
        _check_error(exc)
        assert exc.line <= text.count("\n") + 1
        return
    for stmt in stmts:
        assert stmt.line >= 1 and stmt.kind
