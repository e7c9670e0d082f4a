"""How long `verify` takes on a large configuration, agent meta-data already cached.

Builds N `ocf:pacemaker:Dummy` primitives (each with parameters, meta attributes and three
operations) and N location constraints on them: 2N configuration objects. Reports the time of
one verify, without and with the RelaxNG schema check, after a warm-up run that fills the
meta-data cache (meta-data is fetched once per agent type, however many primitives use it).

    .venv/bin/python bench/verify_speed.py [--primitives 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lxml import etree  # noqa: E402

from crmshell.agents import AgentCatalog, AgentRoots  # noqa: E402
from crmshell.verify import verify  # noqa: E402


def build_cib(count: int) -> etree._Element:
    cib = etree.Element("cib", {"validate-with": "pacemaker-3.9", "epoch": "1",
                                "num_updates": "0", "admin_epoch": "0"})
    conf = etree.SubElement(cib, "configuration")
    crm_config = etree.SubElement(conf, "crm_config")
    props = etree.SubElement(crm_config, "cluster_property_set", id="cib-bootstrap-options")
    etree.SubElement(props, "nvpair", id="p-1", name="stonith-enabled", value="false")
    nodes = etree.SubElement(conf, "nodes")
    for n in range(1, 4):
        etree.SubElement(nodes, "node", id=str(n), uname=f"node{n}")
    resources = etree.SubElement(conf, "resources")
    constraints = etree.SubElement(conf, "constraints")
    for i in range(count):
        rid = f"d{i}"
        prim = etree.SubElement(resources, "primitive", {"id": rid, "class": "ocf",
                                                         "provider": "pacemaker", "type": "Dummy"})
        params = etree.SubElement(prim, "instance_attributes", id=f"{rid}-instance_attributes")
        etree.SubElement(params, "nvpair", id=f"{rid}-ia-state", name="state",
                         value=f"/run/{rid}.state")
        meta = etree.SubElement(prim, "meta_attributes", id=f"{rid}-meta_attributes")
        etree.SubElement(meta, "nvpair", id=f"{rid}-ma-tr", name="target-role", value="Started")
        ops = etree.SubElement(prim, "operations")
        for name, interval, timeout in (("monitor", "10s", "20s"), ("start", "0", "20s"),
                                        ("stop", "0", "20s")):
            etree.SubElement(ops, "op", id=f"{rid}-{name}-{interval}", name=name,
                             interval=interval, timeout=timeout)
        etree.SubElement(constraints, "rsc_location", id=f"l-{rid}", rsc=rid,
                         score="100", node=f"node{i % 3 + 1}")
    return cib


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--primitives", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cib = build_cib(args.primitives)
    objects = len(cib.find("configuration/resources")) + len(cib.find("configuration/constraints"))
    with tempfile.TemporaryDirectory() as cache:
        catalog = AgentCatalog(AgentRoots.from_environment(os.environ), Path(cache))
        verify(cib, catalog)  # warm-up: fills the on-disk cache
        for schema in (False, True):
            timings = []
            for _ in range(args.repeat):
                fresh = AgentCatalog(AgentRoots.from_environment(os.environ), Path(cache))
                start = time.perf_counter()
                findings = verify(cib, fresh, schema=schema)
                timings.append(time.perf_counter() - start)
                assert fresh.runs == 0, "meta-data should come from the cache"
            errors = [f for f in findings if f.severity == "error"]
            what = "semantic checks + schema" if schema else "semantic checks"
            print(f"verify ({what}): {objects} objects ({args.primitives} primitives), "
                  f"best {min(timings) * 1000:.0f} ms, worst {max(timings) * 1000:.0f} ms, "
                  f"{len(errors)} errors, {len(findings) - len(errors)} warnings")
            if errors:
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
