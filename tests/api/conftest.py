from __future__ import annotations

import pytest

from tests.api.serving import ServerThread


@pytest.fixture
def sock_path(tmp_path):
    return str(tmp_path / "run" / "crmshelld.sock")


@pytest.fixture
def served(sock_path):
    with ServerThread(sock_path) as server:
        yield server
