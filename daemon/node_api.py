"""The local API's requests, answered by a running node.

Reads come from the node's store as it is; writes become replicated updates and are answered
once corosync has ordered them and they were applied here, so a client that gets an answer
can rely on every node applying the same change in the same place. Each failure becomes one
of the API's error codes with a message that says what to do.
"""

from __future__ import annotations

import asyncio
import time

from lxml import etree

from daemon import __version__ as DAEMON_VERSION
from daemon import admin_ops
from daemon.api.errors import ApiError
from daemon.api.protocol import API_VERSION, Reply, Request
from daemon.api.server import ApiServer
from daemon.cib import errors as cib_errors
from daemon.cib.document import parse_cib, serialize_cib
from daemon.replication.errors import NotConnected
from daemon.replication.values import to_json
from daemon.replication.updates import Meta, Update

SECTIONS = ("configuration", "status", "crm_config", "nodes", "resources", "constraints",
            "rsc_defaults", "op_defaults", "fencing-topology", "tags", "acls", "alerts")
DEFAULT_WAIT_S = 120.0
DEFAULT_FENCE_TIMEOUT_S = 120.0     # stonith_admin's default


async def start_api(node) -> ApiServer:
    server = ApiServer(str(node.settings.socket), _Dispatch(node),
                       access_group=node.settings.access_group)
    await server.start()
    return server


class _Dispatch:
    def __init__(self, node) -> None:
        self.node = node

    async def __call__(self, request: Request, caller):
        handler = getattr(self, "op_" + request.op.replace("-", "_"), None)
        if handler is None:
            raise ApiError("unknown-op", f"this daemon does not answer '{request.op}'")
        try:
            return await handler(request, caller)
        except ApiError:
            raise
        except Exception as err:  # noqa: BLE001 - mapped to the API's error codes
            raise _api_error(err) from err

    # ---- reads -------------------------------------------------------------------------
    async def op_hello(self, request: Request, caller) -> Reply:
        node = self.node
        me = node.me
        return Reply({"api": API_VERSION, "daemon_version": DAEMON_VERSION,
                      "node": me.name if me else None, "node_id": me.id if me else None,
                      "dc": node.dc_name, "quorate": bool(node.quorum and node.quorum.quorate),
                      "connected": node.joined, "cib_version": list(node.store.version),
                      "members": [{"id": m.id, "name": m.name}
                                  for m in (node.core.members if node.core else ())],
                      "user": caller.user})

    async def op_query(self, request: Request, caller) -> Reply:
        root = self.node.store.root
        section, xpath = request.args.get("section"), request.args.get("xpath")
        if section and xpath:
            raise ApiError("bad-request", "args: give section or xpath, not both")
        if section:
            return Reply({}, serialize_cib(_section(root, section)))
        if xpath:
            return Reply({}, _xpath(root, xpath))
        return Reply({"version": list(self.node.store.version)}, serialize_cib(root))

    async def op_status(self, request: Request, caller) -> Reply:
        from daemon.status import StatusOptions, render_text, render_xml

        options = _status_options(StatusOptions, request.args.get("options") or {})
        node = self.node
        common = {"now": int(time.time()), "options": options,
                  "local_node": node.me.name if node.me else None,
                  "pacemakerd_state": "running" if node.joined else None,
                  "fence_history": node.fencer.events()}
        if request.args.get("format", "text") == "xml":
            return Reply({}, render_xml(node.store.root, **common))
        lines = render_text(node.store.root, **common)
        return Reply({}, ("\n".join(lines) + "\n").encode())

    # ---- configuration writes ------------------------------------------------------------
    async def op_apply_patch(self, request: Request, caller) -> Reply:
        update = Update("patch", self._meta(caller, request), request.body,
                        force=bool(request.args.get("force")))
        applied = await self.node.submit(update)
        return Reply({"version": list(applied.version_after), "changed": applied.config_changed})

    async def op_replace(self, request: Request, caller) -> Reply:
        section = request.args.get("section")
        if section is not None and section not in SECTIONS:
            raise ApiError("bad-request", f"args.section: '{section}' is not a CIB section "
                           f"(one of {', '.join(SECTIONS)})")
        update = Update("replace", self._meta(caller, request), request.body,
                        section=section, force=bool(request.args.get("force")))
        applied = await self.node.submit(update)
        return Reply({"version": list(applied.version_after), "changed": applied.config_changed})

    # ---- status writes: resources and nodes -----------------------------------------------
    async def op_resource(self, request: Request, caller) -> Reply:
        a = request.args
        action, rsc, node = a.get("action"), a.get("rsc"), a.get("node")
        root = self.node.store.root
        if action == "failcount":
            return Reply({"failcounts": admin_ops.failcounts(root, rsc, node)})
        if action in ("cleanup", "refresh", "failcount-delete"):
            interval = _interval_ms(a.get("interval"))
            ops = admin_ops.cleanup(root, rsc, node, refresh=action == "refresh",
                                    operation=a.get("op"), interval_ms=interval)
            if action == "failcount-delete":
                ops = tuple(op for op in ops if type(op).__name__ == "ClearFailures")
            if ops:
                await self._status(caller, request, ops)
            return Reply({"changes": len(ops), "resources": sorted({op.rsc_id for op in ops})})
        raise ApiError("bad-request", f"args.action: '{action}' is not one of cleanup, refresh, "
                       "failcount, failcount-delete")

    async def op_node(self, request: Request, caller) -> Reply:
        a = request.args
        action, root = a.get("action"), self.node.store.root
        node = a.get("node") or (self.node.me.name if self.node.me else None)
        if not node:
            raise ApiError("bad-request", "args.node: which node? (this one is not known yet)")
        if action == "attribute-get":
            return Reply({"node": node, "name": a.get("name"),
                          "value": admin_ops.get_attribute(root, node, _name(a))})
        if action in ("attribute-set", "attribute-delete"):
            value = a.get("value") if action == "attribute-set" else None
            if action == "attribute-set" and value is None:
                raise ApiError("bad-request", "args.value: a value is needed to set an attribute")
            ops = admin_ops.set_attribute(root, node, _name(a), value)
        elif action == "clearstate":
            ops = admin_ops.clearstate(root, node)
        else:
            raise ApiError("bad-request", f"args.action: '{action}' is not one of attribute-get, "
                           "attribute-set, attribute-delete, clearstate")
        applied = await self._status(caller, request, ops)
        return Reply({"node": node, "version": list(applied.version_after)})

    async def op_ticket(self, request: Request, caller) -> Reply:
        """crm_ticket --grant/--revoke/--standby/--activate/--cleanup: the ticket's state in
        the status section, which the scheduler reads for rsc_ticket constraints."""
        from daemon.cib.status_ops import SetTicket

        a = request.args
        ticket = a["ticket"]
        if not ticket or any(c in ticket for c in "<>&\"'") or len(ticket) > 256:
            raise ApiError("bad-request", f"args.ticket: {ticket!r} is not a ticket name")
        attrs = {"grant": (("granted", "true"), ("last-granted", str(int(time.time())))),
                 "revoke": (("granted", "false"),), "standby": (("standby", "true"),),
                 "activate": (("standby", "false"),), "delete": ()}[a["action"]]
        op = SetTicket(ticket, attrs, delete=a["action"] == "delete")
        applied = await self._status(caller, request, (op,))
        return Reply({"ticket": ticket, "version": list(applied.version_after)})

    async def _status(self, caller, request: Request, ops: tuple):
        return await self.node.submit(Update("status", self._meta(caller, request), ops=ops))

    # ---- fencing ---------------------------------------------------------------------------
    async def op_fence(self, request: Request, caller) -> Reply:
        """stonith_admin --reboot/--fence: answered once the fencing ended, wherever the
        cluster ran it; a failure is the "failed" error with the reason and the record."""
        from daemon.fence_service import FenceFailed

        a = request.args
        target, action = a["target"], a.get("action", "reboot")
        timeout = _positive(a, "timeout", DEFAULT_FENCE_TIMEOUT_S)
        tolerance = _positive(a, "tolerance", 0.0, zero=True)
        client = a.get("client") or "crmshell"
        if caller.pid:          # 0 from another PID namespace (a sandbox node's shell)
            client = f"{client}.{caller.pid}"
        try:
            record, tolerated = await self.node.fencer.fence(target, action, client, timeout,
                                                             tolerance)
        except FenceFailed as err:
            raise ApiError("failed", str(err), {"record": to_json(err.record)}) from None
        except asyncio.TimeoutError:
            raise ApiError("timeout", f"fencing {target} ({action}) did not end within "
                           f"{timeout:g} s; it may still be going on (the fencing history "
                           "in 'status' says when it ends)") from None
        return Reply({"record": to_json(record), "tolerated": tolerated})

    async def op_fence_history(self, request: Request, caller) -> Reply:
        """stonith_admin --history: this node's records, newest first (pending ones first)."""
        records = self.node.fencer.records(request.args.get("target"))
        return Reply({"records": [to_json(r) for r in records]})

    # ---- waiting and watching -------------------------------------------------------------
    async def op_wait(self, request: Request, caller) -> Reply:
        timeout = float(request.args.get("timeout") or DEFAULT_WAIT_S)
        try:
            return Reply(await self.node.wait_idle(timeout))
        except asyncio.TimeoutError:
            raise ApiError("timeout", f"the cluster did not settle within {timeout:g} s "
                           "(actions are still running or failing)") from None

    async def op_subscribe(self, request: Request, caller):
        return self._stream()

    async def _stream(self):
        sub = self.node.subscribe()
        try:
            yield Reply({"event": "subscribed", "version": list(self.node.store.version)})
            while True:
                try:
                    event = await asyncio.wait_for(sub.queue.get(), 1.0)
                except asyncio.TimeoutError:
                    if sub.overflowed:
                        break
                    continue
                yield Reply(event)
            yield Reply({"event": "overflow", "message": "too far behind: subscribe again"})
        finally:
            self.node.unsubscribe(sub)

    def _meta(self, caller, request: Request) -> Meta:
        client = str(request.args.get("client") or "crmshell")
        origin = self.node.me.name if self.node.me else ""
        return Meta(origin=origin, client=client, user=caller.user, when=time.time())


def _positive(args: dict, name: str, default: float, *, zero: bool = False) -> float:
    value = args.get(name, default)
    if value < 0 or (value == 0 and not zero):
        raise ApiError("bad-request", f"args.{name}: {value!r} is not a positive number "
                       "of seconds")
    return float(value)


def _name(args: dict) -> str:
    name = args.get("name")
    if not name:
        raise ApiError("bad-request", "args.name: the attribute's name is needed")
    return name


def _interval_ms(text) -> int | None:
    if text in (None, ""):
        return None
    from daemon.cib.options import parse_duration_ms

    try:
        return parse_duration_ms(str(text))
    except ValueError:
        raise ApiError("bad-request", f"args.interval: '{text}' is not a duration") from None


def _section(root, section: str):
    if section not in SECTIONS:
        raise ApiError("bad-request", f"args.section: '{section}' is not a CIB section "
                       f"(one of {', '.join(SECTIONS)})")
    found = root.find(section) if section in ("configuration", "status") else \
        root.find(f"configuration/{section}")
    if found is None:
        raise ApiError("not-found", f"the CIB has no {section} section")
    return found


def _xpath(root, expression: str) -> bytes:
    try:
        found = root.xpath(expression)
    except etree.XPathError as err:
        raise ApiError("bad-request", f"args.xpath: '{expression}' is not a valid XPath: "
                       f"{err}") from None
    elements = [f for f in found if isinstance(f, etree._Element)] if isinstance(found, list) else []
    if not elements:
        raise ApiError("not-found", f"nothing in the CIB matches {expression}")
    if len(elements) == 1:
        return serialize_cib(elements[0])
    wrapper = etree.Element("xpath-query")
    for element in elements:
        wrapper.append(_copy(element))
    return serialize_cib(wrapper)


def _copy(element):
    return parse_cib(etree.tostring(element), source="xpath result")


def _status_options(cls, given: dict):
    fields = getattr(cls, "__dataclass_fields__", {})
    unknown = sorted(set(given) - set(fields))
    if unknown:
        raise ApiError("bad-request", f"args.options.{unknown[0]}: not a status option "
                       f"(known: {', '.join(sorted(fields))})")
    try:
        return cls(**given)
    except (TypeError, ValueError) as err:
        raise ApiError("bad-request", f"args.options: {err}") from None


def _api_error(err: Exception) -> ApiError:
    if isinstance(err, NotConnected):
        return ApiError("unavailable", f"{err}; reads still work, writes wait for corosync")
    if isinstance(err, admin_ops.AdminError):
        return ApiError(err.code, str(err))
    changed = getattr(cib_errors, "ChangedMeanwhile", None)
    if changed is not None and isinstance(err, changed):
        details = {k: _plain(getattr(err, k, None)) for k in ("base", "current", "changed_ids")}
        return ApiError("changed-meanwhile", str(err), details)
    if isinstance(err, cib_errors.VersionMismatch):
        return ApiError("changed-meanwhile", str(err))
    old = getattr(cib_errors, "OldData", None)
    if old is not None and isinstance(err, old):
        return ApiError("old-data", str(err))
    if isinstance(err, cib_errors.CibParseError):
        return ApiError("bad-request", str(err))
    if isinstance(err, cib_errors.CibError):
        return ApiError("invalid", str(err))
    if isinstance(err, asyncio.TimeoutError):
        return ApiError("timeout", "timed out")
    return ApiError("internal", f"{type(err).__name__}: {err}")


def _plain(value):
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    return value
