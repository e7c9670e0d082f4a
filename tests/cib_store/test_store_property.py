"""Property tests: stores fed the same updates end byte-identical, whether they started
with the others or from a copy taken midway (cold indexes), and the shortcuts give what
the whole-document way gives."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from daemon.cib.document import parse_cib, serialize_cib
from daemon.cib.errors import CibError
from daemon.cib.status_apply import apply_status_ops
from daemon.cib.status_ops import (ClearFailures, ClearNode, DeleteOp, DeleteResource,
                                   SetNodeState, SetTransientAttr)
from daemon.cib.store import CibStore, _Pending
from daemon.cib.versions import read_version

from tests.cib_store.helpers import META, cib_with, commit, dc, dummy, patch, record, status

RESOURCES = [f"r{n}" for n in range(6)] + ["n1", "n2", "c:0", "c:1", "c"]
NODES = ["1", "2", "3"]


class WholeDocumentStore(CibStore):
    """The reference: every patch through the whole-document path, every status change
    applied to a copy of the whole document."""

    def _sparse_patch(self, *args):
        return None

    def _value_patch(self, *args):
        return None

    def _status_update(self, update):
        if not update.ops:
            return None
        work = copy.deepcopy(self.root)
        apply_status_ops(work, update.ops)
        version = read_version(self.root)
        work.set("num_updates", str(version.num_updates + 1))
        return _Pending(attrs=dict(work.attrib), status=work.find("status"))


def edit_strategy():
    rsc = st.sampled_from(RESOURCES[:6] + ["a0", "a1"])

    def set_value(r, value):
        def edit(conf):
            pair = conf.find(f"resources//primitive[@id='{r}']/instance_attributes/nvpair")
            if pair is not None:
                pair.set("value", value)
        return edit

    def add(r, position):
        def edit(conf):
            res = conf.find("resources")
            if res.find(f".//primitive[@id='{r}']") is None:
                res.insert(position, dummy(r))
        return edit

    def delete(r):
        def edit(conf):
            found = conf.find(f"resources/primitive[@id='{r}']")
            if found is not None:
                found.getparent().remove(found)
        return edit

    def move(r, position):
        def edit(conf):
            found = conf.find(f"resources/primitive[@id='{r}']")
            if found is not None:
                conf.find("resources").insert(position, found)
        return edit

    def constrain(r, score):
        def edit(conf):
            cons = conf.find("constraints")
            old = cons.find(f"rsc_location[@id='l-{r}']")
            if old is not None:
                cons.remove(old)
            else:
                cons.append(etree.Element("rsc_location", id=f"l-{r}", rsc=r, node="node1",
                                          score=str(score)))
        return edit

    def bad(r):
        def edit(conf):
            found = conf.find(f"resources//primitive[@id='{r}']")
            if found is not None:
                found.set("class", "nonsense")
        return edit

    position = st.integers(0, 8)
    return st.one_of(
        st.builds(set_value, rsc, st.sampled_from(["a", "b", "c"])),
        st.builds(add, st.sampled_from(["a0", "a1", "a2", "a3"]), position),
        st.builds(delete, rsc), st.builds(move, rsc, position),
        st.builds(constrain, rsc, st.integers(-5, 5)), st.builds(bad, rsc))


def status_strategy():
    node, rsc = st.sampled_from(NODES), st.sampled_from(RESOURCES)
    op_id = st.sampled_from(["last_0", "monitor_10000", "last_failure_0"])
    return st.one_of(
        st.builds(lambda n, r, o, rc: record(n, r, f"{r}_{o}", rc=rc), node, rsc, op_id,
                  st.sampled_from(["0", "7", "1"])),
        st.builds(lambda n, r, o: DeleteOp(n, r, f"{r}_{o}"), node, rsc, op_id),
        st.builds(DeleteResource, node, rsc, st.booleans()),
        st.builds(lambda n, v: SetNodeState(n, f"node{n}", (("crmd", v),)), node,
                  st.sampled_from(["online", "offline"])),
        st.builds(lambda n, r, v: SetTransientAttr(n, f"node{n}", f"fail-count-{r}#start_0", v),
                  node, rsc, st.sampled_from(["value++", "value+=3", "INFINITY", None])),
        st.builds(ClearFailures, node, rsc), st.builds(ClearNode, node, st.booleans(), st.booleans()))


step = st.one_of(
    st.tuples(st.just("patch"), edit_strategy(), st.booleans()),
    st.tuples(st.just("status"), st.lists(status_strategy(), min_size=1, max_size=4)),
    st.tuples(st.just("dc"), st.sampled_from(NODES), st.booleans()),
)


def run(stores, steps) -> None:
    """Feed the stores the same updates; patches are made against the first one, sometimes
    against an old version (refused, or forced)."""
    old = copy.deepcopy(stores[0].root)
    for number, item in enumerate(steps):
        if item[0] == "patch":
            base = old if item[2] else stores[0].root
            update = patch(commit(base, item[1]), force=item[2] and number % 2 == 0)
        elif item[0] == "status":
            update = status(*item[1])
        else:
            update = dc(item[1], quorate=item[2])
        outcomes = []
        for store in stores:
            try:
                outcomes.append(store.apply(update))
            except CibError as err:
                outcomes.append(type(err).__name__)
        assert all(o == outcomes[0] for o in outcomes), outcomes
        if number % 3 == 0:
            old = copy.deepcopy(stores[0].root)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=1, max_size=25), st.integers(0, 25))
def test_same_updates_same_document_and_the_shortcuts_agree(steps, midway):
    first, second = CibStore(cib_with(5)), CibStore(parse_cib(serialize_cib(cib_with(5)), source="x"))
    reference = WholeDocumentStore(cib_with(5))
    run([first, second, reference], steps[:midway])
    late = CibStore(parse_cib(serialize_cib(first.root), source="midway"))
    run([first, second, reference, late], steps[midway:])
    expected = serialize_cib(reference.root)
    assert serialize_cib(first.root) == expected
    assert serialize_cib(second.root) == expected
    assert serialize_cib(late.root) == expected
