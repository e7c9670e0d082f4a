"""parse_statement / parse_document: statements, positions, quoting, keywords in context, and
error messages that say where and what was expected."""

from __future__ import annotations

import pytest

from crmshell.lang.errors import ParseError
from crmshell.lang.parser import DEFINITION_KEYWORDS, parse_document, parse_statement


def words(stmt) -> list[str]:
    """The token values of a statement, in order."""
    return [str(t) for t in stmt.tree.scan_values(lambda _: True)]


@pytest.mark.parametrize("text,kind,ident", [
    ("node node1", "node", "node1"),
    ("node $id=42 node1:ping", "node", "node1"),
    ("node xyz: node3:remote attributes a=1", "node", "node3"),
    ("node id=node2", "node", "node2"),
    ("primitive d1 Dummy", "primitive", "d1"),
    ("resource d1 Dummy", "primitive", "d1"),
    ("primitive id=dummy ocf:heartbeat:Dummy", "primitive", "dummy"),
    ("rsc_template tpl Dummy", "rsc_template", "tpl"),
    ("group g1 d1 d2", "group", "g1"),
    ("clone c1 g1", "clone", "c1"),
    ("ms m1 s1", "ms", "m1"),
    ("master m1 s1", "ms", "m1"),
    ("bundle b1 docker image=x", "bundle", "b1"),
    ("location l1 d1 100: node1", "location", "l1"),
    ("colocation c1 inf: d1 d2", "colocation", "c1"),
    ("collocation c1 inf: d1 d2", "colocation", "c1"),
    ("order o1 Mandatory: d1 d2", "order", "o1"),
    ("rsc_ticket t1 tk: d1", "rsc_ticket", "t1"),
    ("property stonith-enabled=false", "property", "cib-bootstrap-options"),
    ("property fencing-enabled=false", "property", "cib-bootstrap-options"),
    ("property $id=cpset2 maintenance-mode=true", "property", "cpset2"),
    ("property SAPHanaSR: x=4", "property", "SAPHanaSR"),
    ("rsc_defaults failure-timeout=10m", "rsc_defaults", "rsc-options"),
    ("op_defaults opsdef2: timeout=1m", "op_defaults", "opsdef2"),
    ("fencing_topology st", "fencing_topology", "fencing_topology"),
    ("fencing-topology node1: st", "fencing_topology", "fencing_topology"),
    ("tag t1: d1 d2", "tag", "t1"),
    ("tag t2 d1", "tag", "t2"),
    ("alert a1 /p.sh to 10.0.0.1", "alert", "a1"),
    ("role r1 read cib", "role", "r1"),
    ("user u1 role:r1", "user", "u1"),
    ("acl_target alice r1", "acl_target", "alice"),
    ("acl_group admins r1", "acl_group", "admins"),
    ("monitor d1:Started 60s:30s", "monitor", "d1"),
    ("xml <primitive id='x1' class='ocf' provider='heartbeat' type='Dummy'/>", "xml", "x1"),
    ("xml <rsc_defaults><meta_attributes><nvpair name='a' value='1'/></meta_attributes></rsc_defaults>",
     "xml", "rsc-options"),
])
def test_kind_and_id(text, kind, ident):
    stmt = parse_statement(text)
    assert (stmt.kind, stmt.id) == (kind, ident)


def test_definition_keywords_cover_aliases():
    assert {"primitive", "resource", "ms", "master", "colocation", "collocation",
            "fencing_topology", "fencing-topology", "xml", "monitor"} <= DEFINITION_KEYWORDS
    assert "delete" not in DEFINITION_KEYWORDS and "commit" not in DEFINITION_KEYWORDS


def test_position_and_text_of_a_continued_statement():
    text = "primitive st stonith:ssh \\\n\tparams hostlist='node1' \\\n\top start timeout=60s"
    stmt = parse_statement(text, source="f.crm", line=7, column=3)
    assert (stmt.source, stmt.line, stmt.column) == ("f.crm", 7, 3)
    assert stmt.text == text
    assert "hostlist=node1" in words(stmt)


def test_continuation_joins_pieces_without_a_space_like_crmsh():
    # crmsh strips each line and glues the pieces: "a=1\" + "b" is "a=1b"
    stmt = parse_statement("primitive p Dummy params a=1\\\n  b=2")
    assert "a=1b=2" in words(stmt)


def test_error_positions_follow_continuation_lines():
    text = "primitive st stonith:ssh \\\n\tparams hostlist=node1 \\\n\top"
    with pytest.raises(ParseError) as info:
        parse_statement(text, source="f.crm", line=10)
    assert (info.value.line, info.value.column) == (12, 4)


@pytest.mark.parametrize("text,word", [
    ("primitive p Dummy params hostlist=\"node1 node2\"", "hostlist=node1 node2"),
    ("primitive p Dummy params hostlist='node1 node2'", "hostlist=node1 node2"),
    ("primitive p Dummy params 'a=x y'", "a=x y"),
    ("primitive p Dummy params a=\"say \\\"hi\\\"\"", 'a=say "hi"'),
    ("primitive p Dummy params a=\"c:\\d\"", "a=c:\\d"),
    ("primitive p Dummy params a=x\\ y", "a=x y"),
    ("primitive p Dummy params a=''", "a="),
    ("primitive p Dummy meta description=\"some description here\"", "description=some description here"),
])
def test_quoting_follows_posix_shlex(text, word):
    assert word in words(parse_statement(text))


def test_quoted_keyword_is_still_a_keyword():
    stmt = parse_statement("primitive p Dummy \"meta\" a=1")
    assert stmt.tree.children[-1].data == "attr_set"


def test_a_keyword_where_a_name_fits_is_a_name():
    assert parse_statement("primitive meta Dummy").id == "meta"
    assert parse_statement("group op a b").id == "op"
    assert parse_statement("location l1 d1 rule op eq 1").kind == "location"
    # but where crmsh takes a keyword first, so do we
    with pytest.raises(ParseError):
        parse_statement("location l1 d1 rule date eq 1")


def test_keywords_are_case_insensitive():
    stmt = parse_statement("PRIMITIVE p Dummy PARAMS a=1 OP monitor interval=10")
    assert stmt.kind == "primitive"
    assert [c.data for c in stmt.tree.children if hasattr(c, "data")] == ["attr_set", "op"]


def test_brackets_glued_to_names_are_split():
    stmt = parse_statement("colocation c inf: (d1 d2) [d3 d4]")
    assert words(stmt)[3:] == ["(", "d1", "d2", ")", "[", "d3", "d4", "]"]


def test_document_attaches_comments_and_skips_blank_lines():
    text = ("# head comment\n\nprimitive a Dummy\n# one\n#   two\nprimitive b Dummy \\\n"
            "  params x=1\n\nprimitive c Dummy\n# trailing comment")
    stmts = parse_document(text, source="doc.crm", line=5)
    assert [s.id for s in stmts] == ["a", "b", "c"]
    assert stmts[0].comments == ["# head comment"]
    assert stmts[1].comments == ["# one", "#   two"]
    assert stmts[2].comments == []
    assert [s.line for s in stmts] == [7, 10, 13]


def test_document_error_names_the_line():
    with pytest.raises(ParseError) as info:
        parse_document("primitive a Dummy\n\nlocation l1 a foo\n", source="load.crm")
    assert str(info.value) == ("load.crm:3:15: expected a score or 'rule' after "
                               "'location l1 a', found 'foo'")


def test_error_message_of_the_brief():
    with pytest.raises(ParseError) as info:
        parse_statement("location loc1 d1 foo", source="batch.crm", line=3, column=5)
    exc = info.value
    assert str(exc) == "batch.crm:3:22: expected a score or 'rule' after 'location loc1 d1', found 'foo'"
    assert exc.expected == ("a score", "'rule'")
    assert exc.found == "foo"
    assert exc.statement == "location loc1 d1 foo"


@pytest.mark.parametrize("text,column,fragment", [
    ("primitive", 10, "expected an identifier after 'primitive', found the end of the statement"),
    ("primitive p1", 13, "expected @<template> or a resource agent"),
    ("primitive p1 Dummy op", 22, "expected an operation name after"),
    ("colocation c1 d1 d2", 15, "expected a score after 'colocation c1', found 'd1'"),
    ("order o1 foo: a b", 10, "'foo:' is not a kind"),
    ("frobnicate x", 1, "'frobnicate' is not a definition"),
    ("location l1 d1 rule #uname eq", 30, "expected a value after"),
    ("location l1 d1 rule #uname is x", 28, "expected a comparison"),
    ("group g1 d1 d1", 13, "group member 'd1' is listed more than once"),
    ("primitive p Dummy params a=\"oops", 28, "double quote is never closed"),
    ("primitive p Dummy params a='oops", 28, "single quote is never closed"),
    ("colocation c inf: ( a b", 19, "'(' is never closed"),
    ("colocation c inf: a b )", 23, "')' closes no resource set"),
    ("colocation c inf: ( a [ b ] )", 23, "resource sets cannot be nested"),
    ("colocation c inf: ( a ]", 23, "']' does not close '('"),
    ("colocation c inf: a ( ) b", 23, "empty resource set"),
    ("colocation c inf: a b foo=1", 23, "unknown resource set attribute 'foo'"),
    ("colocation c inf: a b sequential=maybe", 23, "'maybe' is not a boolean"),
    ("order o1 a:bogus b", 10, "'bogus' is not a valid action for 'a'"),
    ("colocation c inf: a:Boss b", 19, "'Boss' is not a valid role for 'a'"),
    ("rsc_ticket t1 tk: a loss-policy=never", 21, "'never' is not a valid loss-policy"),
    ("primitive p1 Dummy op monitor interval=10 OCF_CHECK_LEVEL=1 timeout=20", 61,
     "operation attribute 'timeout' must come before"),
    ("location l1 d1 rule date in start=2020", 26, "'date in' needs start= and end="),
    ("location l1 d1 rule date spec start=2020", 31, "'date spec' takes date fields"),
    ("location l1 d1 rule a eq 1 and b eq 2 or c eq 3", 39, "cannot mix 'and' and 'or'"),
    ("xml <primitive id='x'", 5, "the XML is not well formed"),
    ("xml <nodes/>", 5, "<nodes> is not an element a definition can hold"),
    ("role r1 read xpath", 14, "expected xpath:<value>"),
    ("role r1 read attr:uname", 9, "attr: is only valid together with tag:"),
    ("role r1 read meta", 14, "ACL shortcut 'meta' needs an argument"),
    ("role r1 read status:x", 14, "ACL shortcut 'status' does not take 'x'"),
    ("user u1 read reference:x", 14, "'reference:' is not valid in a user's rule"),
    ("primitive 1abc Dummy", 11, "'1abc' is not a valid id"),
    ("primitive p ocf::Dummy", 13, "names no provider"),
    ("primitive p a:b:c:d", 13, "is not a resource agent"),
    ("monitor d1:foo 10s", 9, "'foo' is not a role"),
    ("monitor d1 10s:5s:1s", 12, "expected <interval>[:<timeout>]"),
    ("location l1 d1 foo:bar=1 100: n1", 16, "'foo:bar' is not a valid attribute name"),
    ("primitive p Dummy params a=\x01", 28, "character U+0001 cannot be stored"),
    ("property $id=9x a=1", 10, "'9x' is not a valid id"),
    ("node", 5, "expected <id>: or a node name"),
])
def test_malformed_statements_are_located(text, column, fragment):
    with pytest.raises(ParseError) as info:
        parse_statement(text, source="t.crm", line=4)
    exc = info.value
    assert fragment in exc.message
    assert (exc.line, exc.column) == (4, column), str(exc)
    assert str(exc).startswith(f"t.crm:4:{column}: ")


def test_empty_statement_and_early_end():
    with pytest.raises(ParseError) as info:
        parse_statement("   ", source="x", line=2)
    assert info.value.line == 2
    with pytest.raises(ParseError) as info:
        parse_statement("primitive p1")
    assert info.value.found is None
    assert info.value.expected == ("@<template>", "a resource agent ([class:[provider:]]type)")


@pytest.mark.parametrize("text", [
    # everything crmsh 4.4's show prints, in the forms it prints them
    "property cib-bootstrap-options:",
    "operations $id-ref=d1-ops",
    "primitive s5 ocf:pacemaker:Stateful operations  $id-ref=d1-ops",
    "primitive p2 Dummy params @p0-state",
    "primitive p1 Dummy params rule $role=Started date in start=2009-05-26 end=2010-05-26 or "
    "date gt 2014-01-01 state=2",
    "primitive d7 Dummy params rule #uname eq node1 fake=1 op start interval=0 op_params 2: "
    "rule #uname eq node1 op_param=dummy op_meta 1: start-delay=60m",
    "location l6 m5 rule $id-ref=l2-rule1",
    "location l1 { p0 p1 p2 } inf: node1",
    "colocation c inf: _rsc_set_ d1 d2",
    "colocation c2 inf: [ d1 d2 sequential=true ] ( d3:Started )",
    "order o-d456 d4 d5 d6",
    "rsc_ticket ticket-C_master ticket-C: m6 m5:Master loss-policy=fence",
    "alert notify_10 \"/usr/share/pacemaker/alerts/alert_snmp.sh\" attributes x=false "
    "select attributes { master-prmStateful test1 } to 192.168.28.188",
    "alert a1 /p.sh select fencing nodes resources to { 10.0.0.1 meta timeout=10 }",
    "role silly-role-two read xpath:\"//nodes//attributes\" deny type:nvpair deny ref:d0",
    "fencing_topology node1: st st2 attr:rack=1 st pattern:node.* st2",
    "bundle bundle-test1 docker image=test network ip-range-start=10.10.10.123 port-mapping "
    "id=port1 port=80 storage storage-mapping id=storage1 target-dir=test source-dir=test "
    "meta target-role=Stopped",
    "clone m7 d8 meta promotable=true meta promoted-max=1",
    "node node1 attributes mem=16G utilization cpu=4",
    "role empty-role",
    "acl_target nobody",
])
def test_show_forms_parse(text):
    if text.startswith("operations"):
        text = "primitive d1 Dummy " + text
    parse_statement(text)


def test_interactive_parser_serves_completion():
    from crmshell.lang.parser import default_parser

    parser = default_parser()
    assert set(parser.interactive("primitive d1 ").accepts()) == {"RA_TYPE", "TEMPLATE_REF"}
    assert parser.expected_terminals("location l1 d1 ") == ["RULE", "SCORE", "LOC_ATTR"]
    after_select = parser.expected_terminals("alert a1 /p.sh select ")
    assert {"NODES", "FENCING", "RESOURCES", "SELECT_ATTRIBUTES", "TO"} <= set(after_select)
    first = parser.expected_terminals("")
    assert {"PRIMITIVE", "NODE", "LOCATION", "XML", "MONITOR"} <= set(first)
    with pytest.raises(ParseError):
        parser.interactive("location l1 d1 foo ")


def test_parse_statement_takes_one_statement():
    assert parse_statement("\nprimitive a Dummy \\\n  params x=1\n\n").id == "a"
    with pytest.raises(ParseError) as info:
        parse_statement("primitive a Dummy\nprimitive b Dummy", source="s", line=4)
    assert (info.value.line, info.value.column) == (5, 1)
