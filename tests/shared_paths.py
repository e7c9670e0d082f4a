"""Where the shared test data lives: `../shared` beside the repository, as CI places it.

Every test that reads the conformance cases takes the path from here, so a clone anywhere
finds them (and a missing directory fails loudly instead of skipping).
"""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CONFORMANCE = SHARED / "conformance"
CRMSH_CASES = CONFORMANCE / "crmsh"
SCHEDULER_CASES = CONFORMANCE / "scheduler"
EMPTY_CIB = CRMSH_CASES / "empty-cib.xml"
