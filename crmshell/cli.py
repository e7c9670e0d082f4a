"""The `crmshell` command line: options, then a level path and a command, or a batch.

Only the standard library is imported at module level so that `--version` and usage errors
stay fast; each front end imports what it needs when it runs.
"""

from __future__ import annotations

import sys

USAGE = """\
usage: crmshell [OPTIONS] [LEVEL ...] [COMMAND [ARGS ...]]
       crmshell [OPTIONS] -f FILE
       crmshell [OPTIONS] < FILE
       crmshell simulate -x FILE [-S] [-R] [-s] [--explain RSC]

Options:
  -f, --file FILE     run the commands in FILE as one batch ('-' reads standard input)
  --cib-file PATH     work on the CIB in PATH instead of the live cluster (as CIB_file=PATH)
  -h, --help          show this help and exit
  --version           show the version and exit
"""


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--version"]:
        from crmshell import __version__

        print(f"crmshell {__version__}")
        return 0
    if args[:1] in (["-h"], ["--help"]):
        sys.stdout.write(USAGE)
        return 0
    if args[:1] == ["simulate"]:
        from crmshell.simulate_cli import main as simulate_main

        return simulate_main(args[1:])
    sys.stderr.write(USAGE)
    return 2
