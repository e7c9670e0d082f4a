"""The CIB's part of bootstrap, done through this host's crmshelld (its local API): waiting
until the cluster has formed, the defaults of a new cluster, forgetting a removed node.

A new cluster gets what crmsh's `cluster init` gives one: the cluster's name as a property,
resource-stickiness 1 (a recovered node does not pull resources back), operations recorded
while pending and a 600 s operation timeout default. Fencing stays on (Pacemaker's default):
the command that made the cluster warns until a fencing device exists. Existing values are
never overwritten, so a re-run or a join changes nothing an administrator set.
"""

from __future__ import annotations

import copy
import time

from lxml import etree

POLL_S = 0.05

DEFAULTS = {
    "crm_config": ("cib-bootstrap-options", {}),
    "rsc_defaults": ("rsc-options", {"resource-stickiness": "1"}),
    "op_defaults": ("op-options", {"timeout": "600", "record-pending": "true"}),
}


class CibStepError(Exception):
    pass


def _client(socket: str, timeout: float = 30.0):
    from daemon.api.client import ApiClient

    return ApiClient(socket, timeout=timeout)


def wait_formed(socket: str, members: int | None, timeout: float) -> dict:
    """Until crmshelld here answers, sees `members` members (None: any) with quorum, and the
    cluster has a DC; the last `hello` answer. CibStepError says what was missing."""
    from daemon.api.errors import ApiError, DaemonUnavailable

    deadline = time.monotonic() + timeout
    last: dict | str = "crmshelld does not answer"
    while True:
        try:
            with _client(socket, timeout=5.0) as client:
                hello = client.call("hello").result
        except (ApiError, DaemonUnavailable, OSError) as err:
            last = f"crmshelld does not answer ({err})"
        else:
            count = len(hello.get("members") or [])
            if hello.get("dc") and hello.get("quorate") and (members is None or count >= members):
                return hello
            last = hello
        if time.monotonic() >= deadline:
            if isinstance(last, dict):
                raise CibStepError(f"the cluster did not form within {timeout:g} s: "
                                   f"{len(last.get('members') or [])} member(s)"
                                   f"{'' if members is None else f' of {members}'}, "
                                   f"{'quorate' if last.get('quorate') else 'no quorum'}, "
                                   f"DC {last.get('dc') or 'none yet'}")
            raise CibStepError(f"the cluster did not form within {timeout:g} s: {last}")
        time.sleep(POLL_S)


def edit_configuration(socket: str, edit, seen=None) -> bool:
    """Apply `edit(configuration)` to the live CIB as one patch; False if it changed nothing.
    `seen(root)`, when given, looks at the CIB as it was read."""
    from daemon.api.errors import ApiError, DaemonUnavailable
    from daemon.cib.document import parse_cib
    from daemon.cib.patchset import make_patchset
    from daemon.cib.versions import bump_epoch

    try:
        with _client(socket) as client:
            root = parse_cib(client.call("query").body, source=f"crmshelld at {socket}")
            if seen is not None:
                seen(root)
            old = _configuration_only(root)
            new = copy.deepcopy(old)
            if not edit(new.find("configuration")):
                return False
            bump_epoch(new)
            client.call("apply-patch", {}, etree.tostring(make_patchset(old, new)))
    except (ApiError, DaemonUnavailable) as err:
        raise CibStepError(str(err)) from None
    return True


def _configuration_only(root):
    shell = etree.Element("cib", dict(root.attrib))
    shell.append(copy.deepcopy(root.find("configuration")))
    return shell


def apply_defaults(socket: str, cluster_name: str, rename: bool = False) -> tuple[bool, int]:
    """crmsh's defaults where unset; with `rename`, cluster-name set whatever it was. Also
    how many fencing devices the configuration has (for init's warning)."""
    devices = []
    def edit(configuration) -> bool:
        changed = False
        if rename:
            for nv in configuration.iterfind("crm_config/cluster_property_set/nvpair"):
                if nv.get("name") == "cluster-name" and nv.get("value") != cluster_name:
                    nv.set("value", cluster_name)
                    changed = True
        for section, (set_id, values) in DEFAULTS.items():
            wanted = dict(values)
            if section == "crm_config":
                wanted["cluster-name"] = cluster_name
            changed |= _ensure_nvpairs(configuration, section, set_id, wanted)
        return changed

    changed = edit_configuration(socket, edit, lambda root: devices.append(
        sum(1 for p in root.iter("primitive") if p.get("class") == "stonith")))
    return changed, devices[0] if devices else 0


def _ensure_nvpairs(configuration, section: str, set_id: str, values: dict) -> bool:
    parent = configuration.find(section)
    if parent is None:
        parent = etree.SubElement(configuration, section)
    sets = parent.findall("cluster_property_set" if section == "crm_config" else "meta_attributes")
    target = next((s for s in sets if s.get("id") == set_id), None)
    if target is None:
        tag = "cluster_property_set" if section == "crm_config" else "meta_attributes"
        target = etree.SubElement(parent, tag, id=set_id)
    present = {nv.get("name") for s in sets for nv in s.iterfind("nvpair")}
    changed = False
    for name, value in values.items():
        if name not in present:
            etree.SubElement(target, "nvpair", id=f"{set_id}-{name}", name=name, value=value)
            changed = True
    return changed


def forget_node(socket: str, name: str) -> bool:
    """The node entry of a removed node goes, with its constraints' references left to
    verify; its status history is cleared (`crm node delete` does both)."""
    def edit(configuration) -> bool:
        nodes = configuration.find("nodes")
        gone = [n for n in (nodes if nodes is not None else ()) if n.get("uname") == name]
        for node in gone:
            nodes.remove(node)
        return bool(gone)

    changed = edit_configuration(socket, edit)
    from daemon.api.errors import ApiError, DaemonUnavailable

    try:
        with _client(socket) as client:
            client.call("node", {"action": "clearstate", "node": name})
    except (ApiError, DaemonUnavailable):
        pass    # no state left to clear
    return changed
