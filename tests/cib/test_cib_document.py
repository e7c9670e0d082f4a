"""Parsing and serialising CIB documents: the empty CIB, errors with their place, big inputs."""

from __future__ import annotations

import pytest
from lxml import etree

from cib_trees import EMPTY_CIB, run, tool
from daemon.cib.document import empty_cib, parse_cib, serialize_cib
from daemon.cib.errors import CibError, CibParseError
from daemon.cib.paths import element_path


def test_empty_cib_is_the_recorded_cibadmin_empty():
    assert serialize_cib(empty_cib()) == EMPTY_CIB.read_bytes()


@pytest.mark.needs_pacemaker
def test_empty_cib_is_what_cibadmin_prints():
    done = run([tool("cibadmin"), "--empty"])
    assert done.returncode == 0
    assert serialize_cib(empty_cib()) == done.stdout


def test_empty_cib_is_a_fresh_tree_each_time():
    first = empty_cib()
    first.find("configuration/resources").append(etree.Element("primitive", id="x"))
    assert empty_cib().find("configuration/resources/primitive") is None


def test_parse_round_trip_keeps_comments_and_reindents():
    data = b'<cib epoch="1" num_updates="0" admin_epoch="0"><configuration><!-- keep -->\n\n   <nodes/></configuration></cib>'
    root = parse_cib(data, source="x.xml")
    assert serialize_cib(root) == (
        b'<cib epoch="1" num_updates="0" admin_epoch="0">\n'
        b"  <configuration>\n    <!-- keep -->\n    <nodes/>\n  </configuration>\n</cib>\n"
    )


def test_line_numbers_are_kept():
    root = parse_cib(b'<cib>\n  <configuration>\n    <nodes/>\n  </configuration>\n</cib>', source="x")
    assert root.find("configuration/nodes").sourceline == 3


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "cib.xml:1:1: Document is empty"),
        (b"<cib>\n  <configuration>\n    <x a='1' a='2'/>\n", "cib.xml:3:19: Attribute a redefined"),
        (b"<cib>\n   </nope>", "cib.xml:2:11: Opening and ending tag mismatch: cib line 1 and nope"),
        (b"\n\n  <configuration/>", "cib.xml:3:3: the root element is <configuration>, not <cib>"),
        (b'<?xml version="1.0"?>\n<cib epoch="1">\n  <status/>\n</cib>', "cib.xml:2:1: <cib> has no <configuration> element"),
        (b"<cib><configuration/></cib><extra/>", "cib.xml:1:28: Extra content at the end of the document"),
    ],
)
def test_malformed_input_names_file_line_column(data, message):
    with pytest.raises(CibParseError) as caught:
        parse_cib(data, source="cib.xml")
    assert str(caught.value) == message
    assert isinstance(caught.value, CibError)
    assert (caught.value.source, caught.value.line) == ("cib.xml", int(message.split(":")[1]))


def test_entities_are_not_expanded():
    data = b'<!DOCTYPE cib [<!ENTITY x SYSTEM "file:///etc/passwd">]><cib><configuration a="&x;"/></cib>'
    with pytest.raises(CibParseError):
        parse_cib(data, source="evil.xml")


def test_text_nodes_beyond_libxml2s_default_limit_load():
    # libxml2 refuses a single text node over 10 MB unless huge_tree is set ("Huge input lookup")
    value = "x" * (11 * 1024 * 1024)
    data = f'<cib><configuration><crm_config><!--{value}--></crm_config></configuration></cib>'.encode()
    root = parse_cib(data, source="big.xml")
    assert len(root.find("configuration/crm_config")[0].text) == len(value)


def test_element_path_forms():
    root = parse_cib(
        b'<cib><configuration><resources><primitive id="d1"><operations><op id="o1"/><op/>'
        b'<op/></operations></primitive></resources><crm_config/></configuration></cib>',
        source="x",
    )
    ops = root.findall("configuration/resources/primitive/operations/op")
    assert element_path(ops[0]) == "/cib/configuration/resources/primitive[@id='d1']/operations/op[@id='o1']"
    assert element_path(ops[1]) == "/cib/configuration/resources/primitive[@id='d1']/operations/op[2]"
    assert element_path(root.find("configuration/crm_config")) == "/cib/configuration/crm_config"
    assert element_path(root) == "/cib"
    # each path finds its element again, as an XPath
    for elem in root.iter():
        assert root.getroottree().xpath(element_path(elem)) == [elem]


def test_element_path_quotes_awkward_ids():
    root = etree.fromstring("""<cib><a id="it's"/><a id='say "hi"'/><a id="both ' and &quot;"/></cib>""")
    for elem in root:
        assert root.getroottree().xpath(element_path(elem)) == [elem]
    assert element_path(root[0]) == "/cib/a[@id=\"it's\"]"
