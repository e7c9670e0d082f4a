"""Random statements drawn from the grammar itself, for property tests.

A random derivation of grammars/crm.lark (bounded depth), with every terminal replaced by a
word of its class. The words are chosen so that most statements parse, which puts the
builder and placement through every shape the grammar allows.
"""

from __future__ import annotations

import random

SAMPLES = {
    "OBJ_ID": ["d1", "d2", "g1", "c1", "l1", "x_1", "id=d3"],
    "UNAME": ["node1", "node2", "node3:ping", "node4:remote"],
    "RA_TYPE": ["Dummy", "ocf:heartbeat:Dummy", "ocf:pacemaker:Stateful", "stonith:null",
                "lsb:foo", "ocf:Delay"],
    "TEMPLATE_REF": ["@tpl"],
    "SCORE": ["inf:", "-inf:", "100:", "0:", "pingd:", "advisory:", "+INFINITY:"],
    "KIND": ["Mandatory:", "optional:", "Serialize:"],
    "TICKET": ["ticketA:"],
    "RSC": ["d1", "d2", "g1"],
    "RSC_PATTERN": ["/d.*/"],
    "CHILD_RSC": ["d1", "g1"],
    "GROUP_MEMBER": ["d1", "d2", "d3"],
    "RSET_RSC": ["d1", "d2:Started", "d3:Master", "d4:start", "d5:promote", "d6"],
    "TAG_MEMBER": ["d1", "l1"],
    "BUNDLE_CHILD": ["d1"],
    "NODE_REF": ["node1"],
    "NVPAIR": ["a=1", "target-role=Stopped", "x=\"a b\"", "timeout=20s", "interval=10",
               "OCF_CHECK_LEVEL=10", "e="],
    "NVPAIR_ID": ["$myid:n=v", "$other=v"],
    "NVPAIR_REF": ["@d2-state", "@d2:state"],
    "NVKEY": ["bare", "flag"],
    "SET_ID": ["$id=set1", "$id=set2"],
    "SET_IDREF": ["$id-ref=d2", "$id-ref=set9"],
    "SETNAME": ["opts:", "cib-bootstrap-options:"],
    "DESCRIPTION": ["description=hello", "description=\"two words\""],
    "ROLE_ATTR": ["role=Started", "$role=Promoted"],
    "LOC_ATTR": ["role=Started", "resource-discovery=never"],
    "SETATTR": ["sequential=false", "require-all=true"],
    "SYMMETRICAL": ["symmetrical=false"],
    "NODE_ATTRIBUTE": ["node-attribute=rack"],
    "LOSS_POLICY": ["loss-policy=stop"],
    "BINOP": ["eq", "lt", "number:gte", "version:gt", "string:ne"],
    "EXPR_ATTR": ["#uname", "pingd", "mem"],
    "EXPR_VALUE": ["node1", "0", "param{x}", "1.0"],
    "DATE_VALUE": ["2020-01-01"],
    "DATE_KV": ["start=2020-01-01", "end=2021-01-01", "hours=9-17", "years=2020", "weekdays=1-5"],
    "BOOL_OP": ["and", "or"],
    "OP_NAME": ["monitor", "start", "stop"],
    "TAG_ID": ["t1", "t2:"],
    "ACL_SPEC": ["xpath:/cib", "ref:d1", "tag:node", "attr:uname", "meta:d1:target-role",
                 "status", "cib", "nodeattr:a1", "node:node1", "property"],
    "ROLE_REF": ["role:r1"],
    "ACL_ROLE_ID": ["r1", "r2"],
    "ALERT_PATH": ["/usr/share/x.sh"],
    "RECIPIENT_VALUE": ["10.0.0.1", "/tmp/log"],
    "SELECT_ATTR_NAME": ["a1", "a2"],
    "FT_ATTR": ["attr:rack=1"],
    "FT_PATTERN": ["pattern:node.*"],
    "FT_TARGET": ["node1:", "node2:"],
    "FT_DEVICES": ["d1", "d1,d2"],
    "MON_RSC": ["d1", "d1:Started"],
    "MON_INTERVAL": ["10s", "30s:20s"],
    "XML_DATA": ["<primitive id=\"x1\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>",
                 "<rsc_location id=\"lx\" rsc=\"d1\" score=\"1\" node=\"node1\"/>"],
}


class GrammarWalk:
    def __init__(self, lark) -> None:
        self.rules: dict[str, list[list[str]]] = {}
        for rule in lark.rules:
            self.rules.setdefault(rule.origin.name, []).append([s.name for s in rule.expansion])
        self.keywords = lark.parser.lexer.keyword_text

    def statement(self, rng: random.Random, start: str = "start") -> str:
        return " ".join(self._expand(start, rng, 0))

    def _expand(self, symbol: str, rng: random.Random, depth: int) -> list[str]:
        if symbol in self.keywords:
            return [self.keywords[symbol]]
        if symbol not in self.rules:
            return [rng.choice(SAMPLES.get(symbol, ["w"]))]
        options = self.rules[symbol]
        if depth > 12:
            options = sorted(options, key=len)[:1]
        out: list[str] = []
        for child in rng.choice(options):
            out += self._expand(child, rng, depth + 1)
        return out
