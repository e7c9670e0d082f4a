"""The executor: runs resource and fence agents for its node and says what they did.

    Executor(roots).execute(OpRequest) -> OpResult        one operation
    Executor.start_recurring(req, on_result)              a recurring monitor
    history.record(result, node_id, node_name, meta=...)  its status-section changes

`model` holds the values (AgentSpec, OpRequest, OpResult), `codes` the result tables,
`classes` one module per agent standard, `process` the subprocess runner (the only place
agents are spawned), `meta` agent meta-data and discovery, `requests` the request for an
operation of a transition graph.
"""
