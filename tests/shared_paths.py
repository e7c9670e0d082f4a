"""Where the shared test data lives: `../shared` beside the repository, as CI places it.

Every test that reads the conformance cases takes the path from here, so a clone anywhere
finds them; a module that needs them passes the path through `required` when it is imported,
so a missing directory fails loudly (an error collecting that module) instead of skipping.
"""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CONFORMANCE = SHARED / "conformance"
CRMSH_CASES = CONFORMANCE / "crmsh"
SCHEDULER_CASES = CONFORMANCE / "scheduler"
SCHEDULER_TIER3_CASES = CONFORMANCE / "scheduler-tier3"
EMPTY_CIB = CRMSH_CASES / "empty-cib.xml"


class SharedDataMissing(RuntimeError):
    """The shared test data is part of the suite: without it the tests that read it fail."""


def required(path: Path) -> Path:
    """`path` if it exists; else SharedDataMissing, saying where it was looked for."""
    if not path.exists():
        raise SharedDataMissing(
            f"{path} is missing: the shared test data must be checked out as {SHARED} "
            "(beside the repository); the tests that need it fail rather than skip")
    return path
