"""`cluster status` where no cluster runs: both services reported, exit status 1 (the
running case is tests/cluster/test_sandbox_cluster.py)."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_cluster_status_without_a_daemon_says_so_and_fails(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "crmshell", "--socket",
                           str(tmp_path / "none.sock"), "cluster", "status"],
                          capture_output=True, text=True, timeout=60, cwd=REPO)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0] == "Cluster services on this node:"
    assert lines[1].startswith("  * corosync: ")
    assert lines[2].startswith(f"  * crmshelld: not reachable (no crmshelld at {tmp_path}")
    assert "cluster status: the cluster is not running on this node (crmshelld does not " \
        "answer)" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cluster_status_on_a_cib_file_points_at_the_live_cluster(tmp_path):
    cib = tmp_path / "cib.xml"
    subprocess.run([sys.executable, "-m", "crmshell", "--cib-file", str(cib), "configure",
                    "property", "stonith-enabled=false"], capture_output=True, timeout=60,
                   cwd=REPO)
    proc = subprocess.run([sys.executable, "-m", "crmshell", "--cib-file", str(cib), "cluster",
                           "status"], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert proc.returncode == 1
    assert "works on a CIB file, not on a running cluster" in proc.stderr
