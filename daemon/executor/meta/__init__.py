"""Agent meta-data and where agents live: what the executor, the controller and the shell
all need to know about agents (the shell's catalogue builds on it).

`discovery` (AgentRoots, listing, paths), `fetch` (how to get an agent's meta-data),
`parse` (meta-data XML to `model.AgentMeta`), `services` (derived meta-data of LSB scripts
and systemd units), `run` (the synchronous meta-data run). lxml is imported only to parse.
"""
