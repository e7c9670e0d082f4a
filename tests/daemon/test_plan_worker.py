"""The scheduler's process: the same plans as on the loop, and a broken child never costs a plan."""

import asyncio
import os
import signal

import pytest

from daemon.cib.document import parse_cib
from daemon.controller.planning import plan
from daemon.plan_worker import PlanWorker

CIB = b"""<cib admin_epoch="0" epoch="3" num_updates="0" validate-with="pacemaker-3.9" have-quorum="1">
<configuration><crm_config><cluster_property_set id="o">
  <nvpair id="o-s" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
<nodes><node id="1" uname="node1"/></nodes>
<resources>
  <primitive id="d1" class="ocf" provider="crmshell" type="Dummy"/>
  <primitive id="d2" class="ocf" provider="crmshell" type="Dummy"/>
</resources><constraints/></configuration>
<status><node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member"
  expected="member"/></status></cib>"""

ARGS = dict(now_ms=1_700_000_000_000, seq=4, transition_id=2, dc_uuid="1")


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 60))


def test_the_child_plans_what_the_loop_would():
    async def go():
        worker = PlanWorker()
        await worker.start()
        try:
            answer = await worker.plan(CIB, **ARGS)
            assert worker.ready          # answered by the child, not by the fallback
            return answer
        finally:
            await worker.close()
    answer = run(go())
    here = plan(parse_cib(CIB, source="test"), **ARGS)
    assert answer == here
    assert [line.strip() for line in answer.graph.summary] == [
        "* Start      d1      ( node1 )", "* Start      d2      ( node1 )"]


def test_a_killed_child_is_replaced_and_the_plan_still_made():
    async def go():
        worker = PlanWorker()
        await worker.start()
        try:
            await worker.plan(CIB, **ARGS)
            first = worker._proc.pid
            os.kill(first, signal.SIGKILL)
            answer = await worker.plan(CIB, **ARGS)          # made on the loop this once
            assert answer.graph is not None and answer.error is None
            again = await worker.plan(CIB, **ARGS)           # by the new child
            assert worker.ready and worker._proc.pid != first
            return answer, again
        finally:
            await worker.close()
    answer, again = run(go())
    assert answer == again


def test_a_hanging_child_is_killed_at_the_timeout():
    async def go():
        worker = PlanWorker(timeout_s=0.5)
        await worker.start()
        try:
            await worker.plan(CIB, **ARGS)
            hung = worker._proc.pid
            os.kill(hung, signal.SIGSTOP)
            answer = await worker.plan(CIB, **ARGS)
            assert answer.graph is not None
            with pytest.raises(ProcessLookupError):
                os.kill(hung, 0)                             # killed and reaped
        finally:
            await worker.close()
    run(go())


def test_a_cib_the_scheduler_cannot_read_is_an_error_answer():
    async def go():
        worker = PlanWorker()
        await worker.start()
        try:
            answer = await worker.plan(b"<cib><oops", **ARGS)
            assert worker.ready                              # the child lives on
            return answer
        finally:
            await worker.close()
    answer = run(go())
    assert answer.graph is None and "the live CIB" in answer.error


def test_closing_stops_the_child():
    async def go():
        worker = PlanWorker()
        await worker.start()
        await worker.plan(CIB, **ARGS)
        pid = worker._proc.pid
        await worker.close()
        return pid
    pid = run(go())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
