"""The replicated CIB over Corosync's agreed order (sans-I/O).

Every change to the CIB, from a client's commit to an operation's result, is sent to the
cluster's process group as one message and applied by every node when corosync delivers
it, in the same order everywhere; the sender answers its client only then. `wire` encodes
and checks messages, `values` turns status changes and results into JSON and back,
`admission` decides which delivered messages may act (not forged, not replayed, the DC's
own kinds from the DC).
"""
