"""What the DC writes about operations whose outcome it does not know, checked with the real
scheduler: it must never plan as if such an operation had done nothing.

Both were found by the seeded simulation (tests/simulation): a start whose result never came
was started again on another node while it ran on the first; a DC that took over while a
start was under way started the resource a second time elsewhere.
"""

from __future__ import annotations

from daemon.cib.document import parse_cib
from daemon.cib.schema import validate
from daemon.cib.status_apply import apply_status_ops
from daemon.cib.status_ops import SetNodeState
from daemon.controller import messages as msg
from daemon.controller.core import ONLINE, Controller
from daemon.controller.planning import plan
from daemon.executor import codes, history
from daemon.executor.model import OpResult
from daemon.executor.requests import request_for

NODES = tuple(msg.NodeRef(str(i), f"node{i}") for i in (1, 2, 3))
NOW = 1_700_000_000_000
CIB = b"""<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="5" num_updates="0"
 admin_epoch="0" have-quorum="1"><configuration><crm_config><cluster_property_set
 id="cib-bootstrap-options"><nvpair id="o-stonith" name="stonith-enabled" value="false"/>
 </cluster_property_set></crm_config><nodes><node id="1" uname="node1"/><node id="2"
 uname="node2"/><node id="3" uname="node3"/></nodes><resources><primitive id="r1"
 class="ocf" provider="crmshell" type="Dummy"/></resources><constraints/></configuration>
 <status/></cib>"""


def probed_cib():
    """Three nodes online; r1 probed everywhere and found stopped."""
    root = parse_cib(CIB, source="test")
    apply_status_ops(root, [SetNodeState(n.id, n.name, ONLINE) for n in NODES])
    first = plan(root, now_ms=NOW, seq=1, transition_id=1, dc_uuid="old")
    for action in first.graph.actions:
        if action.task == "monitor" and action.interval_ms == 0:
            result = OpResult(request_for(action), 1, codes.OCF_NOT_RUNNING, codes.EXEC_DONE,
                              started_ms=NOW)
            apply_status_ops(root, history.record(result, action.node_id, action.node))
    return root


def dc_running_a_start(root):
    """A DC core that has planned `root` and handed out r1's start: (core, the start,
    the commands it gave)."""
    core = Controller(NODES[0], dc_uuid="dc", cores=1)
    core.step(msg.MembershipChanged(NOW, NODES))
    core.step(msg.QuorumChanged(NOW, True))
    out = core.step(msg.DcChanged(NOW, NODES[0], True))
    schedule = next(c for c in out if isinstance(c, msg.Schedule))
    planned = plan(root, now_ms=NOW, seq=schedule.seq, transition_id=schedule.transition_id,
                   dc_uuid="dc")
    out = core.step(planned)
    start = next(c.action for c in out if isinstance(c, msg.Execute) and c.action.task == "start")
    return core, start, out


def recorded(commands) -> list:
    return [op for c in commands if isinstance(c, msg.RecordStatus) for op in c.ops]


def starts(graph) -> list:
    return [a for a in graph.actions if a.task == "start"]


def test_a_start_whose_result_never_comes_is_probed_again_before_any_start():
    root = probed_cib()
    core, start, _ = dc_running_a_start(root)
    late = core.step(msg.Tick(NOW + start.timeout_ms + core.action_grace_ms))
    apply_status_ops(root, recorded(late))
    graph = plan(root, now_ms=NOW + 100_000, seq=9, transition_id=9, dc_uuid="dc").graph
    probe = next(a for a in graph.actions
                 if a.key == "r1_monitor_0" and a.node == start.node)
    assert starts(graph) and all(probe.id in a.inputs for a in starts(graph))


def test_a_start_under_way_is_written_down_before_it_is_handed_over():
    root = probed_cib()
    _, start, out = dc_running_a_start(root)
    pending = [i for i, c in enumerate(out) if isinstance(c, msg.RecordStatus)
               and c.reason == f"{start.describe()} under way"]
    handed = [i for i, c in enumerate(out) if isinstance(c, msg.Execute) and c.action is start]
    assert pending and handed and pending[0] < handed[0]
    apply_status_ops(root, recorded(out))
    # A DC taking over now (another uuid) sees r1 starting there and starts it nowhere else
    # (it asks for the start there again, as Pacemaker's does, to hear of it itself).
    graph = plan(root, now_ms=NOW, seq=1, transition_id=1, dc_uuid="next").graph
    assert {a.node for a in starts(graph)} <= {start.node}, [a.describe() for a in graph.actions]


def test_its_own_pending_record_does_not_abort_the_transition():
    root = probed_cib()
    core, start, out = dc_running_a_start(root)
    ops = tuple(recorded(out))
    assert not [c for c in core.step(msg.CibChanged(NOW + 1, status_ops=ops))
                if isinstance(c, msg.Schedule)]
    assert core.run is not None and core.run.aborted is None and core.dirty is None


def test_the_records_are_valid_cib():
    root = probed_cib()
    core, start, out = dc_running_a_start(root)
    late = core.step(msg.Tick(NOW + start.timeout_ms + core.action_grace_ms))
    apply_status_ops(root, recorded(out) + recorded(late))
    assert validate(root) == []
