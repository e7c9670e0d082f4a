"""stonith-max-attempts as the controller reads it (daemon.controller.planning)."""

import pytest

from daemon.controller.planning import DEFAULT_FENCE_ATTEMPTS, max_attempts


@pytest.mark.parametrize("text, expected", [
    (None, DEFAULT_FENCE_ATTEMPTS), ("3", 3), (" 5 ", 5), ("INFINITY", 1_000_000),
    ("0", DEFAULT_FENCE_ATTEMPTS), ("-2", DEFAULT_FENCE_ATTEMPTS), ("many", DEFAULT_FENCE_ATTEMPTS),
])
def test_max_attempts(text, expected):
    assert max_attempts(text) == expected
