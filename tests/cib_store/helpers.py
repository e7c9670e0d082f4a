"""Builders for the CIB store's tests: CIBs with Dummy resources, commits made the way the
shell makes them (a v2 patchset from the loaded document to the edited one), updates."""

from __future__ import annotations

import copy

from lxml import etree

from daemon.cib.document import empty_cib, serialize_cib
from daemon.cib.patchset import make_patchset
from daemon.cib.status_ops import RecordOp
from daemon.cib.versions import CibVersion, read_version, write_version
from daemon.controller.messages import NodeRef
from daemon.replication.updates import Meta, Update

WHEN = 1_700_000_000.0
META = Meta(origin="node1", client="crmshell", user="root", when=WHEN)


def dummy(rsc_id: str) -> etree._Element:
    prim = etree.Element("primitive", {"id": rsc_id, "class": "ocf", "provider": "heartbeat",
                                       "type": "Dummy"})
    attrs = etree.SubElement(prim, "instance_attributes", id=f"{rsc_id}-instance_attributes")
    etree.SubElement(attrs, "nvpair", id=f"{rsc_id}-instance_attributes-state", name="state",
                     value=f"/run/{rsc_id}.state")
    ops = etree.SubElement(prim, "operations")
    etree.SubElement(ops, "op", id=f"{rsc_id}-monitor-10s", name="monitor", interval="10s",
                     timeout="20s")
    return prim


def cib_with(count: int) -> etree._Element:
    root = empty_cib()
    resources = root.find("configuration/resources")
    for number in range(count):
        resources.append(dummy(f"r{number}"))
    return root


def commit(root: etree._Element, edit) -> bytes:
    """The patch the shell commits for `edit(configuration)` on a copy of `root`: from the
    document's version to epoch + 1 (configuration and <cib> attributes only)."""
    old = etree.Element("cib", dict(root.attrib))
    old.append(copy.deepcopy(root.find("configuration")))
    new = copy.deepcopy(old)
    edit(new.find("configuration"))
    now = read_version(root)
    write_version(new, CibVersion(now.admin_epoch, now.epoch + 1, 0))
    return etree.tostring(make_patchset(old, new))


def set_state(rsc_id: str, value: str):
    def edit(conf):
        conf.find(f"resources/primitive[@id='{rsc_id}']/instance_attributes/nvpair").set("value", value)
    return edit


def add_dummy(rsc_id: str):
    def edit(conf):
        conf.find("resources").append(dummy(rsc_id))
    return edit


def patch(body: bytes, force: bool = False) -> Update:
    return Update("patch", META, body, force=force)


def status(*ops) -> Update:
    return Update("status", META, ops=tuple(ops))


def record(node: str, rsc: str, op_id: str, rc: str = "0", key_rc: str = "0", **extra) -> RecordOp:
    key = f"3:1:{key_rc}:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    attrs = (("id", op_id), ("operation_key", f"{rsc}_start_0"), ("operation", "start"),
             ("transition-key", key), ("transition-magic", f"0:{rc};{key}"), ("call-id", "3"),
             ("rc-code", rc), ("op-status", extra.pop("op_status", "0")), ("interval", "0"))
    return RecordOp(node, f"node{node}", rsc, "ocf", "heartbeat", "Dummy", attrs)


def dc(node_id: str = "1", quorate: bool = True, version: str = "2.1.5", name: str | None = "hacluster"):
    return Update("dc", META, dc=NodeRef(node_id, f"node{node_id}"), quorate=quorate,
                  dc_version=version, cluster_name=name)


def text(root: etree._Element) -> bytes:
    return serialize_cib(root)
