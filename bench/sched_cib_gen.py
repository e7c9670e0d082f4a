"""The synthetic CIB of BENCHMARKS.md, for the scheduler benchmarks.

    .venv/bin/python bench/sched_cib_gen.py NODES RESOURCES STATE > cib.xml

STATE is `empty` (no history: probe and start everything), `running` (every resource
started and monitored on its home node, probed not-running elsewhere: nothing to do) or
`one-node-down` (as running, with the last node gone: its resources move).

Shape: nodes node1..nodeN; R ocf:pacemaker:Dummy primitives with start, stop and a 10s
monitor; colocation chains of 5 (each resource with the previous one, INFINITY) with
matching Mandatory orders; each chain's head prefers its home node, (chain mod N) + 1, with
score 100; stonith-enabled=false, no-quorum-policy=ignore, resource-stickiness=100.
Recorded op-digests are computed as Pacemaker computes them, so a running cluster matches
its configuration exactly.
"""

from __future__ import annotations

import sys
from typing import Iterator, TextIO

STATES = ("empty", "running", "one-node-down")
CHAIN = 5
OP_TIMEOUT_S = 20
MONITOR_S = 10
UUID = "6d2b1c9e-6a1f-4d55-9b3e-5a3c2f0e7b11"


def _digests() -> tuple[str, str]:
    from daemon.scheduler.digests import digest_of
    return digest_of({}), digest_of({"CRM_meta_timeout": str(OP_TIMEOUT_S * 1000)})


def rsc_id(i: int) -> str:
    return f"rsc{i + 1}"


def home(i: int, nodes: int) -> int:
    """1-based home node of resource i: its chain's preferred node."""
    return (i // CHAIN) % nodes + 1


def _configuration(nodes: int, resources: int) -> Iterator[str]:
    yield ('<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="10" '
           'num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="1">\n  <configuration>\n'
           '    <crm_config>\n      <cluster_property_set id="cib-bootstrap-options">\n'
           '        <nvpair id="opt-stonith-enabled" name="stonith-enabled" value="false"/>\n'
           '        <nvpair id="opt-no-quorum-policy" name="no-quorum-policy" value="ignore"/>\n'
           '      </cluster_property_set>\n    </crm_config>\n    <nodes>\n')
    for n in range(1, nodes + 1):
        yield f'      <node id="{n}" uname="node{n}"/>\n'
    yield "    </nodes>\n    <resources>\n"
    for i in range(resources):
        r = rsc_id(i)
        yield (f'      <primitive id="{r}" class="ocf" provider="pacemaker" type="Dummy">\n'
               f'        <operations>\n'
               f'          <op id="{r}-start-0" name="start" interval="0s" '
               f'timeout="{OP_TIMEOUT_S}s"/>\n'
               f'          <op id="{r}-stop-0" name="stop" interval="0s" '
               f'timeout="{OP_TIMEOUT_S}s"/>\n'
               f'          <op id="{r}-monitor-{MONITOR_S}s" name="monitor" '
               f'interval="{MONITOR_S}s" timeout="{OP_TIMEOUT_S}s"/>\n'
               f'        </operations>\n      </primitive>\n')
    yield "    </resources>\n    <constraints>\n"
    for i in range(resources):
        r = rsc_id(i)
        if i % CHAIN == 0:
            yield (f'      <rsc_location id="loc-{r}" rsc="{r}" node="node{home(i, nodes)}" '
                   f'score="100"/>\n')
        else:
            prev = rsc_id(i - 1)
            yield (f'      <rsc_colocation id="col-{r}" rsc="{r}" with-rsc="{prev}" '
                   f'score="INFINITY"/>\n'
                   f'      <rsc_order id="ord-{r}" first="{prev}" then="{r}" kind="Mandatory"/>\n')
    yield ('    </constraints>\n    <rsc_defaults>\n      <meta_attributes id="rsc-options">\n'
           '        <nvpair id="rsc-options-resource-stickiness" name="resource-stickiness" '
           'value="100"/>\n      </meta_attributes>\n    </rsc_defaults>\n'
           '  </configuration>\n')


def _op(r: str, node: int, op_id: str, key: str, task: str, interval_ms: int, rc: int,
        call: int, digest: str) -> str:
    tkey = f"{call}:1:{rc}:{UUID}"
    return (f'            <lrm_rsc_op id="{op_id}" operation_key="{key}" operation="{task}" '
            f'crm-debug-origin="do_update_resource" crm_feature_set="3.16.1" '
            f'transition-key="{tkey}" transition-magic="0:{rc};{tkey}" exit-reason="" '
            f'on_node="node{node}" call-id="{call}" rc-code="{rc}" op-status="0" '
            f'interval="{interval_ms}" last-rc-change="1700000000" exec-time="10" '
            f'queue-time="0" op-digest="{digest}"/>\n')


def _history(r: str, node: int, at_home: bool, call: int, digests: tuple[str, str]) -> str:
    plain, recurring = digests
    head = f'          <lrm_resource id="{r}" class="ocf" provider="pacemaker" type="Dummy">\n'
    if at_home:
        ops = (_op(r, node, f"{r}_last_0", f"{r}_start_0", "start", 0, 0, call, plain)
               + _op(r, node, f"{r}_monitor_{MONITOR_S * 1000}", f"{r}_monitor_"
                     f"{MONITOR_S * 1000}", "monitor", MONITOR_S * 1000, 0, call + 1, recurring))
    else:
        ops = _op(r, node, f"{r}_last_0", f"{r}_monitor_0", "monitor", 0, 7, call, plain)
    return head + ops + "          </lrm_resource>\n"


def _status(nodes: int, resources: int, state: str) -> Iterator[str]:
    digests = _digests()
    yield "  <status>\n"
    for n in range(1, nodes + 1):
        down = state == "one-node-down" and n == nodes
        if down:
            yield (f'    <node_state id="{n}" uname="node{n}" in_ccm="false" crmd="offline" '
                   f'crm-debug-origin="do_state_transition" join="down" expected="down"/>\n')
            continue
        yield (f'    <node_state id="{n}" uname="node{n}" in_ccm="true" crmd="online" '
               f'crm-debug-origin="do_state_transition" join="member" expected="member">\n')
        if state != "empty":
            yield f'      <lrm id="{n}">\n        <lrm_resources>\n'
            for i in range(resources):
                yield _history(rsc_id(i), n, home(i, nodes) == n, 2 * i + 2, digests)
            yield "        </lrm_resources>\n      </lrm>\n"
        yield "    </node_state>\n"
    yield "  </status>\n</cib>\n"


def write_cib(out: TextIO, nodes: int, resources: int, state: str) -> None:
    if state not in STATES:
        raise ValueError(f"state must be one of {', '.join(STATES)}")
    for piece in _configuration(nodes, resources):
        out.write(piece)
    for piece in _status(nodes, resources, state):
        out.write(piece)


def generate(nodes: int, resources: int, state: str) -> str:
    import io
    buffer = io.StringIO()
    write_cib(buffer, nodes, resources, state)
    return buffer.getvalue()


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[2] not in STATES or not argv[0].isdigit() \
            or not argv[1].isdigit():
        sys.stderr.write(f"usage: sched_cib_gen.py NODES RESOURCES {{{'|'.join(STATES)}}}\n")
        return 2
    write_cib(sys.stdout, int(argv[0]), int(argv[1]), argv[2])
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
    raise SystemExit(main(sys.argv[1:]))
