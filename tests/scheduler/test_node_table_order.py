"""Pacemaker's node-table order (the GLib hash-table model of daemon/status/ghash.py, used by
daemon/scheduler/utilization.py) and the two places where it decides a placement: the node with most free capacity when none has room for a resource
and its colocated ones, and the input order of the `balanced` sort. Both cases were found by
the differential test against crm_simulate (which places them as asserted here)."""

from __future__ import annotations

import ctypes
import ctypes.util
import random

import pytest

from daemon.scheduler import schedule
from daemon.scheduler.cib_xml import parse_cib_text
from daemon.scheduler.utilization import iteration_order
from daemon.status.ghash import str_hash
from sched_cib import cib, dummy, nvpairs
from sched_conformance import normalise

NOW = 1_767_225_600


def test_the_orders_crm_simulate_shows():
    # crm_simulate 2.1.5's score traces list allowed nodes in these orders
    assert iteration_order(["node1", "node2", "node3", "node4"]) == \
        ("node2", "node4", "node1", "node3")
    assert iteration_order(["node1", "node2", "node3"]) == ("node2", "node1", "node3")
    assert iteration_order([]) == ()


def test_the_hash_is_pacemakers_not_glibs():
    assert str_hash("") == 2            # 0 and 1 mark empty and deleted slots
    assert str_hash("a") == 97
    assert str_hash("ab") == 97 * 31 + 98
    assert str_hash("\u00e9") == ((0xC3 - 256) * 31 + (0xA9 - 256)) & 0xFFFFFFFF  # signed chars


def _glib():
    name = ctypes.util.find_library("glib-2.0")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name)
    except OSError:
        return None


def _glib_order(glib, keys: list[str]) -> list[str]:
    """The iteration order of a real GHashTable with Pacemaker's hash function."""
    hash_type = ctypes.CFUNCTYPE(ctypes.c_uint, ctypes.c_void_p)
    hasher = hash_type(lambda p: str_hash(ctypes.string_at(p).decode()))
    glib.g_hash_table_new.restype = ctypes.c_void_p
    glib.g_hash_table_new.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    glib.g_hash_table_insert.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    glib.g_hash_table_iter_init.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    glib.g_hash_table_iter_next.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p),
                                            ctypes.POINTER(ctypes.c_void_p)]
    glib.g_hash_table_destroy.argtypes = [ctypes.c_void_p]
    table = glib.g_hash_table_new(ctypes.cast(hasher, ctypes.c_void_p),
                                  ctypes.cast(glib.g_str_equal, ctypes.c_void_p))
    buffers = [ctypes.create_string_buffer(k.encode()) for k in keys]
    for buf in buffers:
        glib.g_hash_table_insert(table, ctypes.addressof(buf), ctypes.addressof(buf))
    state = (ctypes.c_byte * 64)()
    glib.g_hash_table_iter_init(state, table)
    key, value, out = ctypes.c_void_p(), ctypes.c_void_p(), []
    while glib.g_hash_table_iter_next(state, ctypes.byref(key), ctypes.byref(value)):
        out.append(ctypes.string_at(key.value).decode())
    glib.g_hash_table_destroy(table)
    return out


def test_the_order_is_glibs_including_growth():
    glib = _glib()
    if glib is None:
        pytest.skip("GLib is not installed")
    rng = random.Random(7)
    for _ in range(300):
        style = rng.choice(["node%d", "n%d", "host-%d.example.com", "%d", "virt-%03d"])
        keys = [style % i for i in rng.sample(range(1, 400), rng.randint(1, 60))]
        assert list(iteration_order(keys)) == _glib_order(glib, keys), keys


def _capacities(text: str, capacities: dict[str, dict[str, str]]) -> str:
    for node, values in capacities.items():
        block = (f'<utilization id="nodes-{node}-utilization">'
                 f'{nvpairs("nodes-" + node + "-utilization", values)}</utilization>')
        text = text.replace(f'<node id="{node}" uname="{node}">',
                            f'<node id="{node}" uname="{node}">{block}', 1)
    return text


def _summary(text: str) -> list[str]:
    return [normalise(line) for line in schedule(parse_cib_text(text), NOW).summary_lines]


def test_the_most_capable_of_equal_nodes_is_the_first_in_table_order():
    # B needs more cpu than any node has, so nothing fits A with B: A goes to the node with
    # most free capacity, and of four equal ones that is node2, the table's first
    nodes = ["node1", "node2", "node3", "node4"]
    needy = dummy("B").replace(">", '><utilization id="B-u"><nvpair id="B-u-cpu" name="cpu" '
                                     'value="2"/></utilization>', 1)
    text = cib(nodes=nodes, resources=dummy("A") + needy,
               constraints='<rsc_colocation id="c" rsc="B" with-rsc="A" score="INFINITY"/>',
               props={"placement-strategy": "utilization"})
    text = _capacities(text, {n: {"cpu": "1"} for n in nodes})
    assert _summary(text) == ["* Start A (node2)"]


def test_balanced_sorts_the_table_as_pacemaker_hands_it_over():
    # node1 ties node2 and node2 ties node3 on free capacity, node3 beats node1: the
    # result depends on the input order, which is the table's values list
    text = cib(nodes=["node1", "node2", "node3"], resources=dummy("A"),
               props={"placement-strategy": "balanced"})
    text = _capacities(text, {"node1": {"cpu": "1", "mem": "1"},
                              "node2": {"cpu": "4", "mem": "0"},
                              "node3": {"cpu": "2", "mem": "7"}})
    assert _summary(text) == ["* Start A (node3)"]
