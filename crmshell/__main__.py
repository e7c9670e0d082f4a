"""`python -m crmshell` is the same program as the `crmshell` console script."""

from crmshell.cli import console

console()
