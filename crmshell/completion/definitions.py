"""What fits next in a `configure` definition, decided from the grammar's own table.

The words before the cursor are read by the grammar (`TableParser`); the terminals it would
accept next become kinds. Which terminal a word was read as gives the context a kind needs:
the agent after `primitive <id>`, the operation after `op`, the set keyword (`params`, `meta`)
the attributes belong to.
"""

from __future__ import annotations

from crmshell.completion import kinds as k
from crmshell.completion.grammar_table import DoesNotFit, TableParser, Token

# Resources a terminal names, as object kinds.
_ID_TERMS: dict[str, frozenset[str]] = {
    "RSC": k.RESOURCES,
    "RSET_RSC": k.RESOURCES,
    "MON_RSC": k.PRIMITIVES,
    "CHILD_RSC": frozenset({"primitive", "group"}),
    "GROUP_MEMBER": k.PRIMITIVES,
    "BUNDLE_CHILD": k.PRIMITIVES,
    "TAG_MEMBER": frozenset({"resource", "constraint"}),
    "ACL_ROLE_ID": frozenset({"role"}),
    "FT_DEVICES": frozenset({"fencing"}),
}
_SET_KEYWORDS = {"PARAMS": "params", "META": "meta", "UTILIZATION": "utilization",
                 "ATTRIBUTES": "attributes", "OP_PARAMS": "op_params", "OP_META": "op_meta"}
_NV_TERMS = frozenset({"NVPAIR", "NVKEY"})
# a resource going into a container must not be in one already
_NEW_MEMBER = frozenset({"CHILD_RSC", "GROUP_MEMBER", "BUNDLE_CHILD"})
_IN_SET = frozenset({*_SET_KEYWORDS, "NVPAIR", "NVKEY", "NVPAIR_ID", "NVPAIR_REF", "OP_NAME"})
_SCORED = frozenset({"location", "colocation", "collocation", "order", "rsc_ticket"})
_ROLES = ("Started", "Stopped", "Promoted", "Unpromoted", "Master", "Slave")
# Terminals that are always possible but rarely wanted: offered once the user starts them.
_QUIET = {
    "DESCRIPTION": ("description=", "a description of the object"),
    "SET_ID": ("$id=", "the id of this set"),
    "SET_IDREF": ("$id-ref=", "use the set with this id"),
    "NODE_ATTRIBUTE": ("node-attribute=", "colocate on nodes with the same value of this "
                       "node attribute (default #uname)"),
}
_WORD_TERMS = {
    "SCORE": (("inf:", "always (INFINITY)"), ("-inf:", "never (-INFINITY)"),
              ("100:", "a preference")),
    "KIND": (("Mandatory:", "the first must be done before the second starts"),
             ("Optional:", "only if both are being started or stopped"),
             ("Serialize:", "never at the same time")),
    "ROLE_ATTR": tuple((f"role={r}", "only in this role") for r in _ROLES),
    "LOC_ATTR": (("role=", "only in this role"),
                 ("resource-discovery=", "always, never or exclusive")),
    "SYMMETRICAL": (("symmetrical=true", "stop in reverse order"),
                    ("symmetrical=false", "no reverse order on stop")),
    "LOSS_POLICY": tuple((f"loss-policy={p}", "when the ticket is revoked")
                         for p in ("stop", "demote", "fence", "freeze")),
    "BINOP": tuple((op, "comparison") for op in ("eq", "ne", "lt", "gt", "lte", "gte")),
    "BOOL_OP": (("and", "both"), ("or", "either")),
    "EXPR_ATTR": (("#uname", "the node's name"), ("#id", "the node's id"),
                  ("#kind", "cluster, remote or container")),
    "DATE_KV": tuple((f"{f}=", "date field") for f in ("start", "end", "hours", "weekdays",
                                                        "monthdays", "months", "years")),
    "RSC_SET_MARK": (),
}


class Context:
    """What the words typed so far say about the statement being written: its kind, agent,
    the set the next attributes go to (params, meta, op, op_params, op_meta, attributes or
    implicit), the operation, and the names that set has already."""

    def __init__(self) -> None:
        self.kind = ""
        self.agent: str | None = None
        self.section = "implicit"
        self.op: str | None = None
        self.given: set[str] = set()

    def __repr__(self) -> str:
        return f"Context({self.__dict__})"


def context_of(tokens: list[Token]) -> Context:
    ctx = Context()
    for i, tok in enumerate(tokens):
        term = tok.terminal
        if i == 0:
            ctx.kind = tok.value.lower()
        elif term == "RA_TYPE":
            ctx.agent = tok.value
        elif term == "TEMPLATE_REF":
            ctx.agent = tok.value  # "@template": the matcher finds the template's agent
        elif term in _SET_KEYWORDS:
            ctx.section = _SET_KEYWORDS[term]
            ctx.given = set()
        elif term == "OP":
            ctx.section, ctx.op, ctx.given = "op", None, set()
        elif term == "OP_NAME":
            ctx.op = tok.value
        elif term in ("NVPAIR", "NVKEY", "NVPAIR_ID"):
            ctx.given.add(tok.value.split("=", 1)[0].lstrip("$").split(":")[-1])
    return ctx


def attribute_domain(ctx: Context) -> str | None:
    """Which names fit as `name=` here (None: free-form, nothing to offer)."""
    kind, section = ctx.kind, ctx.section
    if kind in ("primitive", "resource", "rsc_template"):
        if section == "op" or section == "op_meta":
            return f"op:{ctx.agent or ''}:{ctx.op or ''}"
        if section in ("params", "implicit"):
            return f"params:{ctx.agent}" if ctx.agent else None
        if section == "meta":
            return "meta:template" if kind == "rsc_template" else "meta:primitive"
        return None
    if kind in ("group", "clone", "ms", "master", "bundle"):
        if section in ("meta", "implicit"):
            target = {"ms": "promotable", "master": "promotable"}.get(kind, kind)
            return f"meta:{target}"
        return None
    if kind == "property":
        return "property"
    if kind == "rsc_defaults":
        return "meta:"
    if kind == "op_defaults":
        return "op_defaults"
    return None


def suggest(table: TableParser, words: list[str], current: str) -> list:
    """Kinds for the word being typed (`current`), after the complete `words` of a statement."""
    try:
        state = table.parse(words)
    except DoesNotFit:
        return []
    if state.xml:
        return []
    expected = table.expected(state.stack)
    ctx = context_of(state.tokens)
    out: list = []
    for term in expected:
        if term == "SCORE" and ctx.kind not in _SCORED:
            continue  # a set's precedence score: legal, but noise in a menu
        out.extend(_kinds_for(term, ctx, current))
    keywords = [(table.keyword_text[t], _keyword_meta(t)) for t in expected
                if t in table.keyword_text and not table.keyword_text[t].startswith("_")]
    keywords = [(w, m) for w, m in keywords if w not in ("{", "}", "(", ")", "[", "]")
                or current]
    if keywords:
        # inside a set of attributes the names matter most; elsewhere the keywords do
        inside_set = bool(state.tokens) and state.tokens[-1].terminal in _IN_SET
        out.insert(len(out) if inside_set else 0, k.Keywords(tuple(keywords)))
    unique: list = []
    for kind in out:
        if kind not in unique:
            unique.append(kind)
    return unique


def _kinds_for(term: str, ctx: Context, current: str) -> list:
    if term in _NV_TERMS:
        domain = attribute_domain(ctx)
        if domain is None:
            return []
        name, eq, _value = current.partition("=")
        if eq:
            return [k.AttrValue(domain, name)]
        return [k.Attributes(domain, frozenset(ctx.given))]
    if term == "RA_TYPE":
        return [k.AgentName()]
    if term == "TEMPLATE_REF":
        return [k.ObjectIds(frozenset({"rsc_template"}), prefix="@")]
    if term == "OP_NAME":
        return [k.OpNames(ctx.agent)]
    if term in ("NODE_REF", "UNAME"):
        return [k.NodeNames()]
    if term == "FT_TARGET":
        return [k.NodeNames(suffix=":")]
    if term == "ROLE_REF":
        return [k.ObjectIds(frozenset({"role"}), prefix="role:")]
    if term in _ID_TERMS:
        return [k.ObjectIds(_ID_TERMS[term], free=term in _NEW_MEMBER)]
    if term in _WORD_TERMS:
        return [k.Choice(_WORD_TERMS[term])] if _WORD_TERMS[term] else []
    if term in _QUIET and current:
        return [k.Choice((_QUIET[term],))]
    return []


def _keyword_meta(term: str) -> str:
    return {
        "PARAMS": "instance attributes (agent parameters)",
        "META": "meta attributes",
        "OP": "an operation",
        "OPERATIONS": "operations by reference",
        "UTILIZATION": "utilization attributes",
        "RULE": "a rule",
        "OP_PARAMS": "operation instance attributes",
        "OP_META": "operation meta attributes",
        "ATTRIBUTES": "attributes",
    }.get(term, "keyword")
