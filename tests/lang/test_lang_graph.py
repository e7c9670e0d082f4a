"""`configure graph`: the configuration as crmsh's Graphviz digraph (issue 10, item 18).

The pure checks read the lines that matter; where crmsh is installed, the whole text is
compared with what `crm configure graph dot FILE` writes, for every configuration of the
crmsh conformance cases and for one that uses every kind crmsh draws."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from lxml import etree

from crm_cases import CASES_DIR, empty_cib
from crmshell.lang.parser import parse_document
from crmshell.lang.place import define_all
from crmshell.lang.render_graph import render_graph
from daemon.cib.ids import IdAllocator

# Every kind crmsh draws: nodes (one whose name needs quoting as an id), a template and its
# user, a fence device, a non-OCF agent, groups (one in a clone), clone and ms members,
# location scores (plain, -inf, rule, score attribute), orders (kinds, sets, an optional set).
RICH = """\
node node1
node 2: node-2.example
node node3 attributes rack=1
property stonith-enabled=false
rsc_template tpl ocf:heartbeat:Dummy params state=/tmp/x
primitive f1 stonith:fence_dummy
primitive p1 @tpl
primitive p2 ocf:pacemaker:Dummy
primitive p3 lsb:ssh
primitive _1a ocf:pacemaker:Dummy
primitive m1 ocf:pacemaker:Dummy
primitive m2 ocf:pacemaker:Dummy
primitive m3 ocf:pacemaker:Dummy
primitive s1 ocf:pacemaker:Stateful
primitive c1 ocf:pacemaker:Dummy
primitive g2a ocf:pacemaker:Dummy
primitive g2b ocf:pacemaker:Dummy
group g1 m3 m1 m2
group g2 g2a g2b
clone cl-g2 g2
ms ms-s1 s1
clone cl-c1 c1
location l1 p2 100: node1
location l2 g1 -inf: node3
location l3 p1 rule 50: #uname eq node3
location l4 p3 rule inf: #uname eq node1 and rack eq 1
location l5 cl-g2 inf: node-2.example
location l6 p2 rule rack: #uname eq node1
colocation co1 inf: p2 p1
order o1 Mandatory: p1 p2
order o2 Optional: g1 cl-g2
order o3 inf: p3 _1a
order o4 0: ms-s1:promote cl-c1:start
order o5 Serialize: p2 p3
order o6 Mandatory: p1 ( p2 p3 ) _1a
order o7 Optional: [ m1 m2 ] p1
order o8 Mandatory: p3 [ _1a p2 ] sequential=true
"""


def rich_cib():
    cib = empty_cib()
    define_all(cib, parse_document(RICH, source="<rich>"),
               IdAllocator.from_tree(cib.find("configuration")), mode="create")
    return cib


def test_what_crmsh_draws_for_each_kind():
    lines = render_graph(rich_cib()).splitlines()
    assert lines[:5] == ["digraph G {", "", '\tfontname="Helvetica";', '\tfontsize="11";',
                         '\tcompound="true";']
    assert "\tsubgraph cluster_g1 {" in lines and "\t\tm3 -> m1 -> m2 [];" in lines
    assert '\t\tlabel="clone:g2";' in lines and '\t\tcolor="#ec008c";' in lines
    assert '\tnode1 -> p2 [style="dashed",dir="none",label="100"];' in lines
    assert '\tnode_2_example -> g2a [style="solid",dir="none"];' in lines
    assert '\tnode1 -> p2 [style="dashed",dir="none",label="attr:rack"];' in lines
    assert '\tm2 -> g2a [label="Optional"];' in lines        # last of g1 -> first of cl-g2
    assert '\tm1 -> p1 [label="Optional",style="dotted",ltail="clustero7_0"];' in lines
    assert '\ttpl -> p1 [color="#b9b9b9",style="dotted",arrowtail="open",dir="back"];' in lines
    assert any(line.startswith('\tc1 [label="clone:c1\\nDummy"') for line in lines)
    assert any(line.startswith('\tp3 [label="p3\\nlsb:ssh"') for line in lines)
    assert not any("co1" in line or "p2 -> p1" in line for line in lines)   # no colocations
    assert '\tnode1 -> f1 [style="invis",constraint="false"];' in lines
    assert lines[-1] == "}"


def test_an_empty_configuration_draws_nothing():
    bare = etree.fromstring(b'<cib epoch="1" num_updates="0" admin_epoch="0"><configuration>'
                            b'<crm_config/><nodes/><resources/><constraints/></configuration>'
                            b'</cib>')
    assert render_graph(bare) is None


CRM = shutil.which("crm")


def _crmsh_graph(cib, tmp_path) -> str:
    path, out = tmp_path / "cib.xml", tmp_path / "crm.dot"
    path.write_bytes(etree.tostring(cib))
    proc = subprocess.run([CRM, "configure", "graph", "dot", str(out)], capture_output=True,
                          text=True, env={**os.environ, "CIB_file": str(path),
                                          "HOME": str(tmp_path)}, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return out.read_text()


def _case_cib(name: str):
    parser = etree.XMLParser(remove_blank_text=True)
    cib = empty_cib()
    cib.replace(cib.find("configuration"),
                etree.parse(str(CASES_DIR / f"{name}.xml"), parser).getroot())
    return cib


CASES = sorted(p.stem for p in CASES_DIR.glob("*.xml") if p.stem != "empty-cib")


@pytest.mark.slow
@pytest.mark.skipif(CRM is None, reason="crmsh (crm) is not installed")
@pytest.mark.parametrize("name", ["<rich>"] + CASES)
def test_the_text_is_crmshs(name, tmp_path):
    cib = rich_cib() if name == "<rich>" else _case_cib(name)
    assert render_graph(cib) == _crmsh_graph(cib, tmp_path)
