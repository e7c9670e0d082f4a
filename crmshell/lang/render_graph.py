"""`configure graph`: the configuration as a Graphviz digraph, exactly as crmsh 4.4 draws it.

Cluster nodes are boxes on top, primitives and templates rounded boxes (a clone's or ms's
members in its colour, labelled "clone:<id>"), groups subgraphs, location preferences for a
node dashed edges from the node, orders edges from the first to the then resource (resource
sets edge by edge, an optional set in a dotted box), a template's users dotted edges from it.
Colocations, tickets and the rest are not drawn (crmsh does not draw them). Objects are
visited in `show`'s order, which decides the order of the lines.

Pure: the configuration element in, the DOT text out.
"""

from __future__ import annotations

import re

from crmshell.errors import ShellError

# crmsh's graph settings (constants.graph): by object kind, in crmsh's order.
_ALL = {"fontname": "Helvetica", "fontsize": "11"}
_STYLE = {
    ".": {"compound": "true"},
    "node": {"style": "bold", "shape": "box", "color": "#7ac142"},
    "primitive": {"fillcolor": "#e4e5e6", "color": "#b9b9b9", "shape": "box",
                  "style": "rounded,filled"},
    "rsc_template": {"fillcolor": "#ffd457", "color": "#b9b9b9", "shape": "box",
                     "style": "rounded,filled,dashed"},
    "class:stonith": {"shape": "box", "style": "dashed"},
    "location": {"style": "dashed", "dir": "none"},
    "clone": {"color": "#ec008c"},
    "ms": {"color": "#f8981d"},
    "bundle": {"color": "#00aeef", "style": "rounded"},
    "group": {"color": "#00aeef", "group": "#00aeef", "labelloc": "b", "labeljust": "r",
              "labelfontsize": "12"},
    "optional_set": {"style": "dotted"},
    "template:edge": {"color": "#b9b9b9", "style": "dotted", "arrowtail": "open",
                      "dir": "back"},
}
_ORDER_KINDS = ("Optional", "Mandatory", "Serialize")
_KIND_OF_PARENT = {"clone": "clone", "master": "ms", "group": "group", "bundle": "bundle"}


def _gv_id(name: str) -> str:
    return name.replace("-", "_").replace(".", "_")


def _quoted(name: str) -> str:
    return f'"{name}"' if re.match(r"^[0-9_]", name) else name


def _attr_text(attrs: dict[str, str]) -> str:
    return ",".join(f'{k}="{v}"' for k, v in attrs.items())


class _Graph:
    """crmsh's Gv/GvDot: nodes with ranks, edges, attributes and subgraphs."""

    def __init__(self, ident: str = "", sub: bool = False) -> None:
        self.ident = _gv_id(ident) if ident else ""
        self.sub = sub
        self.nodes: dict[str, int] = {}
        self.edges: list[list[str]] = []
        self.edge_attrs: list[dict[str, str]] = []
        self.subgraphs: list[_Graph] = []
        self.attrs: dict[str, dict[str, str]] = {}
        self.graph_attrs: dict[str, str] = {}
        self.top_nodes: list[str] = []
        self.norank_nodes: list[str] = []

    def set_attrs(self, name: str, kind: str) -> None:
        for attrs in (_ALL, _STYLE.get(kind, {})):
            for key, value in attrs.items():
                self.attrs.setdefault(_gv_id(name), {})[key] = value

    def set_graph_attrs(self, kind: str) -> None:
        for attrs in (_ALL, _STYLE.get(kind, {})):
            self.graph_attrs.update(attrs)

    def new_node(self, name: str, *, top: bool = False, norank: bool = False) -> None:
        ident = _gv_id(name)
        if top:
            self.top_nodes.append(ident)
        elif ident not in self.nodes:
            self.nodes[ident] = 0
        if norank:
            self.norank_nodes.append(ident)

    def new_edge(self, names: list[str | None]) -> int:
        edge = [_gv_id(n) for n in names if n is not None]
        for rank, node in enumerate(edge):
            if rank and node not in self.top_nodes:
                self.nodes[node] = rank
        self.edges.append(edge)
        self.edge_attrs.append({})
        return len(self.edges) - 1

    def edge_kind(self, number: int, kind: str) -> None:
        self.edge_attrs[number].update(_STYLE.get(kind, {}))

    def lines(self) -> list[str]:
        if self.sub:
            out = [f"subgraph {self.ident} {{" if self.ident else "{"]
        else:
            out = [f"digraph {self.ident or 'G'} {{\n"]
        out += [f'\t{key}="{value}";' for key, value in self.graph_attrs.items()]
        for sub in self.subgraphs:
            out.append("\t" + "\n\t".join(sub.lines()))
        for number, edge in enumerate(self.edges):
            out.append(f"\t{' -> '.join(_quoted(n) for n in edge)} "
                       f"[{_attr_text(self.edge_attrs[number])}];")
        out += [f"\t{_quoted(name)} [{_attr_text(attrs)}];" for name, attrs in self.attrs.items()]
        for top in self.top_nodes:
            for node, rank in self.nodes.items():
                if rank == 0:
                    extra = ',constraint="false"' if node in self.norank_nodes else ""
                    out.append(f'\t{_quoted(top)} -> {_quoted(node)} [style="invis"{extra}];')
        out.append("}")
        return out


class _Drawing:
    def __init__(self, conf) -> None:
        self.conf = conf
        self.by_id: dict[str, object] = {}
        for elem in conf.iter():
            oid = elem.get("id")
            if oid is not None and elem.tag not in ("nvpair", "op", "expression", "rule"):
                if oid not in self.by_id or self.by_id[oid].tag == "node":
                    self.by_id[oid] = elem
        self.templates = {t.get("id"): t for t in conf.iter("template")}

    # -- resources ---------------------------------------------------------------------
    def first_primitive(self, rsc_id: str | None, last: bool = False) -> str | None:
        elem = self.by_id.get(rsc_id) if rsc_id is not None else None
        if elem is None:
            return rsc_id
        while elem.tag != "primitive":
            children = [c for c in elem if c.tag in ("group", "primitive")]
            if not children:
                break
            elem = children[-1] if last else children[0]
        return elem.get("id")

    @staticmethod
    def _label_id(elem) -> str:
        parent = elem.getparent()
        kind = _KIND_OF_PARENT.get(parent.tag) if parent is not None else None
        return f"{kind}:{elem.get('id')}" if kind in ("clone", "ms") else elem.get("id")

    def resource_node(self, graph: _Graph, elem, kind: str) -> None:
        standard, agent = elem.get("class"), elem.get("type")
        if elem.get("template"):            # the template's agent wins, as crmsh merges them
            template = self.templates.get(elem.get("template"))
            if template is None:
                raise ShellError(f"graph: {elem.get('id')}: the template "
                                 f"{elem.get('template')} does not exist")
            standard = template.get("class") or standard
            agent = template.get("type") or agent
        bottom = agent if standard in ("ocf", "stonith") else f"{standard}:{agent}"
        oid = elem.get("id")
        graph.new_node(oid, norank=standard == "stonith")
        graph.attrs.setdefault(_gv_id(oid), {})["label"] = f"{self._label_id(elem)}\\n{bottom}"
        graph.set_attrs(oid, kind)
        graph.set_attrs(oid, f"class:{standard}")
        parent = elem.getparent()
        parent_kind = _KIND_OF_PARENT.get(parent.tag) if parent is not None else None
        if parent_kind in ("clone", "ms"):
            graph.set_attrs(oid, parent_kind)
        if kind == "primitive" and elem.get("template"):
            graph.edge_kind(graph.new_edge([elem.get("template"), oid]), "template:edge")

    def group(self, graph: _Graph, elem) -> None:
        members = [c for c in elem if c.tag == "primitive"]
        sub = _Graph(f"cluster_{elem.get('id')}", sub=True)
        sub.new_edge([m.get("id") for m in members])
        graph.subgraphs.append(sub)
        if members:
            graph.new_node(members[0].get("id"))
        sub.graph_attrs["label"] = self._label_id(elem)
        sub.set_graph_attrs("group")
        parent_kind = _KIND_OF_PARENT.get(elem.getparent().tag)
        if parent_kind in ("clone", "ms"):
            sub.set_graph_attrs(parent_kind)
        for member in members:
            self.resource_node(sub, member, "primitive")

    # -- constraints --------------------------------------------------------------------
    @staticmethod
    def score_label(graph: _Graph, number: int, elem) -> None:
        score = elem.get("score")
        if not score:
            score = elem.get("score-attribute") or ""
        else:
            score = score.replace("INFINITY", "inf")
        score = score or elem.get("kind") or ""
        if score in ("inf", "+inf", "Mandatory"):
            graph.edge_attrs[number]["style"] = "solid"
            return
        if re.match(r"-?([0-9]+|inf)$", score) or score in _ORDER_KINDS:
            label = score
        elif not score:
            label = "Adv"
        else:
            label = f"attr:{score}"
        graph.edge_attrs[number]["label"] = label

    def location(self, graph: _Graph, elem) -> None:
        node, scored = elem.get("node"), elem
        rules = elem.findall("rule")
        expressions = elem.findall(".//expression")
        if node is None and len(rules) == 1 and len(expressions) == 1 \
                and expressions[0].get("attribute") == "#uname" \
                and expressions[0].get("operation") == "eq":
            scored = rules[0]
            node = elem.find("rule/expression").get("value") \
                if elem.find("rule/expression") is not None else None
        if node is None:
            return
        rsc = self.first_primitive(elem.get("rsc"))
        if rsc is None:
            return
        number = graph.new_edge([node, rsc])
        graph.edge_kind(number, "location")
        self.score_label(graph, number, scored)

    def order(self, graph: _Graph, elem) -> None:
        sets = elem.findall("resource_set")
        if not sets:
            self.order_edge(graph, elem, [elem.get("first"), elem.get("then")])
            return
        for edge in _set_edges(sets):
            self.order_edge(graph, elem, edge)
        for rset in sets:
            refs = [r.get("id") for r in rset.findall("resource_ref")]
            if not _true(rset.get("require-all")):
                sub = _Graph(f"cluster{rset.get('id')}", sub=True)
                number = sub.new_edge(refs)
                sub.edge_attrs[number].update({"style": "invis", "constraint": "false"})
                graph.subgraphs.append(sub)
                sub.set_graph_attrs("optional_set")

    def order_edge(self, graph: _Graph, elem, edge: list[str | None]) -> None:
        optional = re.match(r"\[(.*)\]", edge[0] or "")
        names = [re.sub(r"\[(.*)\]", "", n) if n is not None else None for n in edge]
        number = graph.new_edge([self.first_primitive(names[0], last=True),
                                 self.first_primitive(names[1])])
        self.score_label(graph, number, elem)
        if optional:
            graph.edge_kind(number, "optional_set")
            graph.edge_attrs[number]["ltail"] = _gv_id(optional.group(1))


def _true(value: str | None) -> bool:
    return not value or value.lower() in ("true", "yes", "on", "1")


def _set_edges(sets) -> list[list[str]]:
    """crmsh's edges between consecutive resource sets: every member of a set with
    sequential=false to each neighbour, an optional set (require-all=false) by its first
    member, tagged '[cluster<id>]' (the dotted box the edge leaves from)."""
    levels: list = []
    for rset in sets:
        refs = [r.get("id") for r in rset.findall("resource_ref")]
        if not _true(rset.get("require-all")) and len(refs) > 1:
            levels.append(f"[cluster{rset.get('id')}]{refs[0]}")
        elif not _true(rset.get("sequential")) and len(refs) > 1:
            levels.append(refs)
        else:
            levels += refs
    edges: list[list[str]] = []
    for first, then in zip(levels, levels[1:]):
        for a in first if isinstance(first, list) else [first]:
            for b in then if isinstance(then, list) else [then]:
                edges.append([a, b])
    return edges


def render_graph(source) -> str | None:
    """The DOT text crmsh's `configure graph dot FILE` writes (newline-terminated); None
    for a configuration without objects (crmsh writes nothing then)."""
    from crmshell.lang.render import collect_objects, configuration_of

    conf = configuration_of(source)
    objects = collect_objects(conf)
    if not objects:
        return None
    drawing = _Drawing(conf)
    graph = _Graph()
    graph.set_graph_attrs(".")
    for obj in sorted(objects, key=lambda o: o.sort_key):
        elem = obj.elem
        if obj.kind == "node":
            name = elem.get("uname") or obj.obj_id
            graph.new_node(name, top=True)
            graph.attrs.setdefault(_gv_id(name), {})["label"] = name
            graph.set_attrs(name, "node")
        elif obj.kind == "primitive":
            if elem.getparent().tag != "group":
                drawing.resource_node(graph, elem, "primitive")
        elif obj.kind == "rsc_template":
            drawing.resource_node(graph, elem, "rsc_template")
        elif obj.kind == "group":
            drawing.group(graph, elem)
        elif obj.kind == "location":
            drawing.location(graph, elem)
        elif obj.kind == "order":
            drawing.order(graph, elem)
    return "\n".join(graph.lines()) + "\n"
