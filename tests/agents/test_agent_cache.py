"""The on-disk meta-data cache: hits without running the agent, invalidation, atomic files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crmshell.agents import AgentCatalog, AgentError, AgentRoots
from crmshell.agents.cache import default_cache_dir

from agent_fixtures import keep_mtime, ocf_script, write_executable

FAILING = "#!/bin/sh\necho broken >&2\nexit 1\n"


def make_agent(roots: AgentRoots, type_: str = "Thing", counter: Path | None = None) -> Path:
    return write_executable(roots.ocf_root / "resource.d" / "test" / type_,
                            ocf_script(type_, counter=counter))


def test_second_catalog_reads_the_cache_without_running_the_agent(fake_roots, cache_dir):
    agent = make_agent(fake_roots)
    first = AgentCatalog(fake_roots, cache_dir)
    meta = first.metadata("ocf:test:Thing")
    assert first.runs == 1
    keep_mtime(agent, FAILING)  # proof: running it now would fail
    second = AgentCatalog(fake_roots, cache_dir)
    assert second.metadata("ocf:test:Thing") == meta
    assert second.runs == 0


def test_changed_agent_is_fetched_again(fake_roots, cache_dir):
    agent = make_agent(fake_roots)
    AgentCatalog(fake_roots, cache_dir).metadata("ocf:test:Thing")
    agent.write_text(FAILING)
    st = agent.stat()
    os.utime(agent, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    fresh = AgentCatalog(fake_roots, cache_dir)
    with pytest.raises(AgentError, match=r"ocf:test:Thing: meta-data exited with status 1: broken"):
        fresh.metadata("ocf:test:Thing")
    assert fresh.runs == 1


def test_mtime_change_alone_invalidates(fake_roots, cache_dir, tmp_path):
    counter = tmp_path / "runs"
    agent = make_agent(fake_roots, counter=counter)
    AgentCatalog(fake_roots, cache_dir).metadata("ocf:test:Thing")
    st = agent.stat()
    os.utime(agent, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000))
    again = AgentCatalog(fake_roots, cache_dir)
    again.metadata("ocf:test:Thing")
    assert again.runs == 1
    assert counter.read_text().count("run") == 2
    # and that refreshed entry now serves a third process
    third = AgentCatalog(fake_roots, cache_dir)
    third.metadata("ocf:test:Thing")
    assert third.runs == 0 and counter.read_text().count("run") == 2


def test_memo_runs_once_per_catalog(fake_roots, cache_dir):
    make_agent(fake_roots)
    catalog = AgentCatalog(fake_roots, cache_dir=None)
    for _ in range(5):
        catalog.metadata("ocf:test:Thing")
    assert catalog.runs == 1


def test_cache_files_are_whole_and_one_per_agent(fake_roots, cache_dir):
    agent = make_agent(fake_roots)
    AgentCatalog(fake_roots, cache_dir).metadata("ocf:test:Thing")
    os.utime(agent, ns=(1, 1))
    AgentCatalog(fake_roots, cache_dir).metadata("ocf:test:Thing")
    files = sorted(p.name for p in cache_dir.iterdir())
    assert files == ["ocf%3Atest%3AThing.json"]  # no temporary leftovers, no stale twin
    entry = json.loads((cache_dir / files[0]).read_text())
    assert entry["source"] == [str(agent), 1, agent.stat().st_size]


def test_corrupt_cache_entry_is_ignored(fake_roots, cache_dir):
    make_agent(fake_roots)
    AgentCatalog(fake_roots, cache_dir).metadata("ocf:test:Thing")
    (cache_dir / "ocf%3Atest%3AThing.json").write_text("{not json")
    catalog = AgentCatalog(fake_roots, cache_dir)
    assert catalog.metadata("ocf:test:Thing").parameter("path").required
    assert catalog.runs == 1


def test_unwritable_cache_dir_does_not_fail(fake_roots, tmp_path):
    make_agent(fake_roots)
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("")
    catalog = AgentCatalog(fake_roots, blocker / "cache")
    assert catalog.metadata("ocf:test:Thing").shortdesc == "Test agent Thing"


def test_default_cache_dir_follows_xdg():
    assert default_cache_dir({"XDG_CACHE_HOME": "/x"}) == Path("/x/crmshell/agents")
    assert default_cache_dir({"HOME": "/home/u"}) == Path("/home/u/.cache/crmshell/agents")


LOAD_TIMED = """
import sys, time
from pathlib import Path
t0 = time.perf_counter()
from crmshell.agents import AgentCatalog, AgentRoots
t1 = time.perf_counter()
catalog = AgentCatalog(AgentRoots(ocf_root=Path(sys.argv[1])), Path(sys.argv[2]))
meta = catalog.metadata("ocf:test:Thing")
t2 = time.perf_counter()
print(catalog.runs, round((t2 - t1) * 1000, 3), "lxml" in sys.modules, meta.parameter("count").default)
"""


def test_another_process_gets_cached_metadata_fast(fake_roots, cache_dir):
    agent = make_agent(fake_roots)
    AgentCatalog(fake_roots, cache_dir).metadata("ocf:test:Thing")
    keep_mtime(agent, FAILING)
    proc = subprocess.run([sys.executable, "-c", LOAD_TIMED, str(fake_roots.ocf_root),
                           str(cache_dir)], capture_output=True, text=True, check=True)
    runs, millis, lxml_loaded, default = proc.stdout.split()
    assert runs == "0" and default == "3"
    assert lxml_loaded == "False"  # a cache hit needs no XML parser
    assert float(millis) < 25, f"cached meta-data took {millis} ms"
