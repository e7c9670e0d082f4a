"""Random CIBs with a status section, for comparing our status output with crm_mon's.

`generate(seed)` returns one CIB (text): 1-5 nodes (online, offline, standby, maintenance,
joining, not yet seen; with node health), primitives, groups, clones, unique clones,
promotable clones and a ping clone, with target roles, unmanaged and maintenance
resources, failure timeouts, descriptions, node attributes, fail counts, bans (also
promoted-only), preferences, ticket constraints and tickets, orphaned histories, and
operation histories that leave each instance stopped, started, promoted, failed (in
several ways), pending or unmanaged-failed.

The CIBs use Pacemaker 2.1's option names and a current feature set, so Pacemaker 2.1.5
and we read the same configuration. They avoid what the two versions unpack differently
on purpose (listed in known_failures.tsv for the conformance cases): fencing is disabled
(no unclean nodes, so a failed stop blocks the resource in both), failed operations
always carry an operation_key, and there are no forced-anonymous clones.
"""

from __future__ import annotations

import random

NOW = 1_767_225_600          # histories end a little before this
FEATURE_SET = "3.16.2"
UUID = "5d3b0b1e-8f4c-4a7e-9a55-0c1e2f3a4b5c"
DIGEST = "f2317cad3d54cec5d7d7aa7d0bf35cf8"


class _History:
    """Operation history entries for one node, with increasing call ids and times."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.call = 10
        self.time = NOW - 86_400

    def op(self, rsc: str, task: str, interval_ms: int = 0, *, rc: int = 0, expected: int = 0,
           status: int = 0, reason: str | None = None) -> str:
        self.call += self.rng.randint(1, 4)
        self.time += self.rng.randint(1, 3000)
        key = f"{rsc}_{task}_{interval_ms}"
        call = -1 if status == -1 else self.call
        attrs = [f'id="{key}"', f'operation_key="{key}"', f'operation="{task}"',
                 'crm-debug-origin="do_update_resource"', f'crm_feature_set="{FEATURE_SET}"',
                 f'transition-key="3:{self.call}:{expected}:{UUID}"',
                 f'transition-magic="{status}:{rc};3:{self.call}:{expected}:{UUID}"',
                 f'exit-reason="{reason}"' if reason is not None else 'exit-reason=""',
                 f'on_node="NODE"', f'call-id="{call}"', f'rc-code="{rc}"',
                 f'op-status="{status}"', f'interval="{interval_ms}"',
                 f'last-rc-change="{self.time}"', f'exec-time="{self.rng.randint(0, 90000)}"',
                 f'queue-time="{self.rng.choice([0, 0, 5, 1200])}"', f'op-digest="{DIGEST}"']
        return "<lrm_rsc_op " + " ".join(attrs) + "/>"


# instance states and the history that leads to them
STATES = ("stopped", "started", "started", "failed-monitor", "failed-start", "timeout-start",
          "pending-start", "pending-monitor", "probe-error", "not-installed", "failed-stop")
PROMOTED_STATES = ("promoted", "unpromoted", "stopped", "failed-promoted")


def _history(h: _History, rsc: str, state: str, monitor_ms: int, promotable: bool) -> list[str]:
    probe = h.op(rsc, "monitor", rc=7, expected=7)
    if state == "stopped":
        return [probe]
    if state == "not-installed":
        return [h.op(rsc, "monitor", rc=5, expected=7, reason="binary missing")]
    if state == "probe-error":
        return [h.op(rsc, "monitor", rc=1, expected=7, status=4, reason="probe broke")]
    ops = [probe]
    if state == "failed-start":
        return ops + [h.op(rsc, "start", rc=1, status=0, reason="could not start")]
    if state == "timeout-start":
        return ops + [h.op(rsc, "start", rc=1, status=2)]
    if state == "pending-start":
        return ops + [h.op(rsc, "start", status=-1, rc=193)]
    ops.append(h.op(rsc, "start"))
    if state == "failed-stop":
        return ops + [h.op(rsc, "stop", rc=1, reason="still busy")]
    if state == "pending-monitor":
        return ops + [h.op(rsc, "monitor", monitor_ms, status=-1, rc=193)]
    if state in ("promoted", "failed-promoted"):
        ops.append(h.op(rsc, "promote"))
        if state == "failed-promoted":
            return ops + [h.op(rsc, "monitor", monitor_ms, rc=9, expected=8)]
        return ops + [h.op(rsc, "monitor", monitor_ms, rc=8, expected=8)]
    if state == "failed-monitor":
        rc = h.rng.choice([1, 7, 190])
        return ops + [h.op(rsc, "monitor", monitor_ms, rc=rc, expected=0,
                           reason=h.rng.choice([None, "", "it went away"]))]
    return ops + [h.op(rsc, "monitor", monitor_ms)]


class _Cluster:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.nodes = [f"node{i}" for i in range(1, rng.randint(1, 5) + 1)]
        self.node_kind = {n: rng.choice(["online"] * 5 + ["offline", "standby", "maintenance",
                                                         "unseen", "joining"])
                          for n in self.nodes}
        self.health = rng.random() < 0.1        # node-health-strategy and #health-* values
        self.resources: list[str] = []       # XML of top-level resources
        self.primitives: list[tuple[str, str, str, bool, str | None]] = []
        # (lrm id, class/provider/type attrs, kind, promotable, clone or None)
        self.bans: list[str] = []
        self.ping: str | None = None         # a cloned ping resource setting "pingd"
        self.counter = 0

    def next_id(self, base: str) -> str:
        self.counter += 1
        return f"{base}{self.counter}"

    def _meta(self, rid: str, kind: str, top: bool) -> str:
        pairs = []
        roll = self.rng.random()
        if roll < 0.12:
            pairs.append(("target-role", "Stopped"))
        elif roll < 0.18:
            pairs.append(("target-role", "Started"))
        elif roll < 0.22 and kind == "promotable":
            pairs.append(("target-role", "Unpromoted"))
        if self.rng.random() < 0.08:
            pairs.append(("is-managed", "false"))
        if self.rng.random() < 0.04:
            pairs.append(("maintenance", "true"))
        if self.rng.random() < 0.2:
            pairs.append(("migration-threshold", str(self.rng.choice([1, 3, 10]))))
        if self.rng.random() < 0.08:
            pairs.append(("failure-timeout", self.rng.choice(["60s", "3650d"])))
        if top and kind in ("clone", "promotable"):
            if kind == "promotable":
                pairs.append(("promotable", "true"))
            if self.rng.random() < 0.3:
                pairs.append(("clone-max", str(self.rng.randint(1, len(self.nodes) + 1))))
        if not pairs:
            return ""
        body = "".join(f'<nvpair id="{rid}-meta-{n}" name="{n}" value="{v}"/>' for n, v in pairs)
        return f'<meta_attributes id="{rid}-meta">{body}</meta_attributes>'

    def primitive(self, kind: str, clone: str | None, promotable: bool = False) -> str:
        rid = self.next_id("stateful" if promotable else self.rng.choice(
            ["dummy", "ip", "web", "db", "fs"]))
        if promotable:
            agent = 'class="ocf" provider="pacemaker" type="Stateful"'
        elif kind == "unique":          # only OCF agents can be unique clones
            agent = 'class="ocf" provider="pacemaker" type="Dummy"'
        else:
            agent = self.rng.choice([
                'class="ocf" provider="pacemaker" type="Dummy"',
                'class="ocf" provider="heartbeat" type="IPaddr2"',
                'class="ocf" provider="heartbeat" type="apache"',
                'class="lsb" type="nfs-server"', 'class="systemd" type="chronyd"'])
        desc = (f' description="{self.rng.choice(["web front end", "db"])}"'
                if self.rng.random() < 0.1 else "")
        monitor = self.rng.choice([10_000, 20_000, 60_000, 90_500])
        ops = (f'<operations><op id="{rid}-monitor" name="monitor" interval="{monitor}ms"/>'
               f'</operations>')
        self.primitives.append((rid, agent, kind, promotable, clone, monitor))
        meta = self._meta(rid, kind, top=clone is None and kind == "primitive")
        return f'<primitive id="{rid}" {agent}{desc}>{meta}{ops}</primitive>'

    def build_resources(self) -> None:
        for _ in range(self.rng.randint(1, 7)):
            kind = self.rng.choice(["primitive"] * 4 + ["group", "clone", "promotable",
                                                         "unique"])
            if kind == "primitive":
                self.resources.append(self.primitive("primitive", None))
            elif kind == "group":
                gid = self.next_id("group")
                members = "".join(self.primitive("group", None)
                                  for _ in range(self.rng.randint(1, 3)))
                self.resources.append(f'<group id="{gid}">{self._meta(gid, "group", True)}'
                                      f'{members}</group>')
            else:
                cid = self.next_id("clone")
                ckind = "promotable" if kind == "promotable" else "clone"
                meta = self._meta(cid, ckind, True)
                if kind == "unique":
                    meta = meta.replace("</meta_attributes>", "") if meta else \
                        f'<meta_attributes id="{cid}-meta">'
                    meta += (f'<nvpair id="{cid}-meta-unique" name="globally-unique" '
                             f'value="true"/></meta_attributes>')
                    child = self.primitive("unique", cid)
                else:
                    child = self.primitive(ckind, cid, promotable=kind == "promotable")
                self.resources.append(f'<clone id="{cid}">{meta}{child}</clone>')
        for rid, _, _, promotable, clone, _ in self.primitives:
            target = clone or rid
            roll = self.rng.random()
            node = self.rng.choice(self.nodes)
            if roll < 0.12:
                self.bans.append(f'<rsc_location id="cli-ban-{rid}-on-{node}" rsc="{rid}" '
                                 f'role="Started" node="{node}" score="-INFINITY"/>')
            elif roll < 0.18 and promotable:
                self.bans.append(f'<rsc_location id="ban-promoted-{target}-{node}" '
                                 f'rsc="{target}" role="Promoted" node="{node}" score="-100"/>')
            elif roll < 0.26:
                self.bans.append(f'<rsc_location id="prefer-{target}-{node}" rsc="{target}" '
                                 f'node="{node}" score="{self.rng.choice([50, "INFINITY"])}"/>')
            if self.rng.random() < 0.06:
                ticket = f"ticket{self.rng.randint(1, 3)}"
                self.bans.append(f'<rsc_ticket id="{target}-needs-{ticket}" rsc="{target}" '
                                 f'ticket="{ticket}" loss-policy="stop"/>')
        if self.rng.random() < 0.1:
            self.ping = self.next_id("ping")
            hosts = " ".join(f"10.0.0.{i}" for i in range(1, self.rng.randint(1, 3) + 1))
            self.resources.append(
                f'<clone id="{self.ping}-clone"><primitive id="{self.ping}" class="ocf" '
                f'provider="pacemaker" type="ping"><instance_attributes id="{self.ping}-ia">'
                f'<nvpair id="{self.ping}-hosts" name="host_list" value="{hosts}"/>'
                f'<nvpair id="{self.ping}-mult" name="multiplier" value="100"/>'
                f'</instance_attributes></primitive></clone>')

    def node_states(self) -> str:
        out = []
        for node in self.nodes:
            kind = self.node_kind[node]
            if kind == "unseen":
                continue
            nid = node[4:]
            if kind == "offline":
                attrs = 'in_ccm="false" crmd="offline" join="down" expected="down"'
            elif kind == "joining":
                attrs = 'in_ccm="true" crmd="online" join="pending" expected="member"'
            else:
                attrs = 'in_ccm="true" crmd="online" join="member" expected="member"'
            h = _History(self.rng)
            lrm = []
            fails = []
            for rid, agent, kind_r, promotable, clone, monitor in self.primitives:
                unique = kind_r == "unique"
                names = [f"{rid}:{self.rng.randint(0, 2)}"] if unique else [rid]
                if self.rng.random() < 0.35:
                    continue
                for name in names:
                    state = self.rng.choice(PROMOTED_STATES if promotable else STATES)
                    if kind == "offline" and state.startswith("pending"):
                        state = "stopped"
                    ops = _history(h, name, state, monitor, promotable)
                    body = "".join(ops).replace('on_node="NODE"', f'on_node="{node}"')
                    lrm.append(f'<lrm_resource id="{name}" {agent}>{body}</lrm_resource>')
                    if state.startswith("failed") or state in ("timeout-start", "probe-error"):
                        recurring = "monitor" in state or "promoted" in state
                        task = "stop" if state == "failed-stop" else "start"
                        fails.append((name, monitor if recurring else 0,
                                      "monitor" if recurring else task))
            if self.rng.random() < 0.08:
                orphan = self.rng.choice(["old-web", "gone:0"])
                state = self.rng.choice(["stopped", "started", "failed-monitor"])
                body = "".join(_history(h, orphan, state, 10_000, False))
                lrm.append(f'<lrm_resource id="{orphan}" class="ocf" provider="pacemaker" '
                           f'type="Dummy">{body.replace("NODE", node)}</lrm_resource>')
            if self.ping is not None and kind != "offline":
                body = "".join(_history(h, self.ping, "started", 10_000, False))
                lrm.append(f'<lrm_resource id="{self.ping}" class="ocf" provider="pacemaker" '
                           f'type="ping">{body.replace("NODE", node)}</lrm_resource>')
            transient = []
            if self.health:
                transient.append(("#health-disk", self.rng.choice(["green", "yellow", "red",
                                                                    "-INFINITY", "10"])))
            for name, interval, task in fails:
                if self.rng.random() < 0.8:
                    count = self.rng.choice(["1", "2", "INFINITY"])
                    transient.append((f"fail-count-{name}#{task}_{interval}", count))
                    transient.append((f"last-failure-{name}#{task}_{interval}", str(h.time)))
            if kind == "standby":
                transient.append(("standby", "on"))
            if kind == "maintenance":
                transient.append(("maintenance", "true"))
            if self.rng.random() < 0.4 or self.ping is not None:
                transient.append(("pingd", str(self.rng.choice([0, 100, 200]))))
            if self.rng.random() < 0.3:
                transient.append(("#feature-set", "3.16.2"))
            if self.rng.random() < 0.3:
                transient.append(("site", self.rng.choice(["a", "b"])))
            nvpairs = "".join(f'<nvpair id="status-{nid}-{i}" name="{n}" value="{v}"/>'
                              for i, (n, v) in enumerate(transient))
            out.append(
                f'<node_state id="{nid}" uname="{node}" {attrs} '
                f'crm-debug-origin="do_state_transition">'
                f'<transient_attributes id="{nid}"><instance_attributes id="status-{nid}">'
                f'{nvpairs}</instance_attributes></transient_attributes>'
                f'<lrm id="{nid}"><lrm_resources>{"".join(lrm)}</lrm_resources></lrm>'
                f'</node_state>')
        return "".join(out)


def generate(seed: int) -> str:
    rng = random.Random(seed)
    cluster = _Cluster(rng)
    cluster.build_resources()
    options = [("stonith-enabled", "false"), ("cluster-infrastructure", "corosync"),
               ("dc-version", "2.1.5-a3f44794f94"),
               ("no-quorum-policy", rng.choice(["stop", "ignore", "freeze", "demote"]))]
    if rng.random() < 0.06:
        options.append(("maintenance-mode", "true"))
    elif rng.random() < 0.05:
        options.append(("stop-all-resources", "true"))
    if rng.random() < 0.2:
        options.append(("symmetric-cluster", "false"))
    if cluster.health:
        options.append(("node-health-strategy", rng.choice(["migrate-on-red", "only-green",
                                                            "progressive", "none"])))
    props = "".join(f'<nvpair id="opt-{n}" name="{n}" value="{v}"/>' for n, v in options)
    nodes = "".join(f'<node id="{n[4:]}" uname="{n}"/>' for n in cluster.nodes)
    online = [n for n in cluster.nodes if cluster.node_kind[n] not in ("offline", "unseen")]
    dc = rng.choice(online) if online and rng.random() < 0.9 else None
    cib_attrs = [f'crm_feature_set="{FEATURE_SET}"', 'validate-with="pacemaker-3.7"',
                 f'epoch="{rng.randint(1, 900)}"', 'num_updates="0"', 'admin_epoch="0"',
                 f'have-quorum="{rng.choice(["1", "1", "0"])}"']
    if dc is not None:
        cib_attrs.append(f'dc-uuid="{dc[4:]}"')
    if rng.random() < 0.8:
        cib_attrs.append('cib-last-written="Thu Jan  1 00:00:00 2026"')
    for name, values in (("update-user", ["root", "hacluster"]),
                         ("update-client", ["cibadmin", "crm_resource", "crmd"]),
                         ("update-origin", cluster.nodes)):
        if rng.random() < 0.6:
            cib_attrs.append(f'{name}="{rng.choice(values)}"')
    tickets = ""
    if rng.random() < 0.15:
        states = []
        for ticket in rng.sample(["ticket1", "ticket2", "site-a", "geo_db"], rng.randint(1, 4)):
            standby = ' standby="true"' if rng.random() < 0.3 else ""
            owner = ' owner="site-a"' if rng.random() < 0.3 else ""
            states.append(f'<ticket_state id="{ticket}" granted="{rng.choice(["true", "false"])}"'
                          f'{standby}{owner} last-granted="{NOW - 500}"/>')
        tickets = f'<tickets>{"".join(states)}</tickets>'
    return (f'<cib {" ".join(cib_attrs)}><configuration><crm_config>'
            f'<cluster_property_set id="cib-bootstrap-options">{props}</cluster_property_set>'
            f'</crm_config><nodes>{nodes}</nodes><resources>{"".join(cluster.resources)}'
            f'</resources><constraints>{"".join(cluster.bans)}</constraints></configuration>'
            f'<status>{cluster.node_states()}{tickets}</status></cib>')
