"""Patches applied by the store: the base check, the history of changed ids, versions and
stamps, refusals that leave everything as it was, and the shortcut agreeing with a full
application."""

from __future__ import annotations

import copy

import pytest
from lxml import etree

from daemon.cib.errors import ChangedMeanwhile, CibInvalid, CibParseError, PatchError
from daemon.cib.patch_apply import apply_patchset
from daemon.cib.store import CibStore
from daemon.cib.versions import CibVersion, format_last_written

from tests.cib_store.helpers import WHEN, add_dummy, cib_with, commit, dummy, patch, set_state, text


def store(count: int = 5) -> CibStore:
    return CibStore(cib_with(count))


def test_patch_applies_and_bumps_epoch_with_stamps():
    s = store()
    applied = s.apply(patch(commit(s.root, set_state("r1", "/tmp/x"))))
    assert applied.config_changed
    assert applied.version_before == CibVersion(0, 1, 0)
    assert applied.version_after == s.version == CibVersion(0, 2, 0)
    assert "r1" in applied.changed_ids and "r1-instance_attributes-state" in applied.changed_ids
    assert s.root.find(".//primitive[@id='r1']//nvpair").get("value") == "/tmp/x"
    assert s.root.get("cib-last-written") == format_last_written(WHEN)
    assert (s.root.get("update-origin"), s.root.get("update-client"), s.root.get("update-user")) \
        == ("node1", "crmshell", "root")


def test_stale_num_updates_alone_does_not_refuse():
    s = store()
    body = commit(s.root, set_state("r1", "/tmp/x"))
    s.root.set("num_updates", "7")  # status changes happened meanwhile
    assert s.apply(patch(body)).version_after == CibVersion(0, 2, 0)


def test_stale_base_is_refused_with_what_changed():
    s = store()
    stale = commit(s.root, set_state("r1", "/tmp/mine"))
    s.apply(patch(commit(s.root, set_state("r2", "/tmp/theirs"))))
    s.apply(patch(commit(s.root, add_dummy("r9"))))
    before = text(s.root)
    with pytest.raises(ChangedMeanwhile) as caught:
        s.apply(patch(stale))
    err = caught.value
    assert err.base == CibVersion(0, 1, 0) and err.current == CibVersion(0, 3, 0)
    assert {"r2", "r9", "r9-monitor-10s"} <= err.changed_ids and "r1" not in err.changed_ids
    assert "changed meanwhile: " in str(err) and "r9" in str(err)
    assert text(s.root) == before


def test_forced_stale_patch_applies():
    s = store()
    stale = commit(s.root, set_state("r1", "/tmp/mine"))
    s.apply(patch(commit(s.root, set_state("r2", "/tmp/theirs"))))
    applied = s.apply(patch(stale, force=True))
    assert applied.version_after == CibVersion(0, 3, 0)
    assert s.root.find(".//primitive[@id='r1']//nvpair").get("value") == "/tmp/mine"


def test_history_that_does_not_reach_back_says_unknown():
    s = CibStore(cib_with(3), history=2)
    stale = commit(s.root, set_state("r1", "x"))
    for value in ("a", "b", "c"):
        s.apply(patch(commit(s.root, set_state("r2", value))))
    with pytest.raises(ChangedMeanwhile, match="changed meanwhile: unknown") as caught:
        s.apply(patch(stale))
    assert caught.value.changed_ids is None
    assert s.changed_since(CibVersion(0, 2, 0)) == frozenset({"r2", "r2-instance_attributes",
                                                              "r2-instance_attributes-state"})
    assert s.changed_since(CibVersion(0, 9, 0)) is None


def test_invalid_result_is_refused_naming_the_path():
    s = store()
    before = text(s.root)

    def bad(conf):
        conf.find("resources/primitive[@id='r2']").set("class", "nonsense")
    with pytest.raises(CibInvalid, match=r"/cib/configuration/resources/primitive\[@id='r2'\]"):
        s.apply(patch(commit(s.root, bad)))
    assert text(s.root) == before and s.version == CibVersion(0, 1, 0)


def test_a_value_only_change_skips_the_schema_and_anything_more_is_checked(monkeypatch):
    from daemon.cib import store as store_module
    s = store()
    checked = []
    real = store_module._require_valid
    monkeypatch.setattr(store_module, "_require_valid", lambda root: checked.append(1) or real(root))
    s.apply(patch(commit(s.root, set_state("r1", "any text at all"))))
    assert checked == []           # the grammar takes any text as an nvpair's value
    before = text(s.root)

    def renamed_to_a_bad_id(conf):
        conf.find("resources/primitive[@id='r1']/instance_attributes/nvpair").set("id", "1bad")
    with pytest.raises(CibInvalid):
        s.apply(patch(commit(s.root, renamed_to_a_bad_id)))
    assert checked == [1] and text(s.root) == before

    def unknown_attribute(conf):
        conf.find("resources/primitive[@id='r2']/instance_attributes/nvpair").set("colour", "x")
    with pytest.raises(CibInvalid):
        s.apply(patch(commit(s.root, unknown_attribute)))
    assert text(s.root) == before


@pytest.mark.parametrize("body, error, match", [
    (b"<diff format='2'", CibParseError, "patch body:1:"),
    (b"<diff format='1'/>", PatchError, "not a v2 patchset"),
    (b"<diff format='2'/>", PatchError, "states no version"),
    (b"<diff format='2'><version><source admin_epoch='0' epoch='1' num_updates='0'/>"
     b"<target admin_epoch='0' epoch='2' num_updates='0'/></version>"
     b"<change operation='delete' path=\"/cib/configuration/resources/primitive[@id='zz']\"/></diff>",
     PatchError, "no such element"),
])
def test_bad_patches_are_refused_untouched(body, error, match):
    s = store()
    before = text(s.root)
    with pytest.raises(error, match=match):
        s.apply(patch(body))
    assert text(s.root) == before


def full(root, body):
    """What applying the patch to a copy of the whole document gives (the reference)."""
    return apply_patchset(root, etree.fromstring(body), check_version=False)


def edits():
    def delete(conf):
        res = conf.find("resources")
        res.remove(res.find("primitive[@id='r3']"))

    def move(conf):
        res = conf.find("resources")
        res.insert(0, res.find("primitive[@id='r4']"))

    def several(conf):
        delete(conf)
        conf.find("resources").insert(1, dummy("new1"))
        conf.find("constraints").append(etree.Element("rsc_location", id="l1", rsc="r1",
                                                      node="node1", score="100"))

    def section(conf):
        conf.append(etree.fromstring("<rsc_defaults><meta_attributes id='rd'><nvpair id='rd-s' "
                                     "name='resource-stickiness' value='1'/></meta_attributes>"
                                     "</rsc_defaults>"))

    def comment(conf):
        conf.find("resources").insert(2, etree.Comment("hello"))

    def group(conf):
        res = conf.find("resources")
        g = etree.SubElement(res, "group", id="g1")
        g.append(res.find("primitive[@id='r0']"))
    def two_values(conf):
        set_state("r1", "v1")(conf)
        set_state("r2", "v2")(conf)

    def value_and_more(conf):
        set_state("r1", "v1")(conf)
        conf.find("resources/primitive[@id='r2']/instance_attributes/nvpair").set("name", "other")

    def value_and_same(conf):
        set_state("r1", "v1")(conf)
        set_state("r2", "/run/r2.state")(conf)
    return [set_state("r1", "v"), add_dummy("r77"), delete, move, several, section, comment, group,
            two_values, value_and_more, value_and_same]


@pytest.mark.parametrize("edit", edits())
def test_result_is_what_a_full_application_gives(edit):
    s = store()
    body = commit(s.root, edit)
    reference = full(s.root, body)
    s.apply(patch(body))
    assert etree.tostring(s.root.find("configuration")) == \
        etree.tostring(reference.find("configuration"))


def test_a_value_change_is_made_in_place_and_anything_else_on_copies():
    s = store()
    pair = s.root.find("configuration/resources/primitive[@id='r1']/instance_attributes/nvpair")
    s.apply(patch(commit(s.root, set_state("r1", "in place"))))
    now = s.root.find("configuration/resources/primitive[@id='r1']/instance_attributes/nvpair")
    assert now is pair and pair.get("value") == "in place" and s.version == CibVersion(0, 2, 0)

    def renamed(conf):
        conf.find("resources/primitive[@id='r1']/instance_attributes/nvpair").set("name", "n2")
    s.apply(patch(commit(s.root, renamed)))
    now = s.root.find("configuration/resources/primitive[@id='r1']/instance_attributes/nvpair")
    assert now is not pair and now.get("name") == "n2"


def test_a_value_change_of_a_missing_nvpair_is_refused_untouched():
    s = store()
    body = commit(s.root, set_state("r1", "x")).replace(b"primitive[@id='r1']",
                                                        b"primitive[@id='nope']")
    before = text(s.root)
    with pytest.raises(PatchError, match="no such element"):
        s.apply(patch(body))
    assert text(s.root) == before


def test_status_is_kept_and_not_copied_by_patches():
    s = store()
    s.root.append(etree.fromstring("<status><node_state id='1' uname='node1'/></status>"))
    node = s.root.find("status/node_state")
    s.apply(patch(commit(s.root, set_state("r1", "v"))))
    assert s.root.find("status/node_state") is node


def test_patch_touching_status_applies_wholly():
    s = store()
    body = (b"<diff format='2'><version><source admin_epoch='0' epoch='1' num_updates='0'/>"
            b"<target admin_epoch='0' epoch='1' num_updates='1'/></version>"
            b"<change operation='create' path='/cib/status' position='0'>"
            b"<node_state id='1' uname='node1'/></change></diff>")
    applied = s.apply(patch(body))
    assert not applied.config_changed and s.version == CibVersion(0, 1, 1)
    assert s.root.find("status/node_state").get("uname") == "node1"


def test_an_empty_patch_changes_nothing():
    s = store()
    before = text(s.root)
    applied = s.apply(patch(commit(s.root, lambda conf: None)))
    assert not applied.config_changed and text(s.root) == before


def test_snapshot_is_independent():
    s = store()
    snap = s.snapshot()
    s.apply(patch(commit(s.root, set_state("r1", "v"))))
    assert snap.get("epoch") == "1" and copy.deepcopy(snap) is not None
