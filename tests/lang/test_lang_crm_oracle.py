"""Differential checks against the real crmsh (4.4.1) where the conformance cases are silent.

Each script is run through `crm -f` on an empty CIB file, ending in `show xml` instead of a
commit (so crmsh's own verification cannot get in the way), and through our parser, builder
and placement. The configurations must match: ids, attribute values, element order inside
objects. The order of top-level objects is left out: `show xml` prints them in crmsh's object
order, not the document's.
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess

import pytest
from lxml import etree

from crm_cases import CASES_DIR, canonical, dump, empty_cib
from crmshell.lang.errors import DefinitionError, ParseError
from crmshell.lang.parser import parse_document, parse_statement
from crmshell.lang.place import define, define_all
from daemon.cib.ids import IdAllocator
from tests.shared_paths import required

required(CASES_DIR / "empty-cib.xml")
CRM = shutil.which("crm")
pytestmark = [
    pytest.mark.skipif(CRM is None, reason="crmsh (crm) is not installed"),
    pytest.mark.slow,
]

SCRIPTS = {
    "nodes": """
node node1
node $id=abc node2:ping description="a node" mem=16G utilization cpu=4 attributes x=1
node xyz: node3:remote
node node1 attributes a=1
node node1 utilization u=2 attributes b=2
""",
    "locations": """
primitive d1 Dummy
primitive d2 Dummy
location l1 d1 role=Started resource-discovery=never 100: node1
location l2 /d.*/ -inf: node2 role=Promoted
location l3 { d1 d2:Started } pingd: node1
location l4 d1 rule $role=Promoted advisory: defined pingd and pingd number:gte 10 and x eq y and z ne param{w}
location l5 d1 rule date in start=2020-01-01 hours=10 months=2 or date spec weekdays=1-5 or date gt 2020-01-01
location l6 d1 rule $id=myrule 10: #uname eq n1 rule -inf: not_defined a or a lte 0
location l7 d2 rule $id-ref=myrule
location l8 d2 rule $id-ref=l6
""",
    "colocations-orders": """
primitive d1 Dummy
primitive d2 Dummy
primitive d3 Dummy
colocation c1 -100: d1:Promoted d2:2 node-attribute=RACK
colocation c2 inf: [ d1 d2 sequential=true ] ( d3:Started )
colocation c3 inf: _rsc_set_ d1 d2
colocation c4 inf: d1 d2 sequential=false d3:Master
order o1 inf: d1:start d2:stop symmetrical=no
order o2 0: d1 d2 d3:start
order o3 d1 d2
order o4 serialize: [ d1 d2 ] d3 d3:promote
order o5 100: d1 d2
rsc_ticket t1 tk: d1:Master d2 loss-policy=demote
rsc_ticket t2 tk2: d3
""",
    "operations": """
rsc_template tpl Dummy params fake=1 op monitor interval=10
primitive p1 @tpl params state=1
primitive p2 Dummy op monitor interval=10 timeout=20 op_params $id=ops1 depth=0 op_meta 2: rule #uname eq node1 a=1 op start timeout=10 interval=0 op_params x=1 op_meta y=2
primitive p3 Dummy op start 2: rule #uname eq node1 a=1
primitive p4 Dummy params foo bar=1 meta
primitive p5 Dummy operations $id-ref=p2 op monitor interval=11
primitive p6 Dummy params $id-ref=p4 utilization cpu=1 meta $id=p6meta a=1
primitive p7 Dummy op monitor interval=10 meta m=1 op stop interval=0 timeout=5 op monitor interval=20 OCF_CHECK_LEVEL=10
monitor p1 30s
monitor p2:Promoted 20s:10s
primitive p8 Dummy params $p8-a:a=1 b=2
primitive p9 Dummy params @p8-a @p8-a:x
""",
    "containers": """
primitive d1 Dummy
primitive d2 Dummy
primitive d3 Dummy
primitive d4 Dummy
primitive st stonith:null params hostlist=node1 description=foo
primitive s2 stonith:null description="a desc" params hostlist=node2
group g1 d1 d2 description=hi meta target-role=Stopped
clone c1 g1 meta interleave=true
ms m1 d3 meta notify=true
clone c2 d4 params a=1 meta promotable=true
""",
    "redirect": """
node node1
primitive d1 Dummy
primitive d2 Dummy
primitive d3 Dummy
location l2 d1 100: node1
colocation c1 inf: d1 d2
order o1 d1 d2 d3
colocation c2 inf: d1 d3
colocation c3 inf: d3:Master d1:Started
group g d1 d2
""",
    "bundles": """
primitive dummy Dummy op monitor interval=10 meta target-role=Stopped
bundle b1 docker image=test replicas=2 network control-port=3121 port-mapping id=pm1 port=80 port-mapping id=pm2 range=90-99 storage storage-mapping id=s1 source-dir=/a target-dir=/b storage-mapping id=s2 source-dir=/c target-dir=/d meta target-role=Stopped primitive dummy
bundle b2 description=xx docker image=x meta a=1 network ip-range-start=10.0.0.1 meta b=2
""",
    "options": """
property stonith-enabled=false
property no-quorum-policy=ignore
property stonith-enabled=true
property $id=cpset2 maintenance-mode=true
property cpset3: rule 10: #uname eq node1 maintenance-mode=false
rsc_defaults resource-stickiness=100
rsc_defaults $id=rd2 migration-threshold=3
op_defaults timeout=20s
op_defaults opsdef2: rule 100: #uname eq node1 record-pending=true
property rule #uname eq node1 stonith-enabled=no
""",
    "alerts-acls-tags": """
primitive d0 Dummy
alert a1 /path/x.sh meta timeout=10 to { 10.0.0.1 attributes a=1 meta m=1 } select nodes attributes { x y } to 10.0.0.2 attributes b=2
alert a2 "/path/y.sh" description="an alert" attributes p=1 select fencing resources to 10.0.0.3
role r1 description=x read xpath:/cib ref:d0 write $id=perm1 meta:d0:target-role deny myid: status
role r2 read tag:node attr:uname read params:d0:foo write location:d0 read nodeutil:node1 read property:stonith-enabled
acl_target alice r1 r2
tag t1: d0
tag t2 d0 a1
""",
    "collisions": """
node 123 attributes a=1
primitive l1-rule Dummy
primitive d1-instance_attributes Dummy
primitive d1 Dummy params a=1 params b=2
location l1 d1 rule #uname eq n1 rule #uname eq n2
primitive x1 Dummy
primitive d2 Dummy params $id=x1-meta_attributes-0 c=1
primitive x2 Dummy meta a=1
clone cl-x1 x1 meta x=1 meta y=2
""",
    "fencing": """
node node1
node node2
primitive s1 stonith:null params hostlist=node1
primitive s2 stonith:null params hostlist=node1
fencing_topology s1 s2,s1
""",
    "fencing-targets": """
primitive s1 stonith:null params hostlist=node1
primitive s2 stonith:null params hostlist=node1
fencing_topology node1: s1 s2 node2: s1,s2 attr:rack=1 s1 attr:rack=2 s2 pattern:node.* s2
""",
    "xml": """
primitive d1 Dummy
xml '<rsc_location id="lx" rsc="d1"><rule score="10"><expression attribute="#uname" operation="eq" value="n1"/></rule></rsc_location>'
xml '<primitive id="x1" class="ocf" provider="heartbeat" type="Dummy"><instance_attributes><nvpair name="a" value="1"/></instance_attributes></primitive>'

""",
}

# `load update` of a file into a CIB built by the first part
LOAD_UPDATE = {
    "update-containers": ("""
primitive a Dummy
primitive b Dummy
primitive c Dummy
primitive e Dummy
group g a b meta target-role=Stopped
clone cl e
location l1 g 10: node1
""", """group g a c meta target-role=Started is-managed=false
location l1 g rule #uname eq node1
fencing_topology node1: e
"""),
    "update-primitive": ("""
primitive d1 Dummy params $myset:a=1 meta m=1 op monitor interval=10
primitive d2 Dummy
property stonith-enabled=false
node node1 attributes a=1
""", """primitive d1 Dummy params a=2 b=3 op monitor interval=10 timeout=5 op start interval=0
primitive d3 Dummy
group g d2 d3
property stonith-enabled=true no-quorum-policy=stop
node node1 attributes a=2 c=3
fencing_topology node1: d1
"""),
}


def _crm(script: str, tmp_path, files: dict[str, str] | None = None):
    cib = tmp_path / "cib.xml"
    shutil.copy(CASES_DIR / "empty-cib.xml", cib)
    for name, text in (files or {}).items():
        (tmp_path / name).write_text(text)
    (tmp_path / "s.crm").write_text("configure\n" + script.strip() + "\nshow xml\n")
    env = dict(os.environ, CIB_file=str(cib))
    out = subprocess.run([CRM, "-f", "s.crm"], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=120, stdin=subprocess.DEVNULL)
    start, end = out.stdout.find("<cib"), out.stdout.rfind("</cib>")
    assert start >= 0, out.stdout + out.stderr
    root = etree.fromstring(out.stdout[start:end + 6], etree.XMLParser(remove_blank_text=True))
    return root.find("configuration"), out.stderr


def _ours(script: str, cib=None, ids=None):
    cib = cib if cib is not None else empty_cib()
    ids = ids if ids is not None else IdAllocator.from_tree(cib.find("configuration"))
    for line in parse_document(script):
        try:
            define(cib, line, ids)
        except (ParseError, DefinitionError):
            pass  # crmsh also goes on after a refused line
    return cib, ids


def _compare(theirs, ours) -> None:
    a = canonical(theirs, order_sections=True)
    b = canonical(ours, order_sections=True)
    assert a == b, "\n".join(difflib.unified_diff(dump(theirs), dump(ours), "crm", "ours",
                                                  lineterm="", n=2))


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_same_xml_as_crm(name, tmp_path):
    theirs, _stderr = _crm(SCRIPTS[name], tmp_path)
    cib, _ids = _ours(SCRIPTS[name])
    _compare(theirs, cib.find("configuration"))


@pytest.mark.parametrize("name", sorted(LOAD_UPDATE))
def test_load_update_as_crm(name, tmp_path):
    first, loaded = LOAD_UPDATE[name]
    theirs, _stderr = _crm(first + "\nload update upd.txt\n", tmp_path, {"upd.txt": loaded})
    cib, ids = _ours(first)
    define_all(cib, parse_document(loaded), ids, mode="update")
    _compare(theirs, cib.find("configuration"))


def test_the_oracle_can_tell_a_difference(tmp_path):
    theirs, _ = _crm("primitive d1 Dummy params a=1", tmp_path)
    cib, _ids = _ours("primitive d1 Dummy params a=2")
    with pytest.raises(AssertionError):
        _compare(theirs, cib.find("configuration"))


def test_statement_parses_like_crm_refuses(tmp_path):
    """A few statements crmsh refuses are refused here too (at parse time)."""
    for line in ("group g1 d1 d1", "location l1 d1 rule a eq 1 and b eq 2 or c eq 3",
                 "order o1 foo: d1 d2", "colocation c inf: ( d1 d2"):
        with pytest.raises(ParseError):
            parse_statement(line)
