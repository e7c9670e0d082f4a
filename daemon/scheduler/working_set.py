"""The per-call working set: options, nodes, resources, actions and constraints.

One WorkingSet is built by `schedule()` and dropped when it returns; every stage of the
pipeline reads and updates it. It holds indexes (by id, by name, by action key) so that no
stage has to scan lists the way Pacemaker's C code does.
"""

from __future__ import annotations

from typing import Any

from daemon.scheduler.cluster_options import ClusterOptions
from daemon.scheduler.model import Action, Colocation, Location, Node, Ordering, Resource


class WorkingSet:
    def __init__(self, cib: Any, now: int, options: ClusterOptions) -> None:
        self.cib = cib
        self.now = now
        self.options = options
        self.quorate = False
        self.have_fencing = False
        self.enable_unfencing = False
        self.dc_node: Node | None = None
        self.nodes: list[Node] = []
        self.node_by_id: dict[str, Node] = {}
        self.node_by_name: dict[str, Node] = {}
        self.resources: list[Resource] = []          # top-level, in assignment order
        self.rsc_by_id: dict[str, Resource] = {}     # every resource, including children
        self.actions: list[Action] = []              # in creation order
        self.singletons: dict[str, Action] = {}      # non-resource actions by key
        self.action_ids = 1                         # Pacemaker numbers actions from 1
        self.orderings: list[Ordering] = []          # in creation order
        self.ordering_ids = 0
        self.colocations: list[Colocation] = []
        self.locations: list[Location] = []
        self.tags: dict[str, list[str]] = {}
        self.have_remote_nodes = False               # any remote or guest node (remote_nodes.py)
        self.guest_connection_xml: list[Any] = []    # guests' implicit connection primitives
        self.stop_needed: list[Resource] = []        # launchers to stop once placed (bundles)
        self.tickets: dict[str, Any] = {}            # ticket id -> tickets.Ticket
        self.rsc_tickets: dict[str, list[Any]] = {}  # resource id -> its tickets.RscTicket
        self.templates: dict[str, Any] = {}
        self.op_defaults = None
        self.rsc_defaults = None
        self.id_index: dict[str, Any] | None = None
        self.failed_ops: list[Any] = []
        self.param_checks: list[tuple] = []
        self.warnings: list[str] = []
        self.meta_cache: dict[tuple, dict[str, str]] = {}
        self.config_cache: dict[tuple, Any] = {}
        self.history_by_node: dict[str, dict[str, Any]] = {}
        self.explain = False
        self.sanitized = False      # a simulation of a CIB with private parameters masked
        self.show_scores = False
        self.score_lines: list[str] = []
        self.promotion_lines: list[str] = []
        self.promotion_positions: list[int] = []     # how many score lines came before each

    # ---- lookups ------------------------------------------------------------------
    def find_node(self, name_or_id: str | None) -> Node | None:
        if name_or_id is None:
            return None
        return self.node_by_name.get(name_or_id) or self.node_by_id.get(name_or_id)

    def lookup_id(self, xml_id: str):
        """Find a configuration element by id (for id-ref); built on first use."""
        if self.id_index is None:
            index: dict[str, Any] = {}
            config = self.cib.find("configuration")
            if config is not None:
                for el in config.iter():
                    i = el.get("id") if isinstance(el.tag, str) else None
                    if i is not None and el.get("id-ref") is None:
                        index.setdefault(i, el)
            self.id_index = index
        return self.id_index.get(xml_id)

    def warn(self, text: str) -> None:
        self.warnings.append(text)

    def can_fence(self, node: Node) -> bool:
        """pe_can_fence(): fencing enabled, a device exists, and quorum allows it; a guest
        node is "fenced" by stopping its launcher, possible unless the launcher is on a
        node that is offline and cannot be fenced."""
        connection = node.remote_rsc if node is not None else None
        if connection is not None and connection.launcher is not None:
            return all(host.online or self.can_fence(host)
                       for host in connection.launcher.running_on)
        if not self.options.fencing_enabled or not self.have_fencing:
            return False
        if self.quorate:
            return True
        if self.options.no_quorum_policy == "ignore":
            return True
        if node is None:
            return False
        # Without quorum we may still fence members of our own partition
        return node.online
