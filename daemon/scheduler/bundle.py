"""Container bundles: a <bundle> expanded into per-replica implicit resources, as Pacemaker does.

Each replica N of bundle B gets a container primitive (B-docker-N, B-podman-N or B-rkt-N),
an IPaddr2 primitive B-ip-ADDR when the network has ip-range-start, and, when the bundle has
a primitive inside, an ocf:pacemaker:remote connection B-N whose launcher is the container,
a guest node named B-N, and the inner primitive's instance CHILD:N, which may run only on
that guest node. The inner primitive is wrapped in an implicit clone (B-clone, or B-master
when promoted-max is set) with one instance per replica.

The implicit resources are built as the XML Pacemaker builds (same ids, parameters and
operations, so that their history digests match) and unpacked like configured resources.
The bundle is the parent of them all; `Resource.top()` stops below a bundle, so the
containers and the inner clone otherwise behave like top-level resources.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from daemon.scheduler import model as m
from daemon.scheduler import scores
from daemon.scheduler.model import Node, Resource
from daemon.scheduler.working_set import WorkingSet

AGENTS = ("docker", "rkt", "podman")      # looked for in this order, as Pacemaker does
DEFAULT_REMOTE_PORT = "3121"
REMOTE_KEY = "/etc/pacemaker/authkey"
BUNDLE_LOG_DIR = "/var/log/pacemaker/bundles"
REMOTED = "/usr/sbin/pacemaker-remoted"
GUEST_WEIGHT = 500


@dataclass
class Mount:
    source: str
    target: str
    options: str | None
    subdir: bool


@dataclass
class Replica:
    offset: int
    ipaddr: str | None = None
    container: Resource | None = None
    ip: Resource | None = None
    remote: Resource | None = None
    child: Resource | None = None
    node: Node | None = None


@dataclass
class BundleData:
    agent: str
    image: str | None
    replicas_count: int
    per_host: int
    promoted_max: int
    run_command: str | None = None
    launcher_options: str | None = None
    container_network: str | None = None
    ip_range_start: str | None = None
    host_netmask: str | None = None
    host_interface: str | None = None
    control_port: str | None = None
    add_host: bool = True
    ports: list[tuple[str, str]] = field(default_factory=list)
    mounts: list[Mount] = field(default_factory=list)
    host_options: str = ""
    child: Resource | None = None          # the implicit clone around the inner primitive
    replicas: list[Replica] = field(default_factory=list)


def _int_at_least(value: str | None, minimum: int) -> int:
    """pcmk__scan_min_int(): a missing or unparsable value gives the minimum."""
    if value is None:
        return minimum
    try:
        number = int(value.strip())
    except ValueError:
        return minimum
    return max(number, minimum)


def _next_ip(last: str) -> str | None:
    parts = last.split(".")
    if len(parts) != 4 or not all(p.isdigit() for p in parts):
        return None
    o1, o2, o3, o4 = (int(p) for p in parts)
    if o3 > 253:
        return None
    if o4 > 253:
        o3, o4 = o3 + 1, 1
    else:
        o4 += 1
    return f"{o1}.{o2}.{o3}.{o4}"


def _is_bool_text(value: str | None) -> bool | None:
    if value is None:
        return None
    v = value.strip().lower()
    if v in ("true", "on", "yes", "y", "1"):
        return True
    if v in ("false", "off", "no", "n", "0"):
        return False
    return None


def _sanitize_id(text: str) -> str:
    """pcmk__xml_sanitize_id(): characters an XML id cannot hold become '_'."""
    out = []
    for i, ch in enumerate(text):
        ok = ch.isalnum() or ch == "_" or (i > 0 and ch in "-.")
        out.append(ch if ok else "_")
    return "".join(out)


def _nvpair(parent, set_id: str, name: str, value: str) -> None:
    etree.SubElement(parent, "nvpair", id=f"{set_id}-{name}", name=name, value=value)


def _op(parent, prefix: str, name: str, interval: str, timeout: str | None) -> None:
    op = etree.SubElement(parent, "op", id=f"{prefix}-{name}-{interval}",
                          name=name, interval=interval)
    if timeout is not None:
        op.set("timeout", timeout)


def _primitive_xml(rid: str, provider: str, agent: str):
    return etree.Element("primitive", id=rid, **{"class": "ocf"}, provider=provider, type=agent)


# ---- unpacking --------------------------------------------------------------------------

def parse_bundle(ws: WorkingSet, rsc: Resource) -> BundleData | None:
    """The bundle's configuration (container, network, storage), or None when it names no
    container technology (Pacemaker then drops the bundle)."""
    xml = rsc.xml
    el = None
    agent = None
    for name in AGENTS:
        el = xml.find(name)
        if el is not None:
            agent = name
            break
    if el is None:
        ws.warn(f"bundle {rsc.id} has no docker, podman or rkt container: ignoring it")
        return None
    value = el.get("promoted-max")
    if value is None:
        value = el.get("masters")
    promoted_max = _int_at_least(value, 0)
    value = el.get("replicas")
    if value is None and promoted_max > 0:
        count = promoted_max
    else:
        count = _int_at_least(value, 1)
    data = BundleData(agent=agent, image=el.get("image"), replicas_count=count,
                      per_host=_int_at_least(el.get("replicas-per-host"), 1),
                      promoted_max=promoted_max, run_command=el.get("run-command"),
                      launcher_options=el.get("options"), container_network=el.get("network"))
    net = xml.find("network")
    if net is not None:
        data.ip_range_start = net.get("ip-range-start")
        data.host_netmask = net.get("host-netmask")
        data.host_interface = net.get("host-interface")
        data.control_port = net.get("control-port")
        add_host = _is_bool_text(net.get("add-host"))
        data.add_host = True if add_host is None else add_host
        for mapping in net.findall("port-mapping"):
            source = mapping.get("port")
            target = None
            if source is None:
                source = mapping.get("range")
            else:
                target = mapping.get("internal-port")
            if source:
                data.ports.append((source, target or source))
            else:
                ws.warn(f"bundle {rsc.id}: invalid port-mapping {mapping.get('id')} "
                        "(it needs port or range)")
    storage = xml.find("storage")
    need_log_mount = True
    if storage is not None:
        for mapping in storage.findall("storage-mapping"):
            source = mapping.get("source-dir")
            subdir = False
            if source is None:
                source = mapping.get("source-dir-root")
                subdir = True
            target = mapping.get("target-dir")
            if source and target:
                data.mounts.append(Mount(source, target, mapping.get("options"), subdir))
                if target == "/var/log":
                    need_log_mount = False
            else:
                ws.warn(f"bundle {rsc.id}: invalid storage-mapping {mapping.get('id')} "
                        "(it needs source-dir or source-dir-root, and target-dir)")
    data._need_log_mount = need_log_mount   # type: ignore[attr-defined]
    return data


def _valid_network(ws: WorkingSet, rsc: Resource, data: BundleData) -> bool:
    """A primitive inside can be managed only with an IP range or a control port (and a
    control port without an IP range allows one replica per host)."""
    if data.ip_range_start:
        return True
    if data.control_port:
        if data.per_host > 1:
            ws.warn(f"bundle {rsc.id}: control-port requires replicas-per-host=1")
            data.per_host = 1
        return True
    return False


def _child_clone_xml(rsc: Resource, data: BundleData, primitive):
    suffix = "master" if data.promoted_max > 0 else "clone"
    clone = etree.Element("clone", id=f"{rsc.id}-{suffix}")
    meta_id = f"{rsc.id}-clone-meta"
    meta = etree.SubElement(clone, "meta_attributes", id=meta_id)
    _nvpair(meta, meta_id, "ordered", "true")
    _nvpair(meta, meta_id, "clone-max", str(data.replicas_count))
    _nvpair(meta, meta_id, "clone-node-max", str(data.per_host))
    _nvpair(meta, meta_id, "globally-unique", "true" if data.per_host > 1 else "false")
    if data.promoted_max:
        _nvpair(meta, meta_id, "promotable", "true")
        _nvpair(meta, meta_id, "promoted-max", str(data.promoted_max))
    from copy import deepcopy
    clone.append(deepcopy(primitive))
    return clone


def _allocate_ip(data: BundleData, replica: Replica, last: str | None, rsc_id: str,
                 buffer: list[str]) -> str | None:
    if data.ip_range_start is None:
        return last
    replica.ipaddr = _next_ip(last) if last else data.ip_range_start
    if data.agent in ("docker", "podman") and data.add_host:
        buffer.append(f" --add-host={rsc_id}-{replica.offset}:{replica.ipaddr}")
    elif data.agent in ("docker", "podman", "rkt"):
        buffer.append(f" --hosts-entry={replica.ipaddr}={rsc_id}-{replica.offset}")
    return replica.ipaddr


def unpack_bundle(ws: WorkingSet, rsc: Resource) -> bool:
    """pe__unpack_bundle(): build the replicas' implicit resources under `rsc`."""
    from daemon.scheduler.unpack_resources import unpack_resource
    data = parse_bundle(ws, rsc)
    if data is None:
        return False
    rsc.bundle_data = data
    rsc.interleave = (rsc.meta.get("interleave") or "").lower() in ("true", "yes", "on",
                                                                     "y", "1")
    if data.per_host == 1:
        rsc.unique = False
    primitive = rsc.xml.find("primitive")
    clone_xml = None
    if primitive is not None:
        if not _valid_network(ws, rsc, data):
            ws.warn(f"cannot control {primitive.get('id')} inside {rsc.id} without either "
                    "ip-range-start or control-port")
            return False
        clone_xml = _child_clone_xml(rsc, data, primitive)
    buffer: list[str] = []
    last_ip: str | None = None
    if clone_xml is not None:
        child = unpack_resource(ws, clone_xml, rsc)
        if child is None:
            return False
        data.child = child
        data.mounts.append(Mount(REMOTE_KEY, REMOTE_KEY, None, False))
        if data._need_log_mount:   # type: ignore[attr-defined]
            data.mounts.append(Mount(BUNDLE_LOG_DIR, "/var/log", None, True))
        port = data.control_port or DEFAULT_REMOTE_PORT
        data.ports.append((port, port))
        for offset, instance in enumerate(child.children):
            replica = Replica(offset, child=instance)
            instance.exclusive_discover = True
            if instance.notify:
                child.notify = True
            last_ip = _allocate_ip(data, replica, last_ip, rsc.id, buffer)
            data.replicas.append(replica)
        target = child.children[0].meta.get("container-attribute-target") \
            if child.children else None
        if target is not None:
            rsc.meta["container-attribute-target"] = target
            child.meta["container-attribute-target"] = target
    else:
        for offset in range(data.replicas_count):
            replica = Replica(offset)
            last_ip = _allocate_ip(data, replica, last_ip, rsc.id, buffer)
            data.replicas.append(replica)
    data.host_options = "".join(buffer)
    for replica in data.replicas:
        if not _create_replica_resources(ws, rsc, data, replica):
            ws.warn(f"failed unpacking bundle {rsc.id}")
            return False
        if replica.child is not None:
            # a bundle's utilization is the container's (only the primitive can carry it)
            replica.container.utilization, replica.child.utilization = \
                replica.child.utilization, replica.container.utilization
    if data.child is not None:
        rsc.children.append(data.child)
    return True


def _create_replica_resources(ws: WorkingSet, rsc: Resource, data: BundleData,
                              replica: Replica) -> bool:
    from daemon.scheduler.unpack_resources import unpack_resource
    replica.container = unpack_resource(ws, _container_xml(rsc, data, replica), rsc)
    if replica.container is None:
        return False
    replica.container.replica_container = True
    rsc.children.append(replica.container)
    if data.ip_range_start:
        replica.ip = unpack_resource(ws, _ip_xml(rsc, data, replica), rsc)
        if replica.ip is None:
            return False
        rsc.children.append(replica.ip)
    if replica.child is not None and (data.ip_range_start or data.control_port):
        if not _create_remote(ws, rsc, data, replica):
            return False
    if replica.child is not None and replica.ipaddr is not None:
        replica.child.meta["external-ip"] = replica.ipaddr
    return True


def _container_xml(rsc: Resource, data: BundleData, replica: Replica):
    rid = _sanitize_id(f"{rsc.id}-{data.agent}-{replica.offset}")
    xml = _primitive_xml(rid, "heartbeat", data.agent)
    attrs_id = f"{rsc.id}-attributes-{replica.offset}"
    attrs = etree.SubElement(xml, "instance_attributes", id=attrs_id)
    _nvpair(attrs, attrs_id, "image", data.image or "")
    _nvpair(attrs, attrs_id, "allow_pull", "true")
    _nvpair(attrs, attrs_id, "force_kill", "false")
    _nvpair(attrs, attrs_id, "reuse", "false")
    hostname_opt, env_opt = ("--hostname=", "--environment=") if data.agent == "rkt" \
        else ("-h ", "-e ")
    opts = []
    if data.agent == "docker":
        opts.append(" --restart=no")
    if data.ip_range_start is not None:
        opts.append(f" {hostname_opt}{rsc.id}-{replica.offset}")
    opts.append(f" {env_opt}PCMK_stderr=1")
    if data.container_network is not None:
        opts.append(f" --net={data.container_network}")
    opts.append(f" {env_opt}PCMK_remote_port={data.control_port or DEFAULT_REMOTE_PORT}")
    subdirs = []
    for volid, mount in enumerate(data.mounts):
        source = mount.source
        if mount.subdir:
            source = f"{mount.source}/{rsc.id}-{replica.offset}"
            subdirs.append(source)
        if data.agent == "rkt":
            extra = f",{mount.options}" if mount.options is not None else ""
            opts.append(f" --volume vol{volid},kind=host,source={source}{extra} "
                        f"--mount volume=vol{volid},target={mount.target}")
        else:
            opts.append(f" -v {source}:{mount.target}")
            if mount.options is not None:
                opts.append(f":{mount.options}")
    for source, target in data.ports:
        if data.agent == "rkt":
            if replica.ipaddr is not None:
                opts.append(f" --port={target}:{replica.ipaddr}:{source}")
            else:
                opts.append(f" --port={target}:{source}")
        elif replica.ipaddr is not None:
            opts.append(f" -p {replica.ipaddr}:{source}:{target}")
        elif data.container_network != "host":
            opts.append(f" -p {source}:{target}")
    if data.launcher_options is not None:
        opts.append(f" {data.launcher_options}")
    opts.append(f" {data.host_options}")
    _nvpair(attrs, attrs_id, "run_opts", "".join(opts))
    _nvpair(attrs, attrs_id, "mount_points", ",".join(subdirs))
    if replica.child is not None:
        _nvpair(attrs, attrs_id, "run_cmd", data.run_command or REMOTED)
    elif data.run_command is not None:
        _nvpair(attrs, attrs_id, "run_cmd", data.run_command)
    _nvpair(attrs, attrs_id, "monitor_cmd", "/bin/true")
    ops = etree.SubElement(xml, "operations")
    _op(ops, rid, "monitor", "60s", None)
    return xml


def _ip_xml(rsc: Resource, data: BundleData, replica: Replica):
    rid = _sanitize_id(f"{rsc.id}-ip-{replica.ipaddr}")
    xml = _primitive_xml(rid, "heartbeat", "IPaddr2")
    attrs_id = f"{rsc.id}-attributes-{replica.offset}"
    attrs = etree.SubElement(xml, "instance_attributes", id=attrs_id)
    _nvpair(attrs, attrs_id, "ip", replica.ipaddr)
    if data.host_interface:
        _nvpair(attrs, attrs_id, "nic", data.host_interface)
    _nvpair(attrs, attrs_id, "cidr_netmask", data.host_netmask or "32")
    ops = etree.SubElement(xml, "operations")
    _op(ops, rid, "monitor", "60s", None)
    return xml


def remote_xml(rid: str, container_id: str, addr: str, port: str):
    """pe_create_remote_xml() for a bundle replica's connection."""
    xml = _primitive_xml(rid, "pacemaker", "remote")
    meta_id = f"{rid}-meta_attributes"
    meta = etree.SubElement(xml, "meta_attributes", id=meta_id)
    _nvpair(meta, meta_id, "internal_rsc", "true")
    _nvpair(meta, meta_id, "container", container_id)
    attrs_id = f"{rid}-instance_attributes"
    attrs = etree.SubElement(xml, "instance_attributes", id=attrs_id)
    _nvpair(attrs, attrs_id, "addr", addr)
    _nvpair(attrs, attrs_id, "port", port)
    ops = etree.SubElement(xml, "operations")
    _op(ops, rid, "monitor", "30s", "30s")
    return xml


def _guest_node(ws: WorkingSet, name: str) -> Node:
    """The replica's guest node: found (a node entry may exist) or created, sorted into
    the node list by name, never a place for any other resource."""
    from daemon.scheduler.node_names import name_key
    node = ws.find_node(name)
    if node is None:
        node = Node(name, name, "remote", 0, -scores.INFINITY)
        node.attrs["#uname"] = name
        node.attrs["#id"] = name
        ws.nodes.append(node)
        ws.nodes.sort(key=lambda n: name_key(n.name))
        for index, each in enumerate(ws.nodes):
            each.index = index
        ws.node_by_id.setdefault(name, node)
        ws.node_by_name.setdefault(name, node)
    else:
        node.weight = -scores.INFINITY
    node.attrs["#kind"] = "container"
    node.guest_never_probed = True
    ws.have_remote_nodes = True
    return node


def _disallow_node(rsc: Resource, node: Node) -> None:
    if node in rsc.allowed:
        rsc.allowed[node] = -scores.INFINITY
        rsc.discover[node] = m.DISCOVER_NEVER
    for child in rsc.children:
        _disallow_node(child, node)


def _create_remote(ws: WorkingSet, rsc: Resource, data: BundleData, replica: Replica) -> bool:
    from daemon.scheduler.unpack_resources import unpack_resource
    rid = f"{rsc.id}-{replica.offset}"
    if rid in ws.rsc_by_id:
        rid = f"pcmk-internal-{replica.child.id}-remote-{replica.offset}"
    addr = replica.ipaddr or "#uname"
    port = data.control_port or DEFAULT_REMOTE_PORT
    xml = remote_xml(rid, replica.container.id, addr, port)
    node = _guest_node(ws, rid)
    for other in ws.resources:
        _disallow_node(other, node)
    replica.node = node
    child = replica.child
    child.allowed = {node: GUEST_WEIGHT}
    child.discover = {node: m.DISCOVER_EXCLUSIVE}
    child.parent.allowed[node] = -scores.INFINITY
    replica.remote = unpack_resource(ws, xml, rsc)
    if replica.remote is None:
        return False
    for other in list(replica.remote.allowed):
        if other.kind == "remote":
            replica.remote.allowed[other] = -scores.INFINITY
    replica.remote.launcher = replica.container
    node.remote_rsc = replica.remote
    replica.remote.remote_nesting_allowed = True
    rsc.children.append(replica.remote)
    return True


# ---- lookups ------------------------------------------------------------------------------

def bundle_of(rsc: Resource) -> Resource | None:
    """The bundle a resource belongs to (itself, for a bundle), if any."""
    while rsc is not None:
        if rsc.variant == m.BUNDLE:
            return rsc
        rsc = rsc.parent
    return None


def replica_for_node(bundle: Resource, node: Node) -> Resource | None:
    """pe__find_bundle_replica(): the inner instance whose guest node is `node`."""
    for replica in bundle.bundle_data.replicas:
        if replica.node is node:
            return replica.child
    return None


def containers(bundle: Resource) -> list[Resource]:
    return [r.container for r in bundle.bundle_data.replicas]


def remote_host_name(remote: Resource) -> str | None:
    """pe__add_bundle_remote_name(): a replica connection configured with addr=#uname
    connects to its container's host (where it will run, else where it runs)."""
    from daemon.scheduler.assign import current_node
    bundle = bundle_of(remote)
    if bundle is None or remote.launcher is None:
        return None
    container = remote.launcher
    node = container.assigned_to or current_node(container)
    return node.name if node is not None else None


def resource_in_container(container: Resource) -> Resource | None:
    """pe__get_rsc_in_container(): the inner instance of a replica's container."""
    bundle = container.parent
    if bundle is None or bundle.variant != m.BUNDLE:
        return None
    for replica in bundle.bundle_data.replicas:
        if replica.container is container:
            return replica.child
    return None
