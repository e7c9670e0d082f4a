"""Building small CIB documents for scheduler tests (text in, so crm_simulate can read them).

Operation history is written the way Pacemaker records it: transition-key
`action:transition:expected-rc:uuid`, transition-magic `op-status:rc;key`, and op-digest
computed from the operation's parameters as Pacemaker computes it.
"""

from __future__ import annotations

from daemon.scheduler.digests import digest_of

UUID = "3e1e2e8c-0000-4000-8000-000000000001"
MONITOR_TIMEOUT_MS = 20000


def nvpairs(owner: str, values: dict[str, str]) -> str:
    return "".join(f'<nvpair id="{owner}-{name}" name="{name}" value="{value}"/>'
                   for name, value in values.items())


def dummy(rsc_id: str, *, monitor_s: int = 10, meta: dict[str, str] | None = None,
          params: dict[str, str] | None = None) -> str:
    """An ocf:pacemaker:Dummy primitive with a recurring monitor (timeout 20s)."""
    parts = [f'<primitive id="{rsc_id}" class="ocf" provider="pacemaker" type="Dummy">']
    if params:
        parts.append(f'<instance_attributes id="{rsc_id}-params">'
                     f'{nvpairs(rsc_id + "-params", params)}</instance_attributes>')
    if meta:
        parts.append(f'<meta_attributes id="{rsc_id}-meta">'
                     f'{nvpairs(rsc_id + "-meta", meta)}</meta_attributes>')
    parts.append(f'<operations><op id="{rsc_id}-monitor-{monitor_s}s" name="monitor" '
                 f'interval="{monitor_s}s" timeout="{MONITOR_TIMEOUT_MS // 1000}s"/>'
                 '</operations></primitive>')
    return "".join(parts)


def op(rsc_id: str, node: str, task: str, call_id: int, *, rc: int = 0, interval_ms: int = 0,
       expected: int | None = None, params: dict[str, str] | None = None,
       op_status: int = 0) -> str:
    digest_params = dict(params or {})
    if interval_ms:
        digest_params["CRM_meta_timeout"] = str(MONITOR_TIMEOUT_MS)
    key = f"{call_id}:1:{rc if expected is None else expected}:{UUID}"
    return (f'<lrm_rsc_op id="{rsc_id}_{task}_{interval_ms}" operation_key="{rsc_id}_{task}_'
            f'{interval_ms}" operation="{task}" crm-debug-origin="do_update_resource" '
            f'crm_feature_set="3.16.1" transition-key="{key}" transition-magic='
            f'"{op_status}:{rc};{key}" exit-reason="" on_node="{node}" call-id="{call_id}" '
            f'rc-code="{rc}" op-status="{op_status}" interval="{interval_ms}" '
            f'last-rc-change="1700000000" exec-time="10" queue-time="0" '
            f'op-digest="{digest_of(digest_params)}"/>')


def lrm_resource(rsc_id: str, ops: list[str], rsc_type: str = "Dummy") -> str:
    return (f'<lrm_resource id="{rsc_id}" class="ocf" provider="pacemaker" type="{rsc_type}">'
            f'{"".join(ops)}</lrm_resource>')


def running(rsc_id: str, node: str, call_id: int = 10, *, monitor_s: int = 10) -> str:
    """History of a resource started and monitored on a node."""
    return lrm_resource(rsc_id, [op(rsc_id, node, "start", call_id),
                                 op(rsc_id, node, "monitor", call_id + 1,
                                    interval_ms=monitor_s * 1000)])


def node_state(node: str, lrm: str = "", *, up: bool = True, attrs: dict[str, str] | None = None,
               lost: bool = False) -> str:
    """A node's state; `lost` is a node gone without shutting down (to be fenced)."""
    member = ('in_ccm="true" crmd="online" join="member" expected="member"' if up and not lost
              else 'in_ccm="false" crmd="offline" join="down" expected="%s"'
              % ("member" if lost else "down"))
    transient = ""
    if attrs:
        transient = (f'<transient_attributes id="{node}"><instance_attributes id="status-{node}">'
                     f'{nvpairs("status-" + node, attrs)}</instance_attributes>'
                     '</transient_attributes>')
    return (f'<node_state id="{node}" uname="{node}" {member}>{transient}'
            f'<lrm id="{node}"><lrm_resources>{lrm}</lrm_resources></lrm></node_state>')


def cib(*, nodes: list[str], resources: str = "", constraints: str = "",
        status: str | None = None, props: dict[str, str] | None = None,
        rsc_defaults: dict[str, str] | None = None, node_attrs: dict[str, dict] | None = None
        ) -> str:
    """A whole CIB (Pacemaker 2.1 option names, so crm_simulate 2.1.5 reads it too)."""
    options = {"stonith-enabled": "false", "no-quorum-policy": "ignore"}
    options.update(props or {})
    node_xml = []
    for name in nodes:
        attrs = (node_attrs or {}).get(name)
        inner = (f'<instance_attributes id="nodes-{name}">{nvpairs("nodes-" + name, attrs)}'
                 '</instance_attributes>') if attrs else ""
        node_xml.append(f'<node id="{name}" uname="{name}">{inner}</node>')
    defaults = ""
    if rsc_defaults:
        defaults = (f'<rsc_defaults><meta_attributes id="rsc-options">'
                    f'{nvpairs("rsc-options", rsc_defaults)}</meta_attributes></rsc_defaults>')
    if status is None:
        status = "".join(node_state(n) for n in nodes)
    return (f'<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" '
            f'num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="{nodes[0]}">'
            f'<configuration><crm_config><cluster_property_set id="cib-bootstrap-options">'
            f'{nvpairs("opt", options)}</cluster_property_set></crm_config>'
            f'<nodes>{"".join(node_xml)}</nodes><resources>{resources}</resources>'
            f'<constraints>{constraints}</constraints>{defaults}</configuration>'
            f'<status>{status}</status></cib>')


def stateful(rsc_id: str, *, meta: dict[str, str] | None = None) -> str:
    """An ocf:pacemaker:Stateful primitive with a monitor per role (10s, 11s promoted)."""
    parts = [f'<primitive id="{rsc_id}" class="ocf" provider="pacemaker" type="Stateful">']
    if meta:
        parts.append(f'<meta_attributes id="{rsc_id}-meta">'
                     f'{nvpairs(rsc_id + "-meta", meta)}</meta_attributes>')
    parts.append(f'<operations><op id="{rsc_id}-monitor-10s" name="monitor" interval="10s" '
                 f'timeout="{MONITOR_TIMEOUT_MS // 1000}s" role="Unpromoted"/>'
                 f'<op id="{rsc_id}-monitor-11s" name="monitor" interval="11s" '
                 f'timeout="{MONITOR_TIMEOUT_MS // 1000}s" role="Promoted"/>'
                 '</operations></primitive>')
    return "".join(parts)


def clone(clone_id: str, child: str, meta: dict[str, str] | None = None) -> str:
    inner = (f'<meta_attributes id="{clone_id}-meta">{nvpairs(clone_id + "-meta", meta)}'
             '</meta_attributes>') if meta else ""
    return f'<clone id="{clone_id}">{inner}{child}</clone>'
