"""The fencer's core: which devices fence a node, told what, after how long; and running them.

    plan.plan_fencing(cib, target, action, facts=..., executing_node=...) -> Plan   (pure)
    Plan.delay_ms(rng, requested_ms) + delays.priority_delay_ms(...)           (pure)
    await run.run_plan(plan, roots=..., delay_ms=...) -> FenceResult            (agents)
    await run.list_targets(device) -> the device's `list`, for dynamic-list     (agents)
    plan.check_configuration(cib) -> [FencingConfigError]                        (pure)

Decision modules (no I/O): `hostlists` (Pacemaker's text rules for host lists and maps),
`devices` (the stonith primitives of a CIB), `capable` (pcmk_host_check), `topology`
(fencing levels), `agent_params` (the agent's input), `delays`, `plan`; `redaction` keeps
secrets out of logs and results; `errors` the one configuration error. `run` is the only
module that runs anything, through the executor's process runner.
"""
