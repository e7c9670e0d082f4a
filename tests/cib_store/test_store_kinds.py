"""The other kinds of update: replace, status, dc, nodes; versions as Pacemaker keeps them
and refusals that change nothing."""

from __future__ import annotations

import pytest
from lxml import etree

from daemon.cib.document import empty_cib, serialize_cib
from daemon.cib.errors import CibError, CibInvalid, OldData, StatusOpError
from daemon.cib.status_apply import apply_status_ops
from daemon.cib.status_ops import RecordOp, SetNodeState, SetTransientAttr
from daemon.cib.store import CibStore
from daemon.cib.versions import CibVersion
from daemon.controller.messages import NodeRef
from daemon.replication.updates import Update

from tests.cib_store.helpers import META, cib_with, dc, dummy, record, status, text


def store(count: int = 3) -> CibStore:
    return CibStore(cib_with(count))


def replace(body: bytes, section: str | None = None, force: bool = False) -> Update:
    return Update("replace", META, body, section=section, force=force)


def with_version(root, epoch, admin=0):
    root.set("epoch", str(epoch))
    root.set("admin_epoch", str(admin))
    return serialize_cib(root)


# ---- replace --------------------------------------------------------------------------------

def test_replace_whole_keeps_live_status_and_bumps():
    s = store()
    apply_status_ops(s.root, [record("1", "r0", "r0_last_0")])
    new = cib_with(1)
    new.find("status").append(etree.Element("node_state", id="9"))
    applied = s.apply(replace(with_version(new, 5)))
    assert applied.config_changed and s.version == CibVersion(0, 6, 0)
    assert [p.get("id") for p in s.root.iter("primitive")] == ["r0"]
    assert [n.get("id") for n in s.root.iter("node_state")] == ["1"]
    assert {"r1", "r2"} <= applied.changed_ids


@pytest.mark.parametrize("epoch, admin, field", [(0, 0, "epoch"), (9, -1, "admin_epoch")])
def test_replace_with_older_data_is_refused(epoch, admin, field):
    s = store()
    s.root.set("admin_epoch", "1")
    s.root.set("epoch", "3")
    before = text(s.root)
    with pytest.raises(OldData, match=f"its {field} is lower"):
        s.apply(replace(with_version(cib_with(1), epoch, admin + 1 if admin >= 0 else 0)))
    assert text(s.root) == before
    assert s.apply(replace(with_version(cib_with(1), epoch, 0), force=True)).version_after \
        == CibVersion(1, 4, 0)


def test_replace_identical_is_nothing():
    s = store()
    before = text(s.root)
    assert not s.apply(replace(serialize_cib(cib_with(3)))).config_changed
    assert text(s.root) == before


def test_replace_section():
    s = store()
    body = b"<resources>" + etree.tostring(dummy("x1")) + b"</resources>"
    applied = s.apply(replace(body, section="resources"))
    assert [p.get("id") for p in s.root.iter("primitive")] == ["x1"]
    assert s.version == CibVersion(0, 2, 0) and {"x1", "r0"} <= applied.changed_ids


def test_replace_new_section_and_configuration():
    s = store()
    s.apply(replace(b"<rsc_defaults><meta_attributes id='rd'/></rsc_defaults>", section="rsc_defaults"))
    assert s.root.find("configuration/rsc_defaults/meta_attributes").get("id") == "rd"
    s.apply(replace(etree.tostring(cib_with(1).find("configuration")), section="configuration"))
    assert s.root.find("configuration/rsc_defaults") is None and s.version == CibVersion(0, 3, 0)


@pytest.mark.parametrize("body, section, error, match", [
    (b"<resources>", "resources", CibError, "replace body:1:"),
    (b"<constraints/>", "resources", CibError, "not <resources>"),
    (b"<status/>", "status", CibError, "update.section"),
    (b"<resources><primitive id='p'/></resources>", "resources", CibInvalid,
     r"primitive\[@id='p'\]"),
    (b"<cib/>", None, CibError, "no <configuration>"),
])
def test_bad_replacements_are_refused_untouched(body, section, error, match):
    s = store()
    before = text(s.root)
    with pytest.raises(error, match=match):
        s.apply(replace(body, section=section))
    assert text(s.root) == before


# ---- status ---------------------------------------------------------------------------------

def test_status_bumps_num_updates_only():
    s = store()
    applied = s.apply(status(record("1", "r0", "r0_last_0")))
    assert not applied.config_changed and applied.version_after == CibVersion(0, 1, 1)
    assert applied.status_ops == (record("1", "r0", "r0_last_0"),)
    assert s.root.get("cib-last-written") is None


def test_status_through_store_equals_direct_application():
    ops = [SetNodeState("2", "node2", (("in_ccm", "true"),)), record("1", "r0", "r0_last_0"),
           SetTransientAttr("2", "node2", "fail-count-r0#start_0", "value++"),
           record("2", "r1", "r1_last_0"), record("1", "r1", "r1_last_0")]
    s = store()
    direct = cib_with(3)
    for op in ops:
        s.apply(status(op))
        apply_status_ops(direct, [op])
    direct.set("num_updates", str(len(ops)))
    assert text(s.root) == text(direct)


def test_bad_status_change_leaves_everything():
    s = store()
    s.apply(status(record("1", "r0", "r0_last_0")))
    before = text(s.root)
    bad = RecordOp("1", "node1", "r1", "ocf", "heartbeat", "Dummy", (("rc-code", "0"),))
    with pytest.raises(StatusOpError, match=r"ops\[1\]"):
        s.apply(status(record("1", "r2", "r2_last_0"), bad))
    with pytest.raises(StatusOpError):
        s.apply(status(SetTransientAttr("1", "node1", "a", "bad\x01value")))
    assert text(s.root) == before


# ---- dc -------------------------------------------------------------------------------------

def bootstrap(root):
    return [(p.get("id"), p.get("name"), p.get("value"))
            for p in root.find("configuration/crm_config/cluster_property_set[@id='cib-bootstrap-options']")]


def test_dc_sets_cib_attributes_and_bootstrap_options():
    s = store()
    applied = s.apply(dc())
    assert (s.root.get("dc-uuid"), s.root.get("have-quorum")) == ("1", "1")
    assert bootstrap(s.root) == [
        ("cib-bootstrap-options-dc-version", "dc-version", "2.1.5"),
        ("cib-bootstrap-options-cluster-infrastructure", "cluster-infrastructure", "corosync"),
        ("cib-bootstrap-options-cluster-name", "cluster-name", "hacluster")]
    assert applied.config_changed and s.version == CibVersion(0, 2, 0)


def test_dc_again_changes_nothing_and_quorum_alone_no_epoch():
    s = store()
    s.apply(dc())
    before = text(s.root)
    assert not s.apply(dc()).config_changed and text(s.root) == before
    applied = s.apply(dc(quorate=False))
    assert not applied.config_changed and s.version == CibVersion(0, 2, 1)
    assert s.root.get("have-quorum") == "0"


def test_dc_updates_existing_options_by_name():
    s = store()
    s.apply(dc(name=None))
    assert [n for _, n, _ in bootstrap(s.root)] == ["dc-version", "cluster-infrastructure"]
    s.apply(dc(version="2.1.6", name="other"))
    assert bootstrap(s.root)[0][2] == "2.1.6" and bootstrap(s.root)[2][2] == "other"
    assert s.version == CibVersion(0, 3, 0)


# ---- nodes ----------------------------------------------------------------------------------

def nodes(*refs) -> Update:
    return Update("nodes", META, nodes=tuple(NodeRef(i, n) for i, n in refs))


def test_nodes_added_once():
    s = store()
    applied = s.apply(nodes(("1", "node1"), ("2", "node2")))
    assert [list(n.attrib.items()) for n in s.root.find("configuration/nodes")] == [
        [("id", "1"), ("uname", "node1"), ("type", "member")],
        [("id", "2"), ("uname", "node2"), ("type", "member")]]
    assert applied.config_changed and applied.changed_ids == {"1", "2"}
    before = text(s.root)
    assert not s.apply(nodes(("2", "node2"), ("1", "node1"))).config_changed
    assert text(s.root) == before


def test_nodes_renamed_and_configured_by_name():
    s = store()
    s.root.find("configuration/nodes").append(etree.Element("node", id="node3", uname="node3"))
    s.apply(nodes(("1", "node1")))
    applied = s.apply(nodes(("1", "first"), ("3", "node3")))
    assert applied.changed_ids == {"1"}
    assert [n.get("uname") for n in s.root.find("configuration/nodes")] == ["node3", "first"]


def test_unknown_kind():
    with pytest.raises(CibError, match="update.kind"):
        store().apply(Update("bogus", META))


def test_invalid_initial_document_is_refused():
    root = empty_cib()
    root.find("configuration/resources").append(etree.Element("primitive", id="x"))
    with pytest.raises(CibInvalid):
        CibStore(root)
