"""Helpers for the fencer tests: CIBs with fence devices and levels, agents written by a test."""

from __future__ import annotations

import stat
from pathlib import Path
from xml.sax.saxutils import quoteattr

from lxml import etree

from daemon.executor.meta.model import Action, AgentMeta, Parameter
from daemon.executor.model import AgentSpec


def nvpairs(owner: str, kind: str, values: dict[str, str]) -> str:
    pairs = "".join(f'<nvpair id="{owner}-{kind}-{n}" name="{n}" value={quoteattr(v)}/>'
                    for n, v in values.items())
    return f'<{kind} id="{owner}-{kind}">{pairs}</{kind}>'


def device(rid: str, agent: str = "fence_test", meta: dict[str, str] | None = None,
           **params: str) -> str:
    """A `primitive class="stonith"` with `params` as instance attributes."""
    inner = nvpairs(rid, "instance_attributes", params) if params else ""
    inner += nvpairs(rid, "meta_attributes", meta) if meta else ""
    return f'<primitive id="{rid}" class="stonith" type="{agent}">{inner}</primitive>'


def level(lid: str, index: int | str, devices: str, **target: str) -> str:
    attrs = "".join(f' {k.replace("_", "-")}={quoteattr(v)}' for k, v in target.items())
    return f'<fencing-level id="{lid}" index="{index}" devices="{devices}"{attrs}/>'


def node(name: str, **attrs: str) -> str:
    inner = nvpairs(f"n-{name}", "instance_attributes", attrs) if attrs else ""
    return f'<node id="{name}" uname="{name}">{inner}</node>'


def cib(resources: str = "", levels: str = "", nodes: str = "", constraints: str = "",
        rsc_defaults: str = ""):
    topology = f"<fencing-topology>{levels}</fencing-topology>" if levels else ""
    defaults = f"<rsc_defaults>{rsc_defaults}</rsc_defaults>" if rsc_defaults else ""
    text = (f'<cib admin_epoch="0" epoch="1" num_updates="0"><configuration><crm_config/>'
            f"<nodes>{nodes}</nodes><resources>{resources}</resources>"
            f"<constraints>{constraints}</constraints>{defaults}{topology}"
            f"</configuration><status/></cib>")
    return etree.fromstring(text.encode())


def agent_meta(name: str, actions: tuple[str, ...], params: tuple[str, ...] = ()) -> AgentMeta:
    return AgentMeta(AgentSpec("stonith", None, name),
                     parameters=tuple(Parameter(p) for p in params),
                     actions=tuple(Action(a) for a in actions))


def write_executable(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path
