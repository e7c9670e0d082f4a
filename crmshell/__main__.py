"""`python -m crmshell` is the same program as the `crmshell` console script."""

import sys

from crmshell.cli import main

sys.exit(main())
