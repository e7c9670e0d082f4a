"""Completion never fails: any text, any cursor, any level gives candidates or nothing.

A Tab must never print a traceback into the user's prompt; the half-typed line is by nature
malformed (open quotes, stray brackets, unknown agents), so this is tried on arbitrary text
and on every prefix of realistic lines.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmshell.completion import complete, describe

LEVELS = [[], ["configure"], ["cib"], ["ra"], ["options"], ["resource"], ["node"],
          ["configure", "cib"], ["configure", "ra"]]
WORDS = ["configure", "primitive", "p", "ocf:", "ocf:heartbeat:", "IPaddr2", "params", "ip=",
         "meta", "op", "monitor", "interval=", "group", "location", "l1", "ip", "100:", "rule",
         "#uname", "eq", "node1", "colocation", "inf:", "(", ")", "[", "]", "order", "show",
         "type:", "tag:", "related:", "load", "update", "save", "'", '"', "\\", "$id=", "@",
         "stonith:fence_apc", "property", "stonith-enabled=", "help", "cd", "..", "modgroup",
         "g1", "add", "after", "set", "ip.", "fencing_topology", "node", "rsc_defaults", ""]

line = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=5)), max_size=8).map(" ".join)


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.sampled_from(LEVELS), line, st.data())
def test_any_line_any_cursor(completion_env, level, text, data):
    cursor = data.draw(st.integers(min_value=0, max_value=len(text)))
    result = complete(level, text, cursor, completion_env, limit=200)
    assert isinstance(result, list)
    assert isinstance(describe(level, text, cursor, completion_env), str)


def test_every_prefix_of_real_lines(completion_env):
    lines = [
        "primitive ip ocf:heartbeat:IPaddr2 params ip=10.0.0.1 cidr_netmask=24 op monitor "
        "interval=10s timeout=20s meta target-role=Stopped",
        "location l1 ip rule -inf: #uname eq node1 and date gt 2024-01-01",
        "colocation c1 inf: ( d1 d2 ) [ ip ] sequential=false",
        'primitive w apache params configfile="/etc/apache2/apache2.conf',
        "fencing_topology node1: fence1 node2: fence1",
        "show type:primitive and tag:web",
        "load update /tmp/",
    ]
    for text in lines:
        for cursor in range(len(text) + 1):
            complete(["configure"], text[:cursor], cursor, completion_env, limit=200)
