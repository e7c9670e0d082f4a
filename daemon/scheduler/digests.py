"""Operation digests, computed exactly as Pacemaker computes `op-digest`.

A digest is the MD5 of the parameters serialised as one line: ' <parameters', the
attributes sorted by name, '/>', newline. Recurring operations also carry their timeout
(CRM_meta_timeout); everything else under CRM_meta_ is dropped. Comparing the recorded
digest with a fresh one tells whether a resource's definition changed since it ran.
"""

from __future__ import annotations

try:  # CPython's own md5: hashlib loads OpenSSL (some 3 ms of a `simulate -S` start)
    from _md5 import md5
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import md5

from daemon.records import record
from daemon.scheduler import actions as act
from daemon.scheduler.model import Node, Resource
from daemon.scheduler.params import action_params, rsc_params
from daemon.scheduler.working_set import WorkingSet

MATCH = 0
UNKNOWN = 1
MISMATCH = 2     # all-parameters digest differs (reload may do)
RESTART = 3      # a parameter that needs a restart changed

_FILTERED = {"id", "crm_feature_set", "op-digest", "on_node", "on_node_uuid",
             "pcmk_external_ip"}

_ESCAPES = {"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;",
            "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


def _escape(value: str) -> str:
    if not any(ch in value for ch in _ESCAPES):
        return value
    return "".join(_ESCAPES.get(ch, ch) for ch in value)


def serialise(params: dict[str, str]) -> str:
    parts = [" <parameters"]
    for name in sorted(params):
        parts.append(f' {name}="{_escape(params[name])}"')
    parts.append("/>\n")
    return "".join(parts)


def digest_of(params: dict[str, str]) -> str:
    return md5(serialise(params).encode("utf-8")).hexdigest()


def meta_name(name: str) -> str:
    return "CRM_meta_" + name.replace("-", "_")


@record
class DigestResult:
    rc: int
    all_calc: str
    restart_calc: str | None
    params_all: dict[str, str]


def filter_for_digest(params: dict[str, str]) -> dict[str, str]:
    """Drop meta-attributes and bookkeeping names, keeping the timeout of recurring ops."""
    interval = params.get("CRM_meta_interval")
    timeout = params.get("CRM_meta_timeout") if interval not in (None, "0") else None
    out = {k: v for k, v in params.items()
           if not k.startswith("CRM_meta_") and k not in _FILTERED}
    if timeout is not None:
        out["CRM_meta_timeout"] = timeout
    return out


def all_params(ws: WorkingSet, rsc: Resource, node: Node, task: str,
               interval_ms: int) -> tuple[dict[str, str], bool]:
    """(digest parameters, whether one-time action has its own parameters)."""
    params = dict(rsc_params(ws, rsc, node))
    if rsc.launcher is not None and params.get("addr") == "#uname":
        from daemon.scheduler.bundle import remote_host_name
        host = remote_host_name(rsc)
        if host is not None:
            params["addr"] = host
    config = act.find_action_config(ws, rsc, task, interval_ms, True)
    own = action_params(ws, config, node)
    force_restart = interval_ms == 0 and bool(own)
    params.update(own)
    meta = act.action_meta(ws, rsc, node, task, interval_ms, config)
    for name, value in meta.items():
        params[meta_name(name)] = value
    return filter_for_digest(params), force_restart


def compare(ws: WorkingSet, rsc: Resource, xml_op, node: Node) -> DigestResult:
    """rsc_action_digest_cmp(): how a history entry's digests compare with the config."""
    from daemon.scheduler.timespec import interval_ms as parse_interval
    task = xml_op.get("operation")
    interval = int(xml_op.get("interval") or 0) if (xml_op.get("interval") or "0").isdigit() \
        else parse_interval(xml_op.get("interval"))
    key = (id(rsc), node.name, task, interval, xml_op.get("op-force-restart"))
    cache = ws.config_cache.setdefault("digests", {})
    calc = cache.get(key)
    if calc is None:
        params, forced = all_params(ws, rsc, node, task, interval)
        restart_calc = None
        if xml_op.get("op-restart-digest") is not None:
            restart = dict(params)
            force = xml_op.get("op-force-restart")
            if force is not None:
                wanted = set(force.split())
                restart = {k: v for k, v in restart.items() if k in wanted}
            restart_calc = digest_of(restart)
        calc = (digest_of(params), restart_calc, forced, params)
        cache[key] = calc
    all_calc, restart_calc, forced, params = calc
    digest_all = xml_op.get("op-digest")
    digest_restart = xml_op.get("op-restart-digest")
    if digest_restart is not None and restart_calc is not None and restart_calc != digest_restart:
        rc = RESTART
    elif digest_all is None:
        rc = UNKNOWN
    elif digest_all != all_calc:
        rc = RESTART if (interval == 0 and forced) else MISMATCH
    else:
        rc = MATCH
    return DigestResult(rc, all_calc, restart_calc, params)


# ---- the secure digest (parameters without the private ones) -------------------------

_FENCE_PARAMS = {"pcmk_action_limit", "pcmk_delay_base", "pcmk_delay_max",
                 "pcmk_host_argument", "pcmk_host_check", "pcmk_host_list", "pcmk_host_map"}


def _is_fence_param(name: str) -> bool:
    """pcmk_stonith_param(): parameters Pacemaker adds for fence devices itself."""
    if name in ("provides", "stonith-timeout"):
        return True
    if not name.startswith("pcmk_"):
        return False
    if name in _FENCE_PARAMS:
        return True
    rest = name[5:]
    cut = rest.find("_")
    return cut >= 0 and rest[cut:] in ("_action", "_timeout", "_retries")


def _older_than(version: str | None, reference: tuple[int, ...]) -> bool:
    parts = []
    for piece in (version or "").split("."):
        parts.append(int(piece) if piece.isdigit() else 0)
    return tuple(parts) < reference


def secure_digest(ws: WorkingSet, rsc: Resource, node: Node, xml_op,
                  params_all: dict[str, str]) -> str:
    """calculate_secure_digest(): the digest without the parameters listed in the entry's
    op-secure-params; for entries written before feature set 3.16.0, of the resource's own
    parameters only, fence-device parameters and the timeout left out as the controller
    then did."""
    listed = f" {xml_op.get('op-secure-params') or ''} "
    version = xml_op.get("crm_feature_set") or ws.cib.get("crm_feature_set") or "3.20.0"
    old = _older_than(version, (3, 16, 0))
    params = dict(rsc_params(ws, rsc, node)) if old else dict(params_all)
    params = {k: v for k, v in params.items() if f" {k} " not in listed}
    if old and (rsc.standard or "").lower() == "stonith":
        params = {k: v for k, v in params.items() if not _is_fence_param(k)}
    params = filter_for_digest(params)
    if old:
        params.pop("CRM_meta_timeout", None)
    return digest_of(params)


def only_private_changed(ws: WorkingSet, rsc: Resource, node: Node, xml_op,
                         result: DigestResult) -> bool:
    """only_sanitized_changed(): in a simulation of a CIB whose private parameters were
    masked, a digest that differs only in those is no change."""
    if not ws.sanitized or result.rc == MATCH:
        return False
    recorded = xml_op.get("op-secure-digest")
    if recorded is None:
        return False
    return secure_digest(ws, rsc, node, xml_op, result.params_all) == recorded
