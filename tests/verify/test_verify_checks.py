"""Each verify check: a configuration that trips it and one that passes."""

from __future__ import annotations

import pytest

from verify_fixtures import NO_FENCING, dummy, errors, needs_real_agents, run, warnings

pytestmark = [pytest.mark.needs_agents, needs_real_agents]

MONITORED = ('<primitive id="d1" class="ocf" provider="pacemaker" type="Dummy"><operations>'
             '<op id="d1-monitor-10s" name="monitor" interval="10s" timeout="20s"/>'
             '</operations></primitive>')


def test_clean_configuration_has_no_findings(catalog):
    assert run(catalog, resources=MONITORED + dummy("d2"),
               constraints='<rsc_location id="l1" rsc="d1" score="100" node="node1"/>') == []


# --- references ---------------------------------------------------------------------------

@pytest.mark.parametrize("constraint,message", [
    ('<rsc_location id="c" rsc="gone" score="1" node="node1"/>',
     "c: rsc refers to gone, which does not exist"),
    ('<rsc_colocation id="c" rsc="d1" with-rsc="gone" score="INFINITY"/>',
     "c: with-rsc refers to gone, which does not exist"),
    ('<rsc_order id="c" first="gone" then="d1"/>', "c: first refers to gone, which does not exist"),
    ('<rsc_order id="c" first="d1" then="gone"/>', "c: then refers to gone, which does not exist"),
    ('<rsc_ticket id="c" ticket="T" rsc="gone"/>', "c: rsc refers to gone, which does not exist"),
    ('<rsc_order id="c"><resource_set id="c-0"><resource_ref id="d1"/><resource_ref id="gone"/>'
     '</resource_set></rsc_order>', "c: resource set c-0 refers to gone, which does not exist"),
])
def test_dangling_constraint_references(catalog, constraint, message):
    assert errors(run(catalog, resources=dummy("d1"), constraints=constraint)) == [message]


def test_constraints_may_name_resources_templates_and_tags(catalog):
    template = '<template id="tpl" class="ocf" provider="pacemaker" type="Dummy"/>'
    tags = '<tags><tag id="t1"><obj_ref id="d1"/></tag></tags>'
    constraints = ('<rsc_location id="a" rsc="tpl" score="1" node="node1"/>'
                   '<rsc_location id="b" rsc="t1" score="1" node="node1"/>'
                   '<rsc_order id="c"><resource_set id="c-0"><resource_ref id="d1"/>'
                   '<resource_ref id="t1"/></resource_set></rsc_order>')
    assert run(catalog, resources=template + dummy("d1"), constraints=constraints,
               extra=tags) == []


def test_constraint_on_a_grouped_resource_warns_like_crmsh(catalog):
    group = f'<group id="g">{dummy("a")}{dummy("b")}</group>{dummy("d")}'
    found = run(catalog, resources=group,
                constraints='<rsc_colocation id="c" rsc="d" with-rsc="a" score="INFINITY"/>')
    assert warnings(found) == ["c: resource a is grouped, constraints should apply to the group"]
    assert errors(found) == []


def test_location_on_unknown_node_warns(catalog):
    found = run(catalog, resources=dummy("d1"),
                constraints='<rsc_location id="l" rsc="d1" score="1" node="node9"/>')
    assert warnings(found) == ["l: referenced node node9 does not exist"]
    assert run(catalog, resources=dummy("d1"), nodes="",
               constraints='<rsc_location id="l" rsc="d1" score="1" node="node9"/>') == []


def test_tags(catalog):
    bad = '<tags><tag id="t1"><obj_ref id="d1"/><obj_ref id="gone"/></tag></tags>'
    assert errors(run(catalog, resources=dummy("d1"), extra=bad)) == [
        "t1: tag member gone does not exist"]
    good = '<tags><tag id="t1"><obj_ref id="d1"/></tag></tags>'
    assert run(catalog, resources=dummy("d1"), extra=good) == []


STONITH = ('<primitive id="st" class="stonith" type="null"><instance_attributes id="st-ia">'
           '<nvpair id="st-ia-hl" name="hostlist" value="node1 node2"/></instance_attributes>'
           '</primitive>')


def test_fencing_topology(catalog):
    bad = ('<fencing-topology><fencing-level id="fl1" target="node1" index="1" devices="st,gone"/>'
           '<fencing-level id="fl2" target="node7" index="1" devices="d1"/></fencing-topology>')
    found = run(catalog, resources=STONITH + dummy("d1"), extra=bad)
    assert errors(found) == ["fl1: fencing device gone does not exist"]
    assert warnings(found) == ["fl2: target node7 not a node", "fl2: d1 not a stonith resource"]
    good = ('<fencing-topology><fencing-level id="fl1" target="node1" index="1" devices="st"/>'
            '</fencing-topology>')
    assert run(catalog, resources=STONITH, extra=good) == []


def test_id_refs(catalog):
    shared = ('<primitive id="d1" class="ocf" provider="pacemaker" type="Dummy">'
              '<meta_attributes id="shared-meta"><nvpair id="sm-1" name="is-managed" '
              'value="true"/></meta_attributes></primitive>')
    good = '<primitive id="d2" class="ocf" provider="pacemaker" type="Dummy">' \
           '<meta_attributes id-ref="shared-meta"/></primitive>'
    assert run(catalog, resources=shared + good) == []
    bad = '<primitive id="d2" class="ocf" provider="pacemaker" type="Dummy">' \
          '<meta_attributes id-ref="nowhere"/></primitive>'
    assert errors(run(catalog, resources=shared + bad)) == [
        "d2: <meta_attributes> id-ref nowhere does not exist"]


def test_templates(catalog):
    template = ('<template id="tpl" class="ocf" provider="heartbeat" type="IPaddr2">'
                '<instance_attributes id="tpl-ia"><nvpair id="tpl-ip" name="ip" '
                'value="10.0.0.1"/></instance_attributes></template>')
    assert run(catalog, resources=template + '<primitive id="vip" template="tpl"/>') == []
    found = run(catalog, resources='<primitive id="vip" template="nope"/>' + dummy("d1"))
    assert errors(found) == ["vip: template nope does not exist"]
    found = run(catalog, resources='<primitive id="vip" template="d1"/>' + dummy("d1"))
    assert errors(found) == ["vip: template d1 is a <primitive>, not a template"]


def test_acl_roles(catalog):
    acls = ('<acls><acl_role id="r1"><acl_permission id="p1" kind="read" xpath="/cib"/>'
            '<acl_permission id="p2" kind="read" reference="{ref}"/></acl_role>'
            '<acl_target id="alice"><role id="{role}"/></acl_target></acls>')
    assert run(catalog, resources=dummy("d1"), extra=acls.format(ref="d1", role="r1")) == []
    assert errors(run(catalog, resources=dummy("d1"), extra=acls.format(ref="zz", role="r9"))) \
        == ["alice: role r9 does not exist", "r1: permission p2 refers to zz, which does not exist"]


# --- identity and shape ---------------------------------------------------------------------

def test_duplicate_ids(catalog):
    found = errors(run(catalog, resources=dummy("d1") + dummy("d1")))
    assert found == ["d1: duplicate id (also used by <primitive> at "
                     "/cib/configuration/resources/primitive[@id='d1'])"]
    nvpairs = ('<primitive id="d1" class="ocf" provider="pacemaker" type="Dummy">'
               '<meta_attributes id="m"><nvpair id="x" name="priority" value="1"/>'
               '<nvpair id="x" name="is-managed" value="true"/></meta_attributes></primitive>')
    assert errors(run(catalog, resources=nvpairs)) == [
        "x: duplicate id (also used by <nvpair> at /cib/configuration/resources/"
        "primitive[@id='d1']/meta_attributes[@id='m']/nvpair[@id='x'])"]


def test_node_ids_are_their_own_namespace(catalog):
    assert run(catalog, resources=dummy("node1")) == []  # crmsh names nodes by uname
    assert errors(run(catalog, resources=dummy("d1"),
                      nodes='<node id="n" uname="a"/><node id="n" uname="b"/>')) == [
        "n: duplicate node id (also used by node a)"]


def test_resource_in_two_containers(catalog):
    groups = (f'<group id="g1">{dummy("a")}{dummy("x")}</group>'
              f'<group id="g2">{dummy("b")}{dummy("x")}</group>')
    assert errors(run(catalog, resources=groups)) == [
        "x: resource is a member of two containers (g1 and g2)"]
    ok = f'<group id="g1">{dummy("a")}{dummy("x")}</group><group id="g2">{dummy("b")}</group>'
    assert run(catalog, resources=ok) == []


def test_group_members_that_do_not_exist(catalog):
    group = f'<group id="g1">{dummy("a")}<primitive id="ghost"/></group>'
    assert errors(run(catalog, resources=group)) == ["g1: group member ghost does not exist"]
    assert errors(run(catalog, resources='<group id="g1"/>')) == ["g1: group has no members"]
    assert errors(run(catalog, resources='<clone id="c1"/>')) == [
        "c1: clone has no resource to clone"]


# --- fencing and properties -----------------------------------------------------------------

CRM_VERIFY_NO_STONITH = [
    "Resource start-up disabled since no STONITH resources have been defined",
    "Either configure some or disable STONITH with the stonith-enabled option",
    "NOTE: Clusters with shared data need STONITH to ensure data integrity",
]


@pytest.mark.parametrize("props", [
    "",
    '<cluster_property_set id="cib-bootstrap-options"><nvpair id="p" name="stonith-enabled" '
    'value="true"/></cluster_property_set>',
    '<cluster_property_set id="cib-bootstrap-options"><nvpair id="p" name="fencing-enabled" '
    'value="yes"/></cluster_property_set>',
])
def test_fencing_enabled_without_devices(catalog, props):
    assert errors(run(catalog, resources=dummy("d1"), crm_config=props)) == CRM_VERIFY_NO_STONITH


@pytest.mark.parametrize("props,resources", [
    (NO_FENCING, ""),
    ('<cluster_property_set id="cib-bootstrap-options"><nvpair id="p" name="fencing-enabled" '
     'value="false"/></cluster_property_set>', ""),
    ('<cluster_property_set id="cib-bootstrap-options"><nvpair id="p" name="stonith-enabled" '
     'value="off"/></cluster_property_set>', ""),
    ("", STONITH),
    ("", f'<group id="g">{STONITH}</group>'),
    ('<cluster_property_set id="cib-bootstrap-options"><nvpair id="p" name="have-watchdog" '
     'value="true"/></cluster_property_set>', ""),
    ("", '<template id="t" class="stonith" type="null"/><primitive id="st" template="t">'
         '<instance_attributes id="st-ia"><nvpair id="st-hl" name="hostlist" value="n1"/>'
         '</instance_attributes></primitive>'),
])
def test_fencing_satisfied(catalog, props, resources):
    assert errors(run(catalog, resources=resources + dummy("d1"), crm_config=props)) == []


def test_fencing_enabled_wins_over_stonith_enabled(catalog):
    props = ('<cluster_property_set id="cib-bootstrap-options">'
             '<nvpair id="a" name="stonith-enabled" value="false"/>'
             '<nvpair id="b" name="fencing-enabled" value="true"/></cluster_property_set>')
    assert errors(run(catalog, resources=dummy("d1"), crm_config=props)) == CRM_VERIFY_NO_STONITH


def test_loss_policy_fence_needs_fencing(catalog):
    ticket = '<rsc_ticket id="t1" ticket="T" rsc="d1" loss-policy="fence"/>'
    assert errors(run(catalog, resources=dummy("d1"), constraints=ticket)) == [
        "t1: Resetting 'loss-policy' for ticket 'T' to 'stop' because fencing is not configured"]
    fenced = ('<cluster_property_set id="cib-bootstrap-options"><nvpair id="p" '
              'name="stonith-enabled" value="true"/></cluster_property_set>')
    assert run(catalog, resources=STONITH + dummy("d1"), constraints=ticket,
               crm_config=fenced) == []


def test_unknown_cluster_property_warns_only_in_bootstrap_set(catalog):
    props = NO_FENCING.replace("</cluster_property_set>",
                               '<nvpair id="p2" name="foo-bar" value="1"/>'
                               '<nvpair id="p3" name="fencing-timeout" value="90s"/>'
                               '</cluster_property_set>')
    props += ('<cluster_property_set id="SAPHanaSR"><nvpair id="s1" name="hana_site" '
              'value="WDF"/></cluster_property_set>')
    found = run(catalog, resources=dummy("d1"), crm_config=props)
    assert warnings(found) == ["cib-bootstrap-options: unknown attribute 'foo-bar'"]
    assert errors(found) == []


@pytest.mark.parametrize("name,value,problem", [
    ("no-quorum-policy", "panic", "'panic' is not one of: stop, freeze, ignore, demote, suicide, "
                                  "fence"),
    ("batch-limit", "abc", "'abc' is not an integer"),
    ("cluster-recheck-interval", "soon", "'soon' is not a duration"),
    ("maintenance-mode", "maybe", "'maybe' is not a boolean"),
    ("load-threshold", "lots", "'lots' is not a percentage"),
])
def test_invalid_cluster_property_values(catalog, name, value, problem):
    props = NO_FENCING.replace("</cluster_property_set>",
                               f'<nvpair id="p2" name="{name}" value="{value}"/>'
                               "</cluster_property_set>")
    found = errors(run(catalog, resources=dummy("d1"), crm_config=props))
    assert len(found) == 1
    assert found[0].startswith(f"cib-bootstrap-options: invalid value for '{name}': {problem}")


def test_defaults_sets(catalog):
    extra = ('<rsc_defaults><meta_attributes id="rsc-options">'
             '<nvpair id="r1" name="resource-stickiness" value="INFINITY"/>'
             '<nvpair id="r2" name="migration-threshold" value="often"/>'
             '<nvpair id="r3" name="yoyo" value="1"/></meta_attributes></rsc_defaults>'
             '<op_defaults><meta_attributes id="op-options">'
             '<nvpair id="o1" name="timeout" value="forever"/>'
             '<nvpair id="o2" name="record-pending" value="true"/></meta_attributes></op_defaults>')
    found = run(catalog, resources=dummy("d1"), extra=extra)
    assert errors(found) == [
        "rsc-options: invalid value for 'migration-threshold': 'often' is not a score "
        "(an integer or [-]INFINITY)",
        "op-options: invalid value for 'timeout': 'forever' is not a duration (a number with an "
        "optional unit ms/s/min/h, or ISO 8601)"]
    assert warnings(found) == ["rsc-options: unknown attribute 'yoyo'"]


# --- resources and their agents -------------------------------------------------------------

def test_unknown_agent(catalog):
    bad = '<primitive id="x" class="ocf" provider="heartbeat" type="NoSuchAgent"/>'
    found = errors(run(catalog, resources=bad))
    assert len(found) == 1
    assert found[0].startswith("x: ocf:heartbeat:NoSuchAgent: no such agent")
    bad_class = '<primitive id="y" class="nagios" type="check_x"/>'
    assert errors(run(catalog, resources=bad_class))[0].startswith(
        "y: nagios:check_x: unknown agent class 'nagios'")


def ipaddr(params: str, ops: str = "") -> str:
    return (f'<primitive id="vip" class="ocf" provider="heartbeat" type="IPaddr2">'
            f'<instance_attributes id="vip-ia">{params}</instance_attributes>'
            f'<operations>{ops}</operations></primitive>')


IP = '<nvpair id="vip-ip" name="ip" value="10.0.0.1"/>'


def test_required_parameter(catalog):
    assert errors(run(catalog, resources=ipaddr(""))) == ['vip: required parameter "ip" not defined']
    assert run(catalog, resources=ipaddr(IP)) == []


def test_required_parameter_by_id_ref(catalog):
    shared = ipaddr(IP).replace('<instance_attributes id="vip-ia">',
                                '<instance_attributes id="shared-ia">')
    other = ('<primitive id="vip2" class="ocf" provider="heartbeat" type="IPaddr2">'
             '<instance_attributes id-ref="shared-ia"/></primitive>')
    # ip is given (no "required" error), and shared: the same address twice
    assert errors(run(catalog, resources=shared + other)) == [
        'Resources vip,vip2 violate uniqueness for parameter "ip": "10.0.0.1"']


def test_unique_parameters_are_unique_across_primitives_and_their_templates(catalog):
    """Issue 10, item 4: crmsh refuses two primitives of one agent sharing a unique=1 value,
    inherited from a template or not."""
    def prim(rid: str, inner: str, template: str | None = None) -> str:
        agent = (f'template="{template}"' if template else
                 'class="ocf" provider="heartbeat" type="IPaddr2"')
        return f'<primitive id="{rid}" {agent}>{inner}</primitive>'

    def ip(rid: str, value: str) -> str:
        return (f'<instance_attributes id="{rid}-ia"><nvpair id="{rid}-ip" name="ip" '
                f'value="{value}"/></instance_attributes>')
    template = ('<template id="tpl" class="ocf" provider="heartbeat" type="IPaddr2">'
                f'{ip("tpl", "10.0.0.6")}</template>')
    assert errors(run(catalog, resources=prim("a", ip("a", "10.0.0.5"))
                      + prim("b", ip("b", "10.0.0.5")))) == [
        'Resources a,b violate uniqueness for parameter "ip": "10.0.0.5"']
    assert errors(run(catalog, resources=template + prim("c", "", "tpl")
                      + prim("d", "", "tpl"))) == [
        'Resources c,d violate uniqueness for parameter "ip": "10.0.0.6"']
    # one overrides the template's value: nothing shared
    assert run(catalog, resources=template + prim("c", "", "tpl")
               + prim("d", ip("d", "10.0.0.7"), "tpl")) == []
    assert run(catalog, resources=prim("a", ip("a", "10.0.0.5"))
               + prim("b", ip("b", "10.0.0.8"))) == []


def test_unknown_parameter(catalog):
    found = errors(run(catalog, resources=ipaddr(IP + '<nvpair id="v-x" name="colour" '
                                                      'value="red"/>')))
    assert found == ['vip: parameter "colour" is not known']


def test_fence_device_parameters(catalog):
    fence = ('<primitive id="f" class="stonith" type="fence_ipmilan"><instance_attributes '
             'id="f-ia"><nvpair id="f1" name="ip" value="10.0.0.9"/>'
             '<nvpair id="f2" name="pcmk_host_list" value="node1"/>'
             '<nvpair id="f3" name="username" value="admin"/></instance_attributes></primitive>')
    assert run(catalog, resources=fence) == []
    glue = STONITH.replace('name="hostlist"', 'name="hostlists"')
    assert errors(run(catalog, resources=glue)) == [
        'st: parameter "hostlists" is not known', 'st: required parameter "hostlist" not defined']


@pytest.mark.parametrize("name,value,problem", [
    ("target-role", "Sleeping", "'Sleeping' is not one of: Stopped, Started, Unpromoted, "
                                "Promoted, Slave, Master"),
    ("migration-threshold", "three", "'three' is not a score"),
    ("is-managed", "perhaps", "'perhaps' is not a boolean"),
    ("failure-timeout", "1 fortnight", "'1 fortnight' is not a duration"),
    ("remote-port", "70000", "'70000' is not a port number"),
])
def test_invalid_meta_attribute_values(catalog, name, value, problem):
    rsc = ('<primitive id="d1" class="ocf" provider="pacemaker" type="Dummy">'
           f'<meta_attributes id="m"><nvpair id="m1" name="{name}" value="{value}"/>'
           '</meta_attributes></primitive>')
    found = errors(run(catalog, resources=rsc))
    assert len(found) == 1
    assert found[0].startswith(f"d1: invalid value for meta attribute '{name}': {problem}")


def test_valid_meta_attributes_of_every_kind(catalog):
    def meta(owner: str, **pairs: str) -> str:
        nv = "".join(f'<nvpair id="{owner}-{n}" name="{n}" value="{v}"/>' for n, v in pairs.items())
        return f'<meta_attributes id="{owner}-meta">{nv}</meta_attributes>'
    stateful = ('<primitive id="s" class="ocf" provider="pacemaker" type="Stateful">'
                + meta("s", **{"target-role": "started", "resource-stickiness": "-INFINITY",
                               "failure-timeout": "PT5M", "migration-threshold": "3"})
                + "</primitive>")
    clone = (f'<clone id="c">{meta("c", **{"promotable": "true", "promoted-max": "1", "notify": "yes", "interleave": "1"})}'  # noqa: E501
             f'{stateful}</clone>')
    group = (f'<group id="g">{meta("g", **{"target-role": "Stopped", "description": "x"})}'
             f'{dummy("d1")}</group>')
    assert run(catalog, resources=clone + group) == []


def test_unknown_meta_attribute_warns_like_crmsh(catalog):
    rsc = ('<primitive id="st" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes '
           'id="m"><nvpair id="m1" name="yoyo-meta" value="yes"/></meta_attributes></primitive>')
    assert warnings(run(catalog, resources=rsc)) == ["st: unknown attribute 'yoyo-meta'"]
    clone_meta_on_primitive = rsc.replace("yoyo-meta", "clone-max")
    assert warnings(run(catalog, resources=clone_meta_on_primitive)) == [
        "st: unknown attribute 'clone-max'"]


def op(name: str, interval: str, extra: str = "", oid: str | None = None) -> str:
    oid = oid or f"vip-{name}-{interval}"
    return f'<op id="{oid}" name="{name}" interval="{interval}" {extra}/>'


def test_op_not_advertised(catalog):
    found = run(catalog, resources=ipaddr(IP, op("migrate_to", "0")))
    assert warnings(found) == ["vip: action 'migrate_to' not found in Resource Agent meta-data"]
    assert run(catalog, resources=ipaddr(IP, op("monitor", "10s"))) == []


def test_op_timeout_below_advised(catalog):
    found = run(catalog, resources=ipaddr(IP, op("start", "0", 'timeout="5s"')))
    assert warnings(found) == ["vip: specified timeout 5s for start is smaller than the advised "
                               "20s"]
    assert run(catalog, resources=ipaddr(IP, op("start", "0", 'timeout="1min"'))) == []


def test_default_timeout_below_advised(catalog):
    apache = '<primitive id="web" class="ocf" provider="heartbeat" type="apache"/>'
    assert warnings(run(catalog, resources=apache)) == [
        "web: default timeout 20s for start is smaller than the advised 40s",
        "web: default timeout 20s for stop is smaller than the advised 60s"]
    longer = ('<op_defaults><meta_attributes id="op-options"><nvpair id="o1" name="timeout" '
              'value="60s"/></meta_attributes></op_defaults>')
    assert run(catalog, resources=apache, extra=longer) == []


def test_monitor_interval_zero(catalog):
    assert warnings(run(catalog, resources=ipaddr(IP, op("monitor", "0")))) == [
        "vip: interval in monitor should be larger than 0, advised is 10s"]


def test_interval_on_start(catalog):
    assert warnings(run(catalog, resources=ipaddr(IP, op("start", "10s")))) == [
        "vip: Specified interval for start is 10s, it must be 0"]


def test_same_interval_twice(catalog):
    ops = op("monitor", "10s") + op("monitor", "10000ms", oid="vip-monitor-again")
    assert errors(run(catalog, resources=ipaddr(IP, ops))) == [
        "vip: Operation vip-monitor-again is duplicate of vip-monitor-10s (do not use same name "
        "and interval combination more than once per resource)"]
    different_names = op("start", "0") + op("stop", "0")
    assert run(catalog, resources=ipaddr(IP, different_names)) == []


def test_stateful_monitors_per_role(catalog):
    rsc = ('<primitive id="s" class="ocf" provider="pacemaker" type="Stateful"><operations>'
           '<op id="s-m1" name="monitor" interval="10s" role="Master"/>'
           '<op id="s-m2" name="monitor" interval="11s" role="Slave"/>'
           '</operations></primitive>')
    assert run(catalog, resources=f'<master id="m">{rsc}</master>') == []


def test_op_attribute_values(catalog):
    found = run(catalog, resources=ipaddr(IP, op("monitor", "10s", 'on-fail="explode"')
                                          + op("start", "soon")))
    assert warnings(found) == ["vip: op 'monitor' attribute 'on-fail' value 'explode' not "
                               "recognized"]
    assert errors(found) == ["vip: op 'start' interval: 'soon' is not a duration (a number with "
                             "an optional unit ms/s/min/h, or ISO 8601)"]


def test_findings_point_at_the_xml(catalog):
    found = run(catalog, resources=ipaddr(""))
    assert found[0].object_id == "vip"
    assert found[0].path == "/cib/configuration/resources/primitive[@id='vip']"
    assert found[0].line == 6
    for finding in run(catalog, resources=dummy("d1") + dummy("d1"), crm_config=""):
        assert "\n" not in finding.message and "Traceback" not in finding.message


# --- the schema ------------------------------------------------------------------------------

def test_schema_problems_come_first_and_are_errors(catalog):
    found = run(catalog, schema=True, resources='<group id="g1"/>' + dummy("d1"))
    assert found[0].severity == "error" and found[0].object_id == "g1"
    assert found[0].path == "/cib/configuration/resources/group[@id='g1']"
    assert "g1: group has no members" in errors(found)[1:]


def test_valid_configuration_passes_the_schema(catalog):
    assert run(catalog, schema=True, resources=MONITORED) == []


# --- bundles --------------------------------------------------------------------------------

_BUNDLE_PRIMITIVE = '<primitive id="app" class="ocf" provider="pacemaker" type="Dummy"/>'


@pytest.mark.parametrize("container,network,message", [
    ('<docker image="img" replicas="2"/>', "",
     "b: the cluster cannot manage app inside the bundle without ip-range-start or "
     "control-port in its network (the bundle would be ignored)"),
    ('<podman image="img" replicas="2" replicas-per-host="2"/>',
     '<network control-port="3121"/>',
     "b: control-port without ip-range-start allows one replica per host: set "
     "replicas-per-host=1 (the cluster would use 1)"),
])
def test_bundle_primitive_needs_a_usable_network(catalog, container, network, message):
    bundle = f'<bundle id="b">{container}{network}{_BUNDLE_PRIMITIVE}</bundle>'
    assert errors(run(catalog, resources=bundle)) == [message]


@pytest.mark.parametrize("network", [
    '<network control-port="3121"/>',
    '<network ip-range-start="192.168.122.131"/>',
])
def test_bundle_with_a_usable_network_passes(catalog, network):
    bundle = (f'<bundle id="b"><podman image="img" replicas="2"/>{network}'
              f'{_BUNDLE_PRIMITIVE}</bundle>')
    assert errors(run(catalog, resources=bundle)) == []
