"""crmshell: a crmsh-compatible shell for Pacemaker-style high-availability clusters.

Kept import-free on purpose: `crmshell --version` must answer without loading lxml or lark.
"""

__version__ = "0.1.0"
