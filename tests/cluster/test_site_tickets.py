"""`site ticket` on a running cluster: the ticket's state in the status section, replicated,
shown as crm_ticket shows it; on a CIB file the writes are refused and show still reads."""

from __future__ import annotations

import pytest
from sandbox_cluster import MARKS, sandbox_cluster

pytestmark = MARKS

SETUP = "configure\nproperty stonith-enabled=false\ncommit\n"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with sandbox_cluster(tmp_path_factory.mktemp("sandbox") / "box", SETUP, 2) as c:
        yield c


def test_grant_standby_activate_revoke_delete(cluster):
    cluster.crm("node1", "site", "ticket", "grant", "ticketA")
    assert cluster.crm("node2", "site", "ticket", "show", "ticketA").stdout.startswith(
        "ticketA\tgranted last-granted=")
    assert "ticketA last-granted: " in cluster.crm("node2", "site", "ticket", "time",
                                                   "ticketA").stdout
    cluster.crm("node2", "site", "ticket", "standby", "ticketA")
    assert "[standby]" in cluster.crm("node1", "site", "ticket", "show", "ticketA").stdout
    cluster.crm("node1", "site", "ticket", "activate", "ticketA")
    cluster.crm("node1", "site", "ticket", "revoke", "ticketA")
    shown = cluster.crm("node1", "site", "ticket", "show", "ticketA").stdout
    assert shown.startswith("ticketA\trevoked") and "standby" not in shown
    cluster.crm("node1", "site", "ticket", "delete", "ticketA")
    assert "no state recorded" in cluster.crm("node2", "site", "ticket", "show",
                                              "ticketA").stdout
    never = cluster.crm("node1", "site", "ticket", "time", "ticketA", check=False)
    assert never.returncode == 1 and "never been granted" in never.stderr


def test_bad_words_are_refused(cluster):
    bad = cluster.crm("node1", "site", "ticket", "steal", "ticketA", check=False)
    assert bad.returncode == 1 and "not one of grant" in bad.stderr
    odd = cluster.crm("node1", "site", "ticket", "grant", "a<b", check=False)
    assert odd.returncode == 1 and "not a ticket name" in odd.stderr
