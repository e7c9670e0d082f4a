"""Resources launched by another resource: a guest or bundle node's connection, which
starts after and stops before the container that launches it, and prefers its host."""

from __future__ import annotations

from daemon.scheduler import actions as act
from daemon.scheduler import model as m
from daemon.scheduler import scores
from daemon.scheduler.model import Resource
from daemon.scheduler.working_set import WorkingSet

CONNECTION_WITH_LAUNCHER = 10000   # highly preferred, not essential


def is_remote_connection(rsc: Resource) -> bool:
    return rsc.standard == "ocf" and rsc.provider == "pacemaker" and rsc.agent == "remote"


def launcher_internal_constraints(ws: WorkingSet, rsc: Resource) -> None:
    """The launcher part of a primitive's implicit constraints."""
    from daemon.scheduler.constraints import new_colocation
    launcher = rsc.launcher
    if is_remote_connection(rsc):
        # a cleaned-up launcher is re-probed: stop the connection only after that
        act.order_resource_actions(ws, launcher, "monitor", rsc, "stop", m.AR_ORDERED)
        score = CONNECTION_WITH_LAUNCHER
    else:
        score = scores.INFINITY
    act.new_ordering(ws, launcher, act.op_key(launcher.id, "start"), None, rsc,
                     act.op_key(rsc.id, "start"), None,
                     m.AR_FIRST_IMPLIES_THEN | m.AR_UNRUNNABLE_FIRST_BLOCKS)
    act.new_ordering(ws, rsc, act.op_key(rsc.id, "stop"), None, launcher,
                     act.op_key(launcher.id, "stop"), None, m.AR_THEN_IMPLIES_FIRST)
    new_colocation(ws, "#resource-with-container", None, score, rsc, launcher, None, None,
                   True, False)
