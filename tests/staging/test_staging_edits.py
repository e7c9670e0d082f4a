"""Deleting, renaming, regrouping and setting on the staged CIB, with crmsh's cascades."""

from __future__ import annotations

import pytest

from crmshell.errors import ShellError
from crmshell.staging.delete import delete, erase
from crmshell.staging.modgroup import modgroup
from crmshell.staging.rename import rename
from crmshell.staging.selectors import select
from crmshell.staging.setvalue import set_value
from crmshell.staging.objects import object_id

BASE = """primitive d1 ocf:pacemaker:Dummy
primitive d2 ocf:pacemaker:Dummy
primitive d3 ocf:pacemaker:Dummy
"""


def test_delete_unknown_object_changes_nothing(staging):
    staging.define(BASE)
    before = staging.show()
    with pytest.raises(ShellError, match="nosuch does not exist"):
        delete(staging.staged, ["d1", "nosuch"])
    assert staging.show() == before


def test_deleting_the_only_member_deletes_the_group(staging):
    staging.define(BASE + "group g1 d1\nlocation l1 g1 100: node1\n")
    removed = delete(staging.staged, ["d1"])
    assert set(removed) == {"g1", "d1", "l1"}
    assert "g1" not in staging.show()


def test_deleting_a_group_keeps_members_and_hands_constraints_to_the_first(staging):
    staging.define(BASE + "group g1 d2 d1\nlocation l1 g1 100: node1\n")
    delete(staging.staged, ["g1"])
    shown = staging.show()
    assert "group" not in shown and "primitive d1" in shown
    assert "location l1 d2 100: node1" in shown


def test_deleting_a_set_member_shrinks_sets_and_simplifies(staging):
    staging.define(BASE + "primitive d4 ocf:pacemaker:Dummy\n"
                   "colocation c1 inf: d1 d2 d3\norder o1 Mandatory: d1 d2 d3 d4\n")
    delete(staging.staged, ["d2"])
    shown = staging.show()
    # back to a simple constraint; a colocation set places each member with the one before
    # it, so [d1 d3] is "d3 with d1"
    assert "colocation c1 inf: d3 d1" in shown
    assert "order o1 Mandatory: d1 d3 d4" in shown


def test_pointless_constraints_go_and_tags_shrink(staging):
    staging.define(BASE + "colocation c1 inf: d1 d2\ntag t1 d1 d2\ntag t2 d1\n")
    delete(staging.staged, ["d1"])
    shown = staging.show()
    assert "colocation" not in shown
    assert "tag t1 d2" in shown and "t2" not in shown


def test_delete_force_ignores_missing(staging):
    staging.define(BASE)
    delete(staging.staged, ["d1", "nosuch"], force=True)
    assert "d1" not in staging.show()


def test_rename_rewrites_every_reference(staging):
    staging.define(BASE + "location l1 d1 100: node1\ncolocation c1 inf: d2 d1\n"
                   "tag t1 d1 d3\n")
    rename(staging.staged, "d1", "web")
    shown = staging.show()
    assert "primitive web" in shown
    assert "location l1 web 100: node1" in shown
    assert "colocation c1 inf: d2 web" in shown
    assert "tag t1 web d3" in shown
    assert "changed" not in shown and "web" in staging.staged.changed


def test_rename_refuses_a_taken_or_invalid_id(staging):
    staging.define(BASE)
    with pytest.raises(ShellError, match="already in use"):
        rename(staging.staged, "d1", "d2")
    with pytest.raises(ShellError, match="not a valid id"):
        rename(staging.staged, "d1", "9lives")
    with pytest.raises(ShellError, match="nosuch does not exist"):
        rename(staging.staged, "nosuch", "x")


def test_rename_of_a_fencing_device_follows_into_the_topology(staging):
    staging.define("node node1\nprimitive st stonith:null params hostlist=node1\n"
                   "fencing_topology node1: st\n")
    rename(staging.staged, "st", "fence1")
    assert "fencing_topology fence1" in staging.show()


@pytest.mark.parametrize("args, message", [
    (("g1", "add", "d1"), "already a member"),
    (("g1", "remove", "d3"), "not a member"),
    (("g1", "add", "nosuch"), "nosuch does not exist"),
    (("g1", "add", "c1"), "may contain only primitives; c1 is a clone"),
    (("d3", "add", "d1"), "not a group"),
    (("g1", "add", "d3", "after", "nosuch"), "nosuch is not a member"),
])
def test_modgroup_refusals_change_nothing(staging, args, message):
    staging.define(BASE + "primitive d4 ocf:pacemaker:Dummy\ngroup g1 d1 d2\nclone c1 d4\n")
    before = staging.show()
    with pytest.raises(ShellError, match=message):
        modgroup(staging.staged, *args)
    assert staging.show() == before


def test_modgroup_add_before_and_remove(staging):
    staging.define(BASE + "group g1 d1 d2\n")
    modgroup(staging.staged, "g1", "add", "d3", "before", "d2")
    assert "group g1 d1 d3 d2" in staging.show()
    modgroup(staging.staged, "g1", "remove", "d1")
    assert "group g1 d3 d2" in staging.show()
    with pytest.raises(ShellError, match="last member"):
        modgroup(staging.staged, "g1", "remove", "d3") or modgroup(staging.staged, "g1", "remove", "d2")


def test_set_parameter_meta_and_op_attribute(staging):
    staging.define("primitive d1 ocf:heartbeat:Delay params mondelay=60 meta target-role=Stopped "
                   "op monitor interval=10s timeout=20s op start timeout=30s\n")
    set_value(staging.staged, "d1.mondelay", "45")
    set_value(staging.staged, "d1.monitor.timeout", "40s")
    set_value(staging.staged, "d1.start.0.timeout", "90s")
    shown = staging.show()
    assert "params mondelay=45" in shown
    assert "op monitor interval=10s timeout=40s" in shown
    assert "op start timeout=90s interval=0" in shown
    with pytest.raises(ShellError, match="no attribute named nope"):
        set_value(staging.staged, "d1.nope", "1")
    with pytest.raises(ShellError, match="invalid path"):
        set_value(staging.staged, "d1", "1")


def test_erase_keeps_nodes_and_erase_nodes_removes_them(staging):
    staging.define("node node1\nproperty stonith-enabled=false\n" + BASE)
    erase(staging.staged)
    assert staging.show().strip() == "node node1"
    erase(staging.staged, nodes=True)
    assert staging.show() == ""


@pytest.mark.parametrize("selectors, ids", [
    ([], ["node1", "d1", "d2", "d3", "g1", "l1", "t1"]),
    (["type:primitive"], ["d1", "d2", "d3"]),
    (["tag:t1"], ["d1", "d3"]),
    (["tag:t1", "and", "type:primitive", "and", "d3"], ["d3"]),
    (["d*"], ["d1", "d2", "d3"]),
    (["related:d1"], ["d1", "g1", "t1"]),
    (["type:group", "or", "type:location"], ["g1", "l1"]),
    (["l1", "d2"], ["l1", "d2"]),
])
def test_selectors(staging, selectors, ids):
    staging.define("node node1\n" + BASE + "group g1 d1 d2\nlocation l1 d3 100: node1\n"
                   "tag t1 d1 d3\n")
    got = [object_id(e) for e in select(staging.staged, selectors)]
    assert sorted(got) == sorted(ids)


def test_selection_keeps_the_order_given(staging):
    staging.define(BASE)
    assert [object_id(e) for e in select(staging.staged, ["d3", "d1"])] == ["d3", "d1"]


def test_unknown_selector_id_is_an_error(staging):
    staging.define(BASE)
    with pytest.raises(ShellError, match="object nope does not exist"):
        select(staging.staged, ["nope"])


def test_changed_selector(staging):
    staging.define(BASE)
    staging.staged.commit(force=True)
    rename(staging.staged, "d2", "dd2")
    assert [object_id(e) for e in select(staging.staged, ["changed"])] == ["dd2"]
