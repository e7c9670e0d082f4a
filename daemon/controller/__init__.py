"""The controller: what the DC does with the scheduler's transition (sans-I/O).

`core.Controller` is a state machine: events in (CIB changes, membership, quorum, timers,
planned transitions), commands out (run the scheduler, execute an action on a node, record a
status change, set a timer). `daemon/node.py` does the I/O.
"""
