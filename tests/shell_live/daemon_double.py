"""A small crmshelld for the shell's tests: the real ApiServer on a real socket, in a thread,
with a dispatch backed by the real CibStore (patches with the base check, status changes).

It answers what the shell's daemon source sends and records every request, so a test can
see the shell's side of the API; the real daemon's own end-to-end tests go through
`crmshell sandbox up`.
"""

from __future__ import annotations

import time

from lxml import etree

from daemon import admin_ops
from daemon.api.errors import ApiError
from daemon.api.protocol import Reply
from daemon.cib.document import empty_cib, serialize_cib
from daemon.cib.errors import ChangedMeanwhile
from daemon.cib.store import CibStore
from daemon.replication.updates import Meta, Update

NODE = "node1"


def one_node_cib():
    root = empty_cib()
    etree.SubElement(root.find("configuration/nodes"), "node", id="1", uname=NODE)
    props = etree.SubElement(root.find("configuration/crm_config"), "cluster_property_set",
                             id="cib-bootstrap-options")
    etree.SubElement(props, "nvpair", id="cib-bootstrap-options-stonith-enabled",
                     name="stonith-enabled", value="false")
    return root


class StoreDispatch:
    def __init__(self) -> None:
        self.store = CibStore(one_node_cib())
        self.requests: list[tuple[str, dict]] = []

    def _meta(self) -> Meta:
        return Meta(origin=NODE, client="test", user="root", when=time.time())

    async def __call__(self, request, caller):
        self.requests.append((request.op, dict(request.args)))
        handler = getattr(self, "op_" + request.op.replace("-", "_"), None)
        if handler is None:
            raise ApiError("unknown-op", f"op {request.op} is not served here")
        return handler(request.args, request.body)

    def op_hello(self, args, body):
        return Reply({"node": NODE, "node_id": 1, "dc": NODE, "quorate": True})

    def op_query(self, args, body):
        return Reply({"version": list(self.store.version)}, serialize_cib(self.store.root))

    def op_apply_patch(self, args, body):
        try:
            applied = self.store.apply(Update("patch", self._meta(), body,
                                              force=bool(args.get("force"))))
        except ChangedMeanwhile as err:
            raise ApiError("changed-meanwhile", str(err), {
                "base": list(err.base), "current": list(err.current),
                "changed_ids": sorted(err.changed_ids or ())}) from None
        return Reply({"version": list(applied.version_after)})

    def op_status(self, args, body):
        from daemon.status import StatusOptions, render_text, render_xml

        options = StatusOptions(**(args.get("options") or {}))
        if args.get("format") == "xml":
            return Reply({}, render_xml(self.store.root, now=time.time(), options=options))
        text = "\n".join(render_text(self.store.root, now=time.time(), options=options))
        return Reply({}, text.encode() + b"\n")

    def op_wait(self, args, body):
        return Reply({"idle": True, "transition": 0})

    def op_resource(self, args, body):
        root = self.store.root
        if args["action"] == "failcount":
            return Reply({"failcounts": admin_ops.failcounts(root, args.get("rsc"), args.get("node"))})
        ops = admin_ops.cleanup(root, args.get("rsc"), args.get("node"),
                                refresh=args["action"] == "refresh")
        if ops:
            self.store.apply(Update("status", self._meta(), ops=ops))
        return Reply({"changes": len(ops), "resources": sorted({op.rsc_id for op in ops})})

    def op_node(self, args, body):
        root = self.store.root
        if args["action"] == "attribute-get":
            return Reply({"value": admin_ops.get_attribute(root, args["node"], args["name"])})
        value = args.get("value") if args["action"] == "attribute-set" else None
        ops = admin_ops.set_attribute(root, args["node"], args["name"], value)
        applied = self.store.apply(Update("status", self._meta(), ops=ops))
        return Reply({"node": args["node"], "version": list(applied.version_after)})
