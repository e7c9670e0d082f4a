"""Results recorded by `history` read back right: real agent runs, the scheduler's verdict.

The scheduler plans from a CIB, the executor runs the graph's operations with real agents,
their results are recorded, and the scheduler runs again. Once the resources run and their
monitors reported, it must find nothing to do (no restart from a digest mismatch, no
re-probe); a changed reloadable parameter must give a reload, a changed other one a restart.
"""

from __future__ import annotations

import time

from lxml import etree

from daemon.executor import history
from daemon.executor.requests import request_for
from daemon.scheduler import schedule
from daemon.scheduler.graph import RSC_OP, build_graph
from exec_fixtures import in_loop, needs_heartbeat
from exec_status import apply

NODE_ID, NODE = "1", "node1"
DC_UUID = "0c5c1b8a-3d37-4b5e-8a5b-0d6f2e9a7c11"

CIB = """<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0"
     admin_epoch="0">
<configuration>
<crm_config><cluster_property_set id="cib-bootstrap-options">
<nvpair id="o-stonith" name="stonith-enabled" value="false"/>
<nvpair id="o-quorum" name="no-quorum-policy" value="ignore"/>
</cluster_property_set></crm_config>
<nodes><node id="1" uname="node1"/></nodes>
<resources>
<primitive id="d1" class="ocf" provider="crmshell" type="Dummy">
<instance_attributes id="d1-ia">
<nvpair id="d1-state" name="state" value="{tmp}/d1.state"/>
<nvpair id="d1-fake" name="fake" value="a"/>
</instance_attributes>
<operations><op id="d1-monitor-10s" name="monitor" interval="10s" timeout="20s"/></operations>
</primitive>
<primitive id="d2" class="ocf" provider="heartbeat" type="Dummy">
<instance_attributes id="d2-ia">
<nvpair id="d2-state" name="state" value="{tmp}/d2.state"/>
<nvpair id="d2-fake" name="fake" value="a"/>
</instance_attributes>
<operations><op id="d2-monitor-15s" name="monitor" interval="15s" timeout="25s"/></operations>
</primitive>
</resources>
<constraints/>
</configuration>
<status><node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member"
 expected="member"/></status>
</cib>"""


class Cluster:
    """One node: its CIB, its executor, and the transitions run so far."""

    def __init__(self, cib, executor):
        self.cib, self.ex, self.transition = cib, executor, 0
        self.executed: list[list[str]] = []

    def plan(self):
        self.transition += 1
        ws = schedule(self.cib, int(time.time())).working_set
        return build_graph(ws, self.transition, DC_UUID)

    async def run_transition(self) -> list[str]:
        """Run one graph in order; the keys of the operations it ran."""
        graph = self.plan()
        by_id = graph.by_id()
        done: set[int] = set()
        ran = []
        while len(done) < len(by_id):
            ready = [a for a in graph.actions if a.id not in done
                     and all(i in done or i not in by_id for i in a.inputs)]
            assert ready, "the graph has a cycle"
            for action in ready:
                if action.kind == RSC_OP:
                    await self._run(action)
                    ran.append(action.key)
                done.add(action.id)
        self.executed.append(ran)
        return ran

    async def _run(self, action):
        req = request_for(action)
        if req.interval_ms > 0:
            results = []
            self.ex.start_recurring(req, results.append)
            while not results:
                await _tick()
            result = results[0]
        else:
            result = await self.ex.execute(req)
        meta = await self.ex.metadata(req.agent)
        apply(self.cib, history.record(result, NODE_ID, NODE, meta=meta))

    async def converge(self, limit: int = 5) -> None:
        for _ in range(limit):
            if not await self.run_transition():
                return
        raise AssertionError(f"still acting after {limit} transitions: {self.executed}")

    def set_param(self, rsc: str, name: str, value: str) -> None:
        self.cib.find(f".//primitive[@id='{rsc}']//nvpair[@name='{name}']").set("value", value)


async def _tick():
    import asyncio
    await asyncio.sleep(0.01)


def _ops(cib, rsc):
    return {op.get("id"): op for op in cib.iterfind(f".//lrm_resource[@id='{rsc}']/lrm_rsc_op")}


@needs_heartbeat
@in_loop
async def test_recorded_start_and_monitor_leave_nothing_to_do(make_executor, tmp_path):
    cib = etree.fromstring(CIB.format(tmp=tmp_path).encode())
    async with make_executor() as ex:
        cluster = Cluster(cib, ex)
        await cluster.converge()
        # one transition did it all; the next one, planned from what was recorded, is empty
        assert len(cluster.executed) == 2 and cluster.executed[1] == []
        assert set(cluster.executed[0]) == {"d1_monitor_0", "d2_monitor_0", "d1_start_0",
                                            "d2_start_0", "d1_monitor_10000", "d2_monitor_15000"}
        assert (tmp_path / "d1.state").exists() and (tmp_path / "d2.state").exists()
        assert set(_ops(cib, "d1")) == {"d1_last_0", "d1_monitor_10000"}
        assert _ops(cib, "d1")["d1_last_0"].get("operation") == "start"
        # heartbeat's Dummy reloads the pre-1.1 way, ours the OCF 1.1 way: only state restarts
        assert _ops(cib, "d2")["d2_last_0"].get("op-force-restart") == " state "
        assert _ops(cib, "d1")["d1_last_0"].get("op-force-restart") == " state "

        # a parameter a reload can change: reloaded, not restarted
        cluster.set_param("d1", "fake", "b")
        cluster.set_param("d2", "fake", "b")
        reloaded = await cluster.run_transition()
        assert "d1_reload-agent_0" in reloaded and "d2_reload-agent_0" in reloaded
        assert not [k for k in reloaded if "_stop_" in k or "_start_" in k]
        await cluster.converge()

        # a parameter only a restart can change: stopped and started again
        cluster.set_param("d1", "state", str(tmp_path / "d1-new.state"))
        restarted = await cluster.run_transition()
        assert "d1_stop_0" in restarted and "d1_start_0" in restarted
        assert not [k for k in restarted if k.startswith("d2_")]
        await cluster.converge()
        assert (tmp_path / "d1-new.state").exists() and not (tmp_path / "d1.state").exists()
        assert set(_ops(cib, "d1")) == {"d1_last_0", "d1_monitor_10000"}
        assert cluster.executed[-1] == []
