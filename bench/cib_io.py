"""Timings of the CIB library on big documents (BENCHMARKS.md's synthetic shape).

    .venv/bin/python bench/cib_io.py [--nodes 32] [--resources 5000] [--repeat 3]

Builds a "running" CIB of N nodes x R `ocf:pacemaker:Dummy` primitives (start, stop and a
10 s monitor each; colocation chains of 5 with matching orders; each chain's head prefers
its home node), whose status section has an `lrm_resource` for every resource on every
node: start and monitor history on the home node, a probe (rc 7) elsewhere. 32 x 5,000 is
about 100 MB. Then it prints the median time of parsing, loading, validating, serialising
and writing that file, and of diffing and patching two configurations of about 20,000
objects, with `crm_diff` on the same files as the anchor where it is installed.
The op-digests are the digest of an empty parameter set: the file is meant for I/O, not
for the scheduler's "nothing to do" check.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

EMPTY_DIGEST = "f2317cad3d54cec5d7d7aa7d0bf35cf8"
CHAIN = 5


def home_node(resource: int, nodes: int) -> int:
    """1-based home node of 1-based resource: chain c = (r-1) // 5 lives on (c mod N) + 1."""
    return ((resource - 1) // CHAIN) % nodes + 1


def configuration_xml(nodes: int, resources: int, *, first: int = 1) -> list[str]:
    """The `<configuration>` element as lines (resources numbered from `first`)."""
    out = [
        "  <configuration>",
        "    <crm_config>",
        '      <cluster_property_set id="cib-bootstrap-options">',
        '        <nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" value="false"/>',
        '        <nvpair id="cib-bootstrap-options-no-quorum-policy" name="no-quorum-policy" value="ignore"/>',
        "      </cluster_property_set>",
        "    </crm_config>",
        "    <nodes>",
    ]
    out += [f'      <node id="{n}" uname="node{n}"/>' for n in range(1, nodes + 1)]
    out += ["    </nodes>", "    <resources>"]
    numbers = range(first, first + resources)
    for r in numbers:
        out += [
            f'      <primitive id="rsc{r}" class="ocf" provider="pacemaker" type="Dummy">',
            "        <operations>",
            f'          <op name="start" interval="0s" timeout="20s" id="rsc{r}-start-0s"/>',
            f'          <op name="stop" interval="0s" timeout="20s" id="rsc{r}-stop-0s"/>',
            f'          <op name="monitor" interval="10s" timeout="20s" id="rsc{r}-monitor-10s"/>',
            "        </operations>",
            "      </primitive>",
        ]
    out += ["    </resources>", "    <constraints>"]
    for r in numbers:
        if (r - 1) % CHAIN == 0:
            node = home_node(r, nodes)
            out.append(f'      <rsc_location id="loc-rsc{r}" rsc="rsc{r}" score="100" node="node{node}"/>')
        else:
            out.append(
                f'      <rsc_colocation id="col-rsc{r}" score="INFINITY" rsc="rsc{r}" with-rsc="rsc{r - 1}"/>'
            )
            out.append(f'      <rsc_order id="ord-rsc{r}" kind="Mandatory" first="rsc{r - 1}" then="rsc{r}"/>')
    out += [
        "    </constraints>",
        "    <rsc_defaults>",
        '      <meta_attributes id="rsc-options">',
        '        <nvpair id="rsc-options-resource-stickiness" name="resource-stickiness" value="100"/>',
        "      </meta_attributes>",
        "    </rsc_defaults>",
        "  </configuration>",
    ]
    return out


def _op(r: int, node: int, op_id: str, key: str, operation: str, interval: int, rc: int, call: int) -> str:
    magic = f"{call}:1:{rc}:4a7d0b51-7c4c-4c4e-9d8c-0123456789ab"
    return (
        f'            <lrm_rsc_op id="{op_id}" operation_key="{key}" operation="{operation}" '
        f'crm-debug-origin="do_update_resource" crm_feature_set="3.16.1" transition-key="{magic}" '
        f'transition-magic="0:{rc};{magic}" exit-reason="" on_node="node{node}" call-id="{call}" '
        f'rc-code="{rc}" op-status="0" interval="{interval}" last-rc-change="1700000000" '
        f'exec-time="12" queue-time="0" op-digest="{EMPTY_DIGEST}"/>'
    )


def status_xml(nodes: int, resources: int) -> list[str]:
    out = ["  <status>"]
    for n in range(1, nodes + 1):
        out += [
            f'    <node_state id="{n}" uname="node{n}" in_ccm="true" crmd="online" '
            'crm-debug-origin="do_update_resource" join="member" expected="member">',
            f'      <lrm id="{n}">',
            "        <lrm_resources>",
        ]
        for r in range(1, resources + 1):
            out.append(f'          <lrm_resource id="rsc{r}" type="Dummy" class="ocf" provider="pacemaker">')
            if home_node(r, nodes) == n:
                out.append(_op(r, n, f"rsc{r}_last_0", f"rsc{r}_start_0", "start", 0, 0, 2 * r))
                out.append(
                    _op(r, n, f"rsc{r}_monitor_10000", f"rsc{r}_monitor_10000", "monitor", 10000, 0, 2 * r + 1)
                )
            else:
                out.append(_op(r, n, f"rsc{r}_last_0", f"rsc{r}_monitor_0", "monitor", 0, 7, r))
            out.append("          </lrm_resource>")
        out += ["        </lrm_resources>", "      </lrm>", "    </node_state>"]
    out.append("  </status>")
    return out


def generate_cib(nodes: int, resources: int, *, with_status: bool = True, epoch: int = 5) -> bytes:
    """The benchmark CIB as bytes (see the module docstring)."""
    lines = [
        '<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" '
        f'epoch="{epoch}" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="1">'
    ]
    lines += configuration_xml(nodes, resources)
    lines += status_xml(nodes, resources) if with_status else ["  <status/>"]
    lines.append("</cib>")
    return ("\n".join(lines) + "\n").encode()


def median_time(action: Callable[[], object], repeat: int) -> float:
    """Median wall time; the result is dropped after the clock stops (freeing a 100 MB
    tree takes a tenth of a second and is not part of what is measured)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
        del result
    return statistics.median(times)


def edited_copy(root, every: int = 100):
    """A configuration change touching about 3% of primitives: edit, delete, add, move."""
    import copy

    from lxml import etree

    from daemon.cib.versions import bump_epoch

    new = copy.deepcopy(root)
    resources = new.find("configuration/resources")
    primitives = list(resources)
    for index, primitive in enumerate(primitives):
        if index % every == 1:
            primitive.set("description", f"edited {index}")
        elif index % every == 2:
            resources.remove(primitive)
        elif index % every == 3:
            resources.insert(0, primitive)
    for index in range(len(primitives) // every):
        added = etree.SubElement(resources, "primitive", id=f"new{index}", type="Dummy")
        added.set("class", "ocf")
        added.set("provider", "heartbeat")
    bump_epoch(new)
    return new


def _row(name: str, seconds: float, anchor: float | None = None, anchor_name: str = "crm_diff") -> str:
    ratio = f"   {anchor_name} {anchor:7.3f} s   ratio {seconds / anchor:5.2f}" if anchor else ""
    return f"{name:<46} {seconds:7.3f} s{ratio}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=32)
    parser.add_argument("--resources", type=int, default=5000)
    parser.add_argument("--diff-objects", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from daemon.cib.document import parse_cib, serialize_cib
    from daemon.cib.patchset import apply_patchset, make_patchset
    from daemon.cib.persist import load_cib_file, write_cib_file
    from daemon.cib.schema import validate

    with tempfile.TemporaryDirectory(prefix="cib-bench-") as tmp:
        path = Path(tmp) / "cib.xml"
        start = time.perf_counter()
        data = generate_cib(args.nodes, args.resources)
        path.write_bytes(data)
        print(f"{args.nodes} nodes x {args.resources} resources: {len(data) / 1e6:.1f} MB "
              f"(generated in {time.perf_counter() - start:.1f} s); medians of {args.repeat}")
        print(_row("parse_cib", median_time(lambda: parse_cib(data, source="cib.xml"), args.repeat)))
        load = median_time(lambda: load_cib_file(path), args.repeat)
        print(_row("load_cib_file", load))
        root = parse_cib(data, source="cib.xml")
        validate(root)  # the first call compiles the schema
        problems = validate(root)
        print(_row(f"validate ({len(problems)} problems)", median_time(lambda: validate(root), args.repeat)))
        serialize = median_time(lambda: serialize_cib(root), args.repeat)
        print(_row("serialize_cib", serialize))
        anchor = _cibadmin_query_time(path, args.repeat)
        print(_row("load_cib_file + serialize_cib", load + serialize, anchor, "cibadmin -Q"))
        print(_row("write_cib_file", median_time(lambda: write_cib_file(path, root), args.repeat)))

        status_change = _status_update(root)
        patch = make_patchset(root, status_change)
        print(_row("make_patchset (100 MB, status update)", median_time(lambda: make_patchset(root, status_change), args.repeat)))
        print(_row("apply_patchset (100 MB, status update)", median_time(lambda: apply_patchset(root, patch), args.repeat)))

        per_object = 1 + 2 * (CHAIN - 1) / CHAIN + 1 / CHAIN  # a primitive and its constraints
        count = int(args.diff_objects / per_object)
        old = parse_cib(generate_cib(args.nodes, count, with_status=False), source="old.xml")
        new = edited_copy(old)
        old_path, new_path = Path(tmp) / "old.xml", Path(tmp) / "new.xml"
        write_cib_file(old_path, old)
        write_cib_file(new_path, new)
        objects = len(old.find("configuration/resources")) + len(old.find("configuration/constraints"))
        patch = make_patchset(old, new)
        anchor = _crm_diff_time(old_path, new_path, args.repeat)
        print(_row(f"make_patchset ({objects} objects, {len(patch) - 1} changes)",
                   median_time(lambda: make_patchset(old, new), args.repeat), anchor))
        print(_row(f"apply_patchset ({objects} objects)", median_time(lambda: apply_patchset(old, patch), args.repeat)))
        assert serialize_cib(apply_patchset(old, patch)) == serialize_cib(new)
    return 0


def _status_update(root):
    import copy

    from daemon.cib.versions import bump_num_updates

    new = copy.deepcopy(root)
    for op in new.iterfind("status/node_state/lrm/lrm_resources/lrm_resource/lrm_rsc_op"):
        op.set("last-rc-change", "1700000100")
        break
    bump_num_updates(new)
    return new


def _cibadmin_query_time(path: Path, repeat: int) -> float | None:
    """cibadmin -Q on a CIB file: Pacemaker parsing the file and printing it again."""
    import os

    tool = shutil.which("cibadmin")
    if tool is None:
        return None
    env = {**os.environ, "CIB_file": str(path)}
    return median_time(
        lambda: subprocess.run([tool, "-Q"], env=env, capture_output=True, timeout=600, check=False), repeat
    )


def _crm_diff_time(old: Path, new: Path, repeat: int) -> float | None:
    tool = shutil.which("crm_diff")
    if tool is None:
        return None
    argv = [tool, "-o", str(old), "-n", str(new)]
    return median_time(lambda: subprocess.run(argv, capture_output=True, timeout=600, check=False), repeat)


if __name__ == "__main__":
    sys.exit(main())
