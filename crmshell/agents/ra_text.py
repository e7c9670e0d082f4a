"""Text for the `ra` level (`classes`, `providers`, `list`, `info`), laid out as crmsh 4.4 lays
it out. Pure: values in, one string out (no trailing newline); the level prints it."""

from __future__ import annotations

from crmshell.agents.model import Action, AgentMeta, Parameter

INDENT = "    "
HIDDEN_ACTIONS = frozenset({"meta-data", "validate-all"})
PROVIDER_CLASSES = frozenset({"ocf"})


def classes_text(classes: list[str], ocf_providers: list[str]) -> str:
    """One class per line, sorted; ocf followed by its providers (`ocf / heartbeat pacemaker`)."""
    lines = []
    for cls in sorted(classes):
        if cls in PROVIDER_CLASSES:
            if ocf_providers:
                lines.append(f"{cls} / {' '.join(ocf_providers)}")
        else:
            lines.append(cls)
    return "\n".join(lines)


def providers_text(providers: list[str]) -> str:
    return " ".join(providers)


def list_text(names: list[str], width: int = 80) -> str:
    """Names in rows of equal-width columns, like `ls`: as many columns as fit in `width`
    for the longest name plus a two-space gap (names of 8 characters or fewer count as 8)."""
    if not names:
        return ""
    longest = max(8, *(len(n) for n in names))
    cols = max(1, width // (longest + 2))
    col_width = width // cols
    rows = []
    for start in range(0, len(names), cols):
        row = names[start:start + cols]
        cells = [n.ljust(col_width) for n in row[:-1]]
        last = row[-1]
        # a full row of several columns ends with the bare name; other rows keep the padding
        cells.append(last if len(row) == cols > 1 else last.ljust(col_width))
        rows.append("".join(cells))
    return "\n".join(rows)


def _shortdesc_worth_showing(shortdesc: str, *redundant: str) -> str:
    return shortdesc if shortdesc and shortdesc not in redundant else ""


def _indent_block(text: str) -> str:
    return INDENT + text.replace("\n", "\n" + INDENT)


def format_parameter(param: Parameter, agent_type: str) -> str:
    head = param.name + ("*" if param.required else "")
    if param.type and param.default:
        head += f" ({param.type}, [{param.default}])"
    elif param.type:
        head += f" ({param.type})"
    short = _shortdesc_worth_showing(param.shortdesc, param.name, param.longdesc, agent_type)
    lines = [f"{head}: {short}"]
    if param.longdesc:
        lines.append(_indent_block(param.longdesc) + "\n")
    return "\n".join(lines)


def format_action(action: Action) -> str:
    attrs = "".join(f" {k}={v}" for k, v in action.attrs if v)
    return f"{INDENT}{action.name:<13}{attrs}"


def info_text(meta: AgentMeta) -> str:
    """`ra info`: title, long description, parameters (`*` required, `[]` default) and the
    advised operation defaults."""
    spec = meta.spec
    short = _shortdesc_worth_showing(meta.shortdesc, spec.type, meta.longdesc)
    blocks = [f"{short} ({spec})" if short else str(spec)]
    if meta.longdesc:
        blocks.append(meta.longdesc)
    params = [format_parameter(p, spec.type) for p in meta.parameters]
    if params:
        blocks.append(("Parameters (*: required, []: default):\n\n" + "\n".join(params)).rstrip())
    actions = [format_action(a) for a in meta.actions if a.name not in HIDDEN_ACTIONS]
    if actions:
        blocks.append("Operations' defaults (advisory minimum):\n\n" + "\n".join(actions))
    return "\n\n".join(blocks)
