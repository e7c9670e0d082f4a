"""The crmshell node daemon and the libraries it owns (CIB, scheduler, ...).

Nothing under `daemon` imports `crmshell`: dependencies point from the shell to the daemon.
"""

__version__ = "0.1.0"   # kept equal to crmshell.__version__ (one distribution)
