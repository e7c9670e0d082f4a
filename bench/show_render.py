"""Time the `configure show` renderer on a 300-object and on a large generated CIB.

    .venv/bin/python bench/show_render.py [--resources N] [--nodes N] [--status-ops N]

Prints, for each CIB: its size, the parse time (lxml, not ours) and the time of
render_configuration (the best of a few runs). The large CIB has a status section with
lrm_rsc_op entries for every resource on every node, which the renderer must not walk.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crmshell.lang.render import render_configuration, render_xml  # noqa: E402


def _primitive(i: int) -> str:
    return (
        '<primitive id="r%d" class="ocf" provider="heartbeat" type="Dummy">'
        '<instance_attributes id="r%d-instance_attributes">'
        '<nvpair id="r%d-instance_attributes-state" name="state" value="/run/r%d state"/>'
        '</instance_attributes>'
        '<meta_attributes id="r%d-meta_attributes">'
        '<nvpair id="r%d-meta_attributes-target-role" name="target-role" value="Started"/>'
        '</meta_attributes><operations>'
        '<op name="start" timeout="20s" interval="0s" id="r%d-start-0s"/>'
        '<op name="monitor" interval="10s" timeout="20s" id="r%d-monitor-10s"/>'
        '</operations></primitive>' % ((i,) * 8))


def generate_cib(resources: int, nodes: int, status_ops: bool) -> str:
    """A CIB with `resources` primitives (every 10th pair grouped), one location and one
    order per 10 resources, `nodes` nodes, and optionally a full status section."""
    out = ['<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" '
           'num_updates="0" admin_epoch="0"><configuration><crm_config>'
           '<cluster_property_set id="cib-bootstrap-options">'
           '<nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" '
           'value="false"/></cluster_property_set></crm_config><nodes>']
    out += ['<node id="%d" uname="node%d"/>' % (n, n) for n in range(1, nodes + 1)]
    out.append("</nodes><resources>")
    i = 0
    while i < resources:
        if i % 10 == 0 and i + 1 < resources:
            out.append('<group id="g%d">%s%s</group>' % (i, _primitive(i), _primitive(i + 1)))
            i += 2
        else:
            out.append(_primitive(i))
            i += 1
    out.append("</resources><constraints>")
    for j in range(0, resources, 10):
        out.append('<rsc_location id="loc-r%d" rsc="r%d" score="100" node="node1"/>' % (j, j))
        out.append('<rsc_order id="ord-r%d" kind="Mandatory" first="r%d" then="r%d"/>'
                   % (j + 2, j + 2, j + 3 if j + 3 < resources else 1))
    out.append('<rsc_location id="loc-rule" rsc="r1"><rule id="loc-rule-rule" score="-INFINITY" '
               'boolean-op="or"><expression id="e1" attribute="pingd" operation="not_defined"/>'
               '<expression id="e2" attribute="pingd" operation="lte" value="0"/></rule>'
               '</rsc_location>')
    out.append("</constraints></configuration><status>")
    if status_ops:
        for n in range(1, nodes + 1):
            out.append('<node_state id="%d" uname="node%d" in_ccm="true" crmd="online">'
                       '<lrm id="%d"><lrm_resources>' % (n, n, n))
            for r in range(resources):
                out.append(
                    '<lrm_resource id="r%d" type="Dummy" class="ocf" provider="heartbeat">'
                    '<lrm_rsc_op id="r%d_last_0" operation_key="r%d_monitor_0" '
                    'operation="monitor" transition-key="1:1:7:abc" '
                    'transition-magic="0:7;1:1:7:abc" call-id="1" rc-code="7" op-status="0" '
                    'interval="0" exec-time="10" queue-time="0" op-digest="0123456789abcdef"/>'
                    '<lrm_rsc_op id="r%d_monitor_10000" operation_key="r%d_monitor_10000" '
                    'operation="monitor" transition-key="2:1:0:abc" '
                    'transition-magic="0:0;2:1:0:abc" call-id="2" rc-code="0" op-status="0" '
                    'interval="10000" exec-time="10" queue-time="0" op-digest="fedcba987654"/>'
                    '</lrm_resource>' % (r, r, r, r, r))
            out.append("</lrm_resources></lrm></node_state>")
    out.append("</status></cib>")
    return "".join(out)


def _best_of(runs: int, func) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def measure(label: str, text: str, runs: int) -> None:
    start = time.perf_counter()
    cib = etree.fromstring(text.encode())
    parse_s = time.perf_counter() - start
    show_s = _best_of(runs, lambda: render_configuration(cib))
    xml_s = _best_of(runs, lambda: render_xml(cib))
    lines = render_configuration(cib).count("\n")
    print("%-28s %8.1f MB  parse %7.3f s  show %7.4f s (%d lines)  show xml %7.4f s"
          % (label, len(text) / 1e6, parse_s, show_s, lines, xml_s))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--resources", type=int, default=5000)
    ap.add_argument("--nodes", type=int, default=32)
    ap.add_argument("--no-status", action="store_true", help="large CIB without status")
    args = ap.parse_args()
    measure("300 objects", generate_cib(240, 3, status_ops=False), runs=5)
    measure("%d resources x %d nodes" % (args.resources, args.nodes),
            generate_cib(args.resources, args.nodes, status_ops=not args.no_status), runs=3)
    return 0


if __name__ == "__main__":
    sys.exit(main())
