"""Small configurations covering `show` forms the conformance cases do not.

Each case is the inside of a <configuration> element. `record_differential.py` runs the real
crm on each and stores what it printed in `differential_expected.json`; the tests compare the
renderer with that table (and, where crm is installed, re-check the table against crm).
"""

from __future__ import annotations


def conf(*, crm_config: str = "", nodes: str = '<node id="n1" uname="n1"/>',
         resources: str = "", constraints: str = "", extra: str = "",
         rsc_defaults: str = "", op_defaults: str = "") -> str:
    parts = ["<crm_config>%s</crm_config>" % crm_config]
    if rsc_defaults:
        parts.append("<rsc_defaults>%s</rsc_defaults>" % rsc_defaults)
    if op_defaults:
        parts.append("<op_defaults>%s</op_defaults>" % op_defaults)
    parts.append("<nodes>%s</nodes>" % nodes)
    parts.append("<resources>%s</resources>" % resources)
    parts.append("<constraints>%s</constraints>" % constraints)
    parts.append(extra)
    return "".join(parts)


def dummy(rid: str, inner: str = "", provider: str = "heartbeat", typ: str = "Dummy") -> str:
    return '<primitive id="%s" class="ocf" provider="%s" type="%s">%s</primitive>' % (
        rid, provider, typ, inner)


def params(owner: str, *pairs: tuple[str, str], tag: str = "instance_attributes",
           set_id: str | None = None) -> str:
    sid = set_id or "%s-%s" % (owner, tag)
    body = "".join('<nvpair id="%s-%d" name="%s" value="%s"/>' % (sid, i, n, v)
                   for i, (n, v) in enumerate(pairs))
    return '<%s id="%s">%s</%s>' % (tag, sid, body, tag)


DUMMIES = "".join(dummy("d%d" % i) for i in range(1, 7))


def rule(rid: str, body: str, score: str = 'score="INFINITY"', extra: str = "") -> str:
    return '<rule id="%s" %s %s>%s</rule>' % (rid, score, extra, body)


def expr(eid: str, attribute: str, operation: str, value: str | None = None,
         extra: str = "") -> str:
    value_attr = ' value="%s"' % value if value is not None else ""
    return '<expression id="%s" attribute="%s" operation="%s"%s %s/>' % (
        eid, attribute, operation, value_attr, extra)


def location_rule(lid: str, *rules: str) -> str:
    return '<rsc_location id="%s" rsc="d1">%s</rsc_location>' % (lid, "".join(rules))


QUOTING = {
    "quote-values": conf(resources=dummy("p", params(
        "p", ("space", "a b"), ("dq", "say &quot;hi&quot;"), ("sq", "it's"), ("eq", "a=b"),
        ("hash", "#x"), ("empty", ""), ("colon", "a:b"), ("comma", "a,b"),
        ("slash", "/usr/bin"), ("dots", "1.2.3"), ("dash", "-x"), ("dollar", "$HOME"),
        ("braces", "{x}"), ("backslash", "a\\b"), ("plus", "a+b"), ("at", "a@b"),
        ("underscore", "a_b"), ("pct", "50%")))),
    "quote-meta-and-utilization": conf(resources=dummy(
        "p", params("p", ("target-role", "Stopped"), ("description", "two words"),
                    tag="meta_attributes")
        + params("p", ("cpu", "2"), ("mem", "1 G"), tag="utilization"))),
    "value-less-nvpair": conf(resources=dummy(
        "p", '<instance_attributes id="p-ia"><nvpair id="p-ia-x" name="flag"/>'
        '<nvpair id="p-ia-y" name="y" value="1"/></instance_attributes>')),
    "password-obscured": conf(resources=dummy(
        "p", params("p", ("password", "secret"), ("passwd", "x y"), ("user", "bob")))),
    "non-ascii-value": conf(resources=dummy("p", params("p", ("greeting", "h\u00e9llo")))),
    "empty-sets": conf(resources=dummy(
        "p", '<instance_attributes id="p-ia"/><meta_attributes id="p-ma"/>')),
    "scored-sets": conf(resources=dummy(
        "p", '<instance_attributes id="p-ia" score="+INFINITY"><nvpair id="p-ia-a" name="a" value="1"/>'
        '</instance_attributes><meta_attributes id="p-ma" score="INFINITY">'
        '<nvpair id="p-ma-t" name="target-role" value="Stopped"/></meta_attributes>'
        '<instance_attributes id="p-ib" score="100"><nvpair id="p-ib-a" name="a" value="2"/>'
        '</instance_attributes>')),
    "two-param-sets": conf(resources=dummy(
        "p", params("p", ("a", "1"), set_id="p-one") + params("p", ("b", "2"), set_id="p-two"))),
    "nvpair-reference": conf(resources=dummy("p0", params("p0", ("state", "1")))
                             + dummy("p1", '<instance_attributes id="p1-ia">'
                                     '<nvpair id-ref="p0-instance_attributes-0"/>'
                                     '</instance_attributes>')),
    "nvpair-reference-named": conf(
        resources=dummy("p0", params("p0", ("state", "1")))
        + dummy("p1", '<instance_attributes id="p1-ia"><nvpair '
                'id-ref="p0-instance_attributes-0" name="state"/></instance_attributes>')),
    "set-reference": conf(resources=dummy("p0", params("p0", ("state", "1")))
                          + dummy("p1", '<instance_attributes id-ref="p0-instance_attributes"/>')),
    "set-score": conf(resources=dummy(
        "p", '<instance_attributes id="p-ia" score="10"><nvpair id="p-ia-a" name="a" value="1"/>'
        '</instance_attributes>')),
    "odd-ids": conf(resources=dummy("p.1") + dummy("p-2_x"),
                    crm_config='<cluster_property_set id="my.options"><nvpair id="o1" '
                    'name="maintenance-mode" value="false"/></cluster_property_set>'),
}

RULES = {
    "rule-binary-ops": conf(resources=DUMMIES, constraints=location_rule(
        "l", rule("r1", expr("e1", "a", "lt", "1") + expr("e2", "b", "gt", "2")
                  + expr("e3", "c", "lte", "3") + expr("e4", "d", "gte", "4")
                  + expr("e5", "e", "eq", "x") + expr("e6", "f", "ne", "y"), 'score="50"'))),
    "rule-types": conf(resources=DUMMIES, constraints=location_rule(
        "l", rule("r1", expr("e1", "a", "lt", "1", 'type="number"')
                  + expr("e2", "b", "gt", "2.0", 'type="version"')
                  + expr("e3", "c", "eq", "x", 'type="string"')
                  + expr("e4", "d", "lte", "4", 'type="integer"'), 'score="-INFINITY"'))),
    "rule-unary-or": conf(resources=DUMMIES, constraints=location_rule(
        "l", rule("r1", expr("e1", "a", "defined") + expr("e2", "b", "not_defined"),
                  'score="+INFINITY"', 'boolean-op="or"'))),
    "rule-and-explicit": conf(resources=DUMMIES, constraints=location_rule(
        "l", rule("r1", expr("e1", "a", "defined") + expr("e2", "b", "defined"),
                  'score="-100"', 'boolean-op="and"'))),
    "rule-score-attribute": conf(resources=DUMMIES, constraints=location_rule(
        "l", rule("r1", expr("e1", "pingd", "defined"), 'score-attribute="pingd"'))),
    "rule-role": conf(resources=DUMMIES, constraints=location_rule(
        "l", rule("r1", expr("e1", "#uname", "eq", "n1"), 'score="10"', 'role="Promoted"'))),
    "rule-value-source": conf(resources=DUMMIES, constraints=location_rule(
        "l", rule("r1", expr("e1", "a", "eq", "b", 'value-source="param"')
                  + expr("e2", "c", "eq", "d", 'value-source="meta"')))),
    "rule-value-literal": conf(resources=DUMMIES, constraints=location_rule(
        "l", rule("r1", expr("e1", "a", "eq", "b", 'value-source="literal"')))),
    "rule-value-with-space": conf(resources=DUMMIES, constraints=location_rule(
        "l", rule("r1", expr("e1", "a", "eq", "b c")))),
    "date-lt-gt": conf(resources=DUMMIES, constraints=location_rule(
        "l", rule("r1", '<date_expression id="de1" operation="lt" end="2020-01-01"/>'
                  '<date_expression id="de2" operation="gt" start="2019-01-01 10:00"/>'))),
    "date-in-range": conf(resources=DUMMIES, constraints=location_rule(
        "l", rule("r1", '<date_expression id="de1" operation="in_range" start="2020-01-01" '
                  'end="2021-01-01"/>', 'score="5"'),
        rule("r2", '<date_expression id="de2" operation="in_range" start="2020-01-01">'
             '<duration id="du2" months="2" days="3"/></date_expression>', 'score="6"'),
        rule("r3", '<date_expression id="de3" operation="in_range" end="2020-01-01">'
             '<duration id="du3" years="1"/></date_expression>', 'score="7"'))),
    "date-in-range-days": conf(resources=DUMMIES, constraints=location_rule(
        "l", rule("r1", '<date_expression id="de1" operation="in_range" start="2020-01-01">'
                  '<duration id="du1" weeks="2"/></date_expression>'))),
    "date-spec": conf(resources=DUMMIES, constraints=location_rule(
        "l", rule("r1", '<date_expression id="de1" operation="date_spec">'
                  '<date_spec id="ds1" hours="9-16" weekdays="1-5" monthdays="1-15" months="1" '
                  'years="2020" weekyears="2020" weeks="1-20" yeardays="1-100" moon="3"/>'
                  '</date_expression>'))),
    "date-spec-crmsh-fields": conf(resources=DUMMIES, constraints=location_rule(
        "l", rule("r1", '<date_expression id="de1" operation="date_spec">'
                  '<date_spec id="ds1" hours="9-16" weekdays="1-5" monthdays="1-15" months="1" '
                  'years="2020" weekyears="2020" weeks="1-20" moon="3"/></date_expression>'),
        rule("r2", '<date_expression id="de2" operation="in_range" start="2020-01-01">'
             '<duration id="du2" months="2" hours="3"/></date_expression>'
             '<date_expression id="de3" operation="in_range" end="2020-01-01">'
             '<duration id="du3" years="1"/></date_expression>', 'score="7"'))),
    "date-spec-minutes": conf(resources=DUMMIES, constraints=location_rule(
        "l", rule("r1", '<date_expression id="de1" operation="date_spec">'
                  '<date_spec id="ds1" minutes="0-30"/></date_expression>'))),
    "rule-nested": conf(resources=DUMMIES, constraints=location_rule(
        "l", rule("r1", expr("e1", "a", "defined")
                  + rule("r1-1", expr("e2", "b", "defined"))))),
    "rule-referenced": conf(resources=DUMMIES, constraints=location_rule(
        "l1", rule("shared", expr("e1", "a", "defined"), 'score="10"'))
        + '<rsc_location id="l2" rsc="d2"><rule id-ref="shared"/></rsc_location>'),
    "rule-in-params": conf(resources=dummy(
        "p", '<instance_attributes id="p-ia1" score="2">'
        + rule("p-r1", expr("p-e1", "#uname", "eq", "n1"), 'score="INFINITY"')
        + '<nvpair id="p-ia1-a" name="a" value="1"/></instance_attributes>'
        + '<instance_attributes id="p-ia2" score="1"><nvpair id="p-ia2-a" name="a" value="2"/>'
        '</instance_attributes>')),
    "rule-in-meta-date": conf(resources=dummy(
        "p", '<meta_attributes id="p-ma">'
        + rule("p-r1", '<date_expression id="p-de" operation="gt" start="2020-01-01"/>')
        + '<nvpair id="p-ma-t" name="target-role" value="Stopped"/></meta_attributes>')),
}


def colocation_sets(cid: str, *sets: str, score: str = "INFINITY", extra: str = "") -> str:
    return '<rsc_colocation id="%s" score="%s" %s>%s</rsc_colocation>' % (
        cid, score, extra, "".join(sets))


def order_sets(oid: str, *sets: str, extra: str = "") -> str:
    return '<rsc_order id="%s" %s>%s</rsc_order>' % (oid, extra, "".join(sets))


def rset(sid: str, *refs: str, extra: str = "") -> str:
    return '<resource_set id="%s" %s>%s</resource_set>' % (
        sid, extra, "".join('<resource_ref id="%s"/>' % r for r in refs))


SETS = {
    "colocation-sets-roles": conf(resources=DUMMIES, constraints=colocation_sets(
        "c", rset("s1", "d1", "d2", extra='role="Promoted"'), rset("s2", "d3", "d4"),
        rset("s3", "d5", extra='sequential="false" role="Started"'))),
    "colocation-require-all": conf(resources=DUMMIES, constraints=colocation_sets(
        "c1", rset("s1", "d1", "d2", extra='require-all="false"'), rset("s2", "d3"))
        + colocation_sets("c2", rset("t1", "d1", "d2",
                                     extra='require-all="false" sequential="false"'),
                          rset("t2", "d3", "d4"))),
    "order-sets-actions": conf(resources=DUMMIES, constraints=order_sets(
        "o", rset("s1", "d1", "d2", extra='action="start"'),
        rset("s2", "d3", "d4", extra='action="promote" sequential="false"'),
        rset("s3", "d5", extra='require-all="false" sequential="false"'),
        extra='kind="Optional" symmetrical="false"')),
    "order-sets-explicit-true": conf(resources=DUMMIES, constraints=order_sets(
        "o", rset("s1", "d1", "d2", "d3", extra='sequential="true" require-all="true"'))),
    "sets-adjacent-plain": conf(resources=DUMMIES, constraints=colocation_sets(
        "c", rset("s1", "d1", "d2"), rset("s2", "d3", "d4"))),
    "sets-degenerate": conf(resources=DUMMIES, constraints=colocation_sets(
        "c1", rset("s1", "d1", "d2")) + order_sets("o1", rset("t1", "d1", "d2"))
        + colocation_sets("c2", rset("u1", "d1"))),
    "sets-degenerate-last-bracketed": conf(resources=DUMMIES, constraints=colocation_sets(
        "c1", rset("s1", "d1"), rset("s2", "d2", extra='sequential="false"'))),
    "sets-yes-values": conf(resources=DUMMIES, constraints=colocation_sets(
        "c1", rset("s1", "d1", "d2", "d3", extra='sequential="0"'))),
    "ticket-sets": conf(resources=DUMMIES, constraints=(
        '<rsc_ticket id="t1" ticket="tk1" loss-policy="stop">%s</rsc_ticket>'
        % rset("s1", "d1")
        + '<rsc_ticket id="t2" ticket="tk2">%s%s</rsc_ticket>'
        % (rset("s2", "d1", "d2", extra='role="Promoted"'), rset("s3", "d3"))
        + '<rsc_ticket id="t3" ticket="tk3" rsc="d4" rsc-role="Started" loss-policy="demote"/>'
        + '<rsc_ticket id="t4" ticket="tk4" rsc="d5" loss-policy="freeze"/>')),
    "location-set": conf(resources=DUMMIES, constraints=(
        '<rsc_location id="l1" score="100" node="n1">%s%s</rsc_location>'
        % (rset("s1", "d1", "d2", extra='role="Started"'),
           rset("s2", "d3", extra='sequential="false"'))
        + '<rsc_location id="l2">%s%s</rsc_location>' % (
            rset("s3", "d4", "d5"), rule("r1", expr("e1", "a", "defined"))))),
    "colocation-simple-forms": conf(resources=DUMMIES, constraints=(
        '<rsc_colocation id="c1" score="-INFINITY" rsc="d1" with-rsc="d2"/>'
        '<rsc_colocation id="c2" score="100" rsc="d1" rsc-role="Promoted" with-rsc="d2" '
        'with-rsc-role="Unpromoted" node-attribute="rack"/>'
        '<rsc_colocation id="c3" score="0" rsc="d3" with-rsc="d4" node-attribute="Rack"/>'
        '<rsc_colocation id="c4" score="+INFINITY" rsc="d5" with-rsc="d6"/>')),
    "order-simple-forms": conf(resources=DUMMIES, constraints=(
        '<rsc_order id="o1" first="d1" then="d2"/>'
        '<rsc_order id="o2" kind="Mandatory" first="d1" first-action="promote" then="d2" '
        'then-action="start" symmetrical="true"/>'
        '<rsc_order id="o3" kind="Serialize" first="d3" then="d4" symmetrical="false"/>'
        '<rsc_order id="o4" first="d5" then="d6" symmetrical="1"/>')),
    "location-forms": conf(resources=DUMMIES, constraints=(
        '<rsc_location id="l1" rsc="d1" score="-INFINITY" node="n1"/>'
        '<rsc_location id="l2" rsc="d2" role="Promoted" score="10" node="n1"/>'
        '<rsc_location id="l3" rsc-pattern="d[0-9]" score="5" node="n1" '
        'resource-discovery="never"/>'
        '<rsc_location id="l4" rsc="d3" resource-discovery="exclusive">'
        + rule("l4-r", expr("l4-e", "#uname", "eq", "n1"), 'score="INFINITY"')
        + '</rsc_location><rsc_location id="l5" rsc="d4" score="+INFINITY" node="n1"/>')),
    "constraint-order-by-id": conf(resources=DUMMIES, constraints=(
        '<rsc_ticket id="a-ticket" ticket="tk" rsc="d1"/>'
        '<rsc_order id="z-order" first="d1" then="d2"/>'
        '<rsc_location id="m-loc" rsc="d1" score="1" node="n1"/>'
        '<rsc_colocation id="b-col" score="1" rsc="d1" with-rsc="d2"/>'),
        extra='<fencing-topology><fencing-level id="fl1" target="n1" index="1" devices="d1"/>'
        '</fencing-topology>'),
}

RESOURCES = {
    "op-attributes": conf(resources=dummy("p", '<operations>'
        '<op id="p-start" name="start" interval="0s" timeout="20s" on-fail="restart"/>'
        '<op id="p-mon" name="monitor" interval="10s" role="Promoted" timeout="30s" '
        'on-fail="block" enabled="false" record-pending="true" start-delay="5s"/>'
        '<op id="p-mon2" name="monitor" interval="20s" interval-origin="2020-01-01"/>'
        '<op id="p-stop" name="stop" interval="0" timeout="60s" on-fail="fence"/>'
        '</operations>')),
    "op-params-meta": conf(resources=dummy("p", '<operations>'
        '<op id="p-mon" name="monitor" interval="10s">'
        + params("p-mon", ("OCF_CHECK_LEVEL", "20"))
        + params("p-mon", ("timeout", "5s"), tag="meta_attributes")
        + '</op></operations>')),
    "op-description": conf(resources=dummy("p", '<operations>'
        '<op id="p-mon" name="monitor" interval="10s" description="check it"/></operations>')),
    "operations-id": conf(resources=dummy("p", '<operations id="p-ops">'
        '<op id="p-mon" name="monitor" interval="10s"/></operations>')
        + dummy("q", '<operations id-ref="p-ops"/>')),
    "agent-classes": conf(resources=(
        '<primitive id="a1" class="lsb" type="cron"/>'
        '<primitive id="a2" class="systemd" type="sshd"/>'
        '<primitive id="a3" class="service" type="ntp"/>'
        '<primitive id="a4" class="stonith" type="fence_ipmilan"/>'
        + dummy("a5", provider="pacemaker") + dummy("a6", typ="IPaddr2")
        + '<primitive id="a7" class="ocf" provider="linbit" type="drbd"/>')),
    "primitive-description": conf(resources=(
        '<primitive id="p" class="ocf" provider="heartbeat" type="Dummy" '
        'description="my dummy resource"/>')),
    "template-and-user": conf(resources=(
        '<template id="tpl" class="ocf" provider="heartbeat" type="Dummy">'
        + params("tpl", ("fake", "1")) + '<operations><op id="tpl-mon" name="monitor" '
        'interval="10s"/></operations></template>'
        '<primitive id="p" template="tpl">' + params("p", ("fake", "2")) + '</primitive>')),
    "group-meta-params": conf(resources=(
        '<group id="g" description="a group">'
        + params("g", ("target-role", "Started"), tag="meta_attributes")
        + params("g", ("x", "1")) + dummy("d1") + dummy("d2") + '</group>')),
    "clone-forms": conf(resources=(
        '<clone id="c1">' + params("c1", ("clone-max", "2"), ("interleave", "true"),
                                   tag="meta_attributes") + dummy("d1") + '</clone>'
        '<clone id="c2"><group id="g2">' + dummy("d2") + dummy("d3") + '</group></clone>'
        '<clone id="c3">' + params("c3", ("promotable", "true"), tag="meta_attributes")
        + dummy("s1", provider="pacemaker", typ="Stateful") + '</clone>'
        '<master id="m1">' + params("m1", ("notify", "true"), tag="meta_attributes")
        + dummy("s2", provider="pacemaker", typ="Stateful") + '</master>')),
    "clone-child-first": conf(resources=(
        '<clone id="c1">' + dummy("d1")
        + params("c1", ("clone-max", "2"), tag="meta_attributes") + '</clone>')),
    "nodes-forms": conf(nodes=(
        '<node id="1" uname="alpha"/>'
        '<node id="2" uname="beta" type="member"/>'
        '<node id="beta2" uname="beta2" type="ping"/>'
        '<node id="gamma" uname="gamma" type="remote" description="remote node">'
        + params("gamma", ("rack", "r1")) + params("gamma", ("cpu", "8"), tag="utilization")
        + '</node><node id="n.1" uname="delta"/><node id="x y" uname="eps"/>')),
    "bundle-forms": conf(resources=(
        '<bundle id="b1" description="web"><docker image="nginx" replicas="2" '
        'run-command="/usr/sbin/nginx -g daemon" options="--log-driver=journald"/>'
        '<network ip-range-start="10.0.0.1" host-netmask="24" control-port="3121">'
        '<port-mapping id="b1-p1" port="80"/><port-mapping id="b1-p2" port="443" '
        'internal-port="8443"/></network>'
        '<storage><storage-mapping id="b1-s1" source-dir="/srv" target-dir="/srv" '
        'options="rw"/><storage-mapping id="b1-s2" source-dir-root="/var/log" '
        'target-dir="/var/log"/></storage>'
        + params("b1", ("target-role", "Started"), tag="meta_attributes")
        + dummy("b1-rsc") + '</bundle>')),
    "bundle-rkt": conf(resources='<bundle id="b2"><rkt image="x"/></bundle>'),
    "bundle-podman": conf(resources='<bundle id="b3"><podman image="x"/></bundle>'),
}

ADMIN = {
    "property-sets": conf(crm_config=(
        '<cluster_property_set id="cib-bootstrap-options">'
        '<nvpair id="o1" name="stonith-enabled" value="false"/>'
        '<nvpair id="o2" name="cluster-name" value="my cluster"/></cluster_property_set>'
        '<cluster_property_set id="zz-set" score="10">'
        '<nvpair id="o3" name="maintenance-mode" value="true"/></cluster_property_set>'
        '<cluster_property_set id="aa-set">'
        + rule("aa-r", expr("aa-e", "#uname", "eq", "n1"), 'score="INFINITY"')
        + '<nvpair id="o4" name="no-quorum-policy" value="stop"/></cluster_property_set>'
        '<cluster_property_set id="empty-set"/>')),
    "defaults-sets": conf(
        rsc_defaults=(params("rd", ("resource-stickiness", "100"), tag="meta_attributes",
                             set_id="rsc-options")
                      + '<meta_attributes id="rd2">'
                      + rule("rd2-r", '<date_expression id="rd2-d" operation="gt" '
                             'start="2020-01-01"/>', 'score="INFINITY"')
                      + '<nvpair id="rd2-a" name="migration-threshold" value="3"/>'
                      '</meta_attributes>'),
        op_defaults=params("od", ("timeout", "30s"), ("record-pending", "true"),
                           tag="meta_attributes", set_id="op-options")),
    "fencing-levels": conf(
        nodes='<node id="n1" uname="n1"/><node id="n2" uname="n2"/>',
        resources='<primitive id="f1" class="stonith" type="fence_ipmilan"/>'
                  '<primitive id="f2" class="stonith" type="fence_ipmilan"/>'
                  '<primitive id="f3" class="stonith" type="fence_ipmilan"/>',
        extra='<fencing-topology>'
              '<fencing-level id="fl1" target="n1" index="2" devices="f2"/>'
              '<fencing-level id="fl2" target="n1" index="1" devices="f1,f3"/>'
              '<fencing-level id="fl3" target="n2" index="1" devices="f2"/>'
              '<fencing-level id="fl4" target-attribute="rack" target-value="r1" index="1" '
              'devices="f1"/>'
              '<fencing-level id="fl5" target-pattern="node[0-9]+" index="1" devices="f3"/>'
              '</fencing-topology>'),
    "fencing-compact": conf(
        nodes='<node id="n1" uname="n1"/><node id="n2" uname="n2"/>',
        resources='<primitive id="f1" class="stonith" type="fence_ipmilan"/>'
                  '<primitive id="f2" class="stonith" type="fence_ipmilan"/>',
        extra='<fencing-topology>'
              '<fencing-level id="fl1" target="n1" index="1" devices="f1"/>'
              '<fencing-level id="fl2" target="n1" index="2" devices="f2"/>'
              '<fencing-level id="fl3" target="n2" index="1" devices="f1"/>'
              '<fencing-level id="fl4" target="n2" index="2" devices="f2"/>'
              '</fencing-topology>'),
    "fencing-one-node": conf(
        resources='<primitive id="f1" class="stonith" type="fence_ipmilan"/>',
        extra='<fencing-topology><fencing-level id="fl1" target-attribute="rack" '
              'target-value="r1" index="1" devices="f1"/></fencing-topology>'),
    "tags": conf(resources=DUMMIES, extra=(
        '<tags><tag id="t2"><obj_ref id="d2"/><obj_ref id="d1"/></tag>'
        '<tag id="t1"><obj_ref id="d3"/></tag></tags>')),
    "alerts": conf(extra=(
        '<alerts><alert id="a1" path="/usr/bin/alert.sh" description="main alert">'
        + params("a1", ("timeout", "30s"), tag="meta_attributes")
        + '<select><select_nodes/><select_resources/><select_fencing/>'
        '<select_attributes><attribute id="a1-at1" name="standby"/>'
        '<attribute id="a1-at2" name="shutdown"/></select_attributes></select>'
        '<recipient id="a1-recipient-1" value="/var/log/a.log">'
        + params("a1-r1", ("x", "1")) + '</recipient>'
        '<recipient id="a1-recipient-2" value="admin@example.com"/></alert>'
        '<alert id="a2" path="/bin/true"><recipient id="a2-recipient-1" value="r1"/>'
        + params("a2", ("y", "2")) + '</alert>'
        '<alert id="a3" path="/bin/true"><recipient id="a3-rcp" value="r1"/></alert>'
        '<alert id="a4" path="/bin/true"><select><select_attributes/></select></alert>'
        '</alerts>')),
    "acls": conf(resources=DUMMIES, extra=(
        '<acls><acl_target id="alice"><role id="r1"/><role id="r2"/></acl_target>'
        '<acl_group id="admins"><role id="r1"/></acl_group>'
        '<acl_role id="r1" description="first role">'
        '<acl_permission id="r1-1" kind="read" xpath="/cib"/>'
        '<acl_permission id="r1-2" kind="write" reference="d1" description="may write"/>'
        '<acl_permission id="r1-3" kind="deny" object-type="nvpair" attribute="value"/>'
        '<acl_permission id="r1-4" kind="read" xpath="//rsc_location[@id=\'cli-prefer-d1\' '
        'and @rsc=\'d1\']"/>'
        '<acl_permission id="r1-5" kind="read" xpath="//primitive[@id=\'d1\']/'
        'instance_attributes/nvpair[@name=\'ip\']"/>'
        '<acl_permission id="r1-6" kind="read" xpath="//primitive[@id=\'d1\']/'
        'instance_attributes"/>'
        '<acl_permission id="r1-7" kind="write" xpath="//resources/primitive"/>'
        '</acl_role><acl_role id="r2"><acl_permission id="r2-1" kind="read" '
        'object-type="status"/></acl_role></acls>')),
}

COMMENTS = {
    "comments-on-objects": conf(resources=(
        '<primitive id="p" class="ocf" provider="heartbeat" type="Dummy">'
        '<!--first comment--><instance_attributes id="p-ia"><nvpair id="p-a" name="a" '
        'value="1"/></instance_attributes><!--# second comment--></primitive>'
        + dummy("q")),
        constraints='<rsc_order id="o" first="p" then="q"><!-- order note --></rsc_order>'),
    "comments-after-first-element": conf(resources=(
        '<primitive id="p" class="ocf" provider="heartbeat" type="Dummy">'
        + params("p", ("a", "1")) + '<!--stays behind-->'
        + params("p", ("b", "2"), tag="meta_attributes") + '</primitive>'
        '<clone id="c"><!--lifted-->' + dummy("d1") + '<!--last one-->'
        + params("c", ("x", "1"), tag="meta_attributes") + '</clone>'
        '<group id="g">' + dummy("d2", '<!--x-->' + params("d2", ("é", "1")))
        + '<!--after the member--></group>')),
    "acl-location-shortcut-mismatch": conf(resources=DUMMIES, extra=(
        '<acls><acl_role id="r1"><acl_permission id="r1-1" kind="read" xpath="'
        '//rsc_location[@id=\'cli-prefer-d1\' and @rsc=\'d2\']"/></acl_role></acls>')),
    "comment-nested": conf(resources=(
        '<primitive id="p" class="ocf" provider="heartbeat" type="Dummy">'
        '<instance_attributes id="p-ia"><!--inside--><nvpair id="p-a" name="a" value="1"/>'
        '</instance_attributes></primitive>')),
}

EDGES = {
    "rule-without-score": conf(resources=DUMMIES, constraints=location_rule(
        "l", rule("r1", expr("e1", "a", "defined"), score=""))),
    "rule-score-keyword-like": conf(resources=DUMMIES, constraints=location_rule(
        "l", rule("r1", expr("e1", "a", "defined"), 'score-attribute="100"'))),
    "rule-attribute-odd": conf(resources=DUMMIES, constraints=location_rule(
        "l", rule("r1", expr("e1", "and", "defined")),
        rule("r2", expr("e2", "my attr", "defined")))),
    "rule-binary-without-value": conf(resources=DUMMIES, constraints=location_rule(
        "l", rule("r1", expr("e1", "a", "eq")))),
    "rule-unary-with-value": conf(resources=DUMMIES, constraints=location_rule(
        "l", rule("r1", expr("e1", "a", "defined", "x")))),
    "date-in-range-start-only": conf(resources=DUMMIES, constraints=location_rule(
        "l", rule("r1", '<date_expression id="de1" operation="in_range" start="2020-01-01"/>'))),
    "date-in-range-both-and-duration": conf(resources=DUMMIES, constraints=location_rule(
        "l", rule("r1", '<date_expression id="de1" operation="in_range" start="2020-01-01" '
                  'end="2021-01-01"><duration id="du" years="1"/></date_expression>'))),
    "location-pattern-role": conf(resources=DUMMIES, constraints=(
        '<rsc_location id="l" rsc-pattern="^d" role="Started" score="-INFINITY" node="n1"/>')),
    "colocation-influence": conf(resources=DUMMIES, constraints=(
        '<rsc_colocation id="c" score="INFINITY" rsc="d1" with-rsc="d2" influence="false"/>')),
    "op-role-master": conf(resources=dummy("p", '<operations><op id="p-m" name="monitor" '
        'interval="10s" role="Master"/><op id="p-n" name="notify" interval="0"/></operations>')),
    "clone-description": conf(resources=(
        '<clone id="c" description="cloned">' + dummy("d1") + '</clone>')),
    "alert-recipient-description": conf(extra=(
        '<alerts><alert id="a" path="/bin/true"><recipient id="a-recipient-1" value="x" '
        'description="who"/></alert></alerts>')),
    "fencing-gap-and-duplicates": conf(
        nodes='<node id="n1" uname="n1"/><node id="n2" uname="n2"/><node id="n3" uname="n3"/>',
        resources='<primitive id="f1" class="stonith" type="fence_ipmilan"/>',
        extra='<fencing-topology>'
              '<fencing-level id="fl1" target="n1" index="1" devices="f1"/>'
              '<fencing-level id="fl2" target="n1" index="3" devices="f1"/>'
              '</fencing-topology>'),
    "fencing-compact-other-targets": conf(
        nodes='<node id="n1" uname="n1"/><node id="n2" uname="n2"/>',
        resources='<primitive id="f1" class="stonith" type="fence_ipmilan"/>',
        extra='<fencing-topology>'
              '<fencing-level id="fl1" target="n1" index="1" devices="f1"/>'
              '<fencing-level id="fl2" target="n9" index="1" devices="f1"/>'
              '</fencing-topology>'),
    "fencing-compact-attr": conf(
        resources='<primitive id="f1" class="stonith" type="fence_ipmilan"/>',
        extra='<fencing-topology><fencing-level id="fl1" target-attribute="rack" '
              'target-value="r.1" index="1" devices="f1"/></fencing-topology>'),
    "rule-or-single-expression": conf(resources=DUMMIES, constraints=location_rule(
        "l", rule("r1", expr("e1", "a", "defined"), extra='boolean-op="or"'))),
    "rule-value-source-braces": conf(resources=DUMMIES, constraints=location_rule(
        "l", rule("r1", expr("e1", "a", "eq", "x{y}", 'value-source="param"')))
        + '<rsc_location id="l2" rsc="d2">'
        + rule("r2", expr("e2", "a", "eq", "x{y}")) + "</rsc_location>"),
    "obscured-non-ascii": conf(resources=dummy("p", params("p", ("password", "s\u00e9cret")))),
    "empty-op-params": conf(resources=dummy("p", '<operations><op id="p-m" name="monitor" '
        'interval="10s"><instance_attributes id="p-m-ia"/></op></operations>')),
    "node-score": conf(nodes='<node id="n1" uname="n1" score="10"/>'),
    "primitive-unknown-heartbeat-agent": conf(resources=dummy("p", typ="Stateful")),
    "set-with-ordering": conf(resources=DUMMIES, constraints=order_sets(
        "o", rset("s1", "d1", "d2", "d3", extra='ordering="listed"'))),
    "meta-role-values": conf(resources=dummy("p", params(
        "p", ("target-role", "Master"), ("role", "Slave"), tag="meta_attributes"))),
    "ticket-role-set": conf(resources=DUMMIES, constraints=(
        '<rsc_ticket id="t" ticket="tk">%s</rsc_ticket>'
        % rset("s1", "d1", extra='role="Promoted"'))),
}

CASES: dict[str, str] = {}
for _group in (QUOTING, RULES, SETS, RESOURCES, ADMIN, COMMENTS, EDGES):
    CASES.update(_group)

# `show <ids>` / `show xml <ids>` recorded for these cases (ids given out of crmsh's order).
SELECTIONS: dict[str, list[str]] = {
    "clone-forms": ["m1", "d2", "c1"],
    "constraint-order-by-id": ["z-order", "fencing_topology", "a-ticket", "n1"],
    "group-meta-params": ["d2"],
    "defaults-sets": ["rd2", "op-options"],
    "acls": ["r2", "alice", "d1"],
}
