"""The sandbox: a cluster of real corosync + crmshelld nodes on one machine, in namespaces.

`crmshell sandbox up` starts a supervisor (supervisor.py) under `unshare`; it holds a network
namespace with a bridge and, per node, a network + mount + PID namespace whose first process
is node_init.py. Everything the sandbox runs descends from that supervisor, so `down`, or the
supervisor's death, ends it all. layout.py is the pure part (names, addresses, paths, the
corosync configuration, argv lists); commands.py is what the shell's `sandbox` verbs do.
`sandbox up --bare` makes plain hosts instead (no cluster yet, sshd and hacluster on each, a
UTS namespace and a private copy of /etc): bare.py says what they are, hosts.py makes their
disks.
"""
