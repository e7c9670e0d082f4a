"""Memoized pure functions: the work every recipient of a message would do alike, done once.

Each is a pure function of its exact input, so answering from the memo changes nothing but
the time a run takes:
- decoding a delivered message (`decode`, `update_of`, `batch_of`): the same bytes reach
  every member;
- validating a document against the CIB schema (`validate`, which the store calls on every
  update): every member of a group in step validates the same document. While a run
  is under way (`installed()`), the store's reference to the schema check is this one.

The memos are small (cleared when full) and shared by the runs of one process.

The scheduler's plans are not memoized: keyed by their whole input (the CIB's bytes, the
second, the transition number and the DC's uuid, which the graph's keys carry), a memo
answered none of 753 plans in 120 runs: every CIB a DC plans differs from every other (the
status records carry call ids, times and transition keys). `plan` counts them.
"""

from __future__ import annotations

import contextlib

from lxml import etree

from daemon.cib import store
from daemon.cib.document import parse_cib
from daemon.cib.schema import validate as real_validate
from daemon.controller.planning import plan as real_plan
from daemon.replication import updates, wire

# Recipients decode and validate the same bytes within a few steps of one another: small
# memos do.
LIMIT = 2_000
_decoded: dict = {}
_updates: dict = {}
_batches: dict = {}
_valid: dict = {}
stats = {"plans": 0}


def _remember(memo: dict, key, value):
    if len(memo) >= LIMIT:
        memo.clear()
    memo[key] = value
    return value


def plan(cib: bytes, *, now_ms: int, seq: int, transition_id: int, dc_uuid: str):
    """The real scheduler's plan (planning.plan, as the plan worker runs it)."""
    stats["plans"] += 1
    return real_plan(parse_cib(cib, source="the live CIB"), now_ms=now_ms, seq=seq,
                     transition_id=transition_id, dc_uuid=dc_uuid)


def decode(payload: bytes):
    """The envelope of a delivered message (WireError as `wire.decode`)."""
    env = _decoded.get(payload)
    if env is None:
        env = _remember(_decoded, payload, wire.decode(payload))
    return env


def update_of(payload: bytes, env):
    """The update an envelope carries (WireError as `updates.from_envelope`)."""
    update = _updates.get(payload)
    if update is None:
        update = _remember(_updates, payload, updates.from_envelope(env))
    return update


def batch_of(payload: bytes, env):
    """The (request, update) pairs of an "updates" message (WireError as `from_batch`)."""
    batch = _batches.get(payload)
    if batch is None:
        batch = _remember(_batches, payload, updates.from_batch(env))
    return batch


def validate(root):
    """The schema's problems with `root`; only a valid document is answered from the memo
    (the problems name source lines, which the same bytes need not share)."""
    key = etree.tostring(root)
    if key in _valid:
        return []
    problems = real_validate(root)
    if not problems:
        _remember(_valid, key, True)
    return problems


@contextlib.contextmanager
def installed():
    """The store checks documents through the memo while the block runs."""
    was = store.validate
    store.validate = validate
    try:
        yield
    finally:
        store.validate = was
