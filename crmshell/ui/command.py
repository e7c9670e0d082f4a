"""Commands are `do_<name>` methods on level classes; their signature is their usage.

`@command(...)` attaches what a signature cannot say (aliases, completers, a hand-written usage
for keyword-shaped syntax). Arity is checked from the signature before the method runs, so a
method never re-parses its own arguments.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable

from crmshell.errors import UsageError


@dataclass(frozen=True)
class CommandSpec:
    name: str
    func: Callable[..., Any]
    aliases: tuple[str, ...] = ()
    usage: str = ""
    summary: str = ""
    min_args: int = 0
    max_args: int | None = 0  # None: any number
    completers: tuple[Any, ...] = ()  # one per positional argument
    repeating: Any = None  # completer for every further argument
    raw: bool = False  # receives the statement text instead of split words
    needs_daemon: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def check_arity(self, args: list[str]) -> None:
        n = len(args)
        if n < self.min_args or (self.max_args is not None and n > self.max_args):
            if self.max_args is not None and n > self.max_args:
                why = f"too many arguments ({n}, at most {self.max_args})"
            else:
                why = f"missing arguments ({n} given, {self.min_args} needed)"
            raise UsageError(f"{self.name}: {why}; usage: {self.usage}")


def command(
    name: str | None = None,
    *,
    aliases: tuple[str, ...] = (),
    usage: str | None = None,
    completers: tuple[Any, ...] = (),
    repeating: Any = None,
    raw: bool = False,
    needs_daemon: bool = False,
):
    """Mark a level method as a command; the name defaults to the method name without `do_`."""

    def mark(func: Callable[..., Any]) -> Callable[..., Any]:
        func.__crmshell_command__ = dict(  # type: ignore[attr-defined]
            name=name,
            aliases=aliases,
            usage=usage,
            completers=completers,
            repeating=repeating,
            raw=raw,
            needs_daemon=needs_daemon,
        )
        return func

    return mark


def spec_for(attr_name: str, func: Callable[..., Any]) -> CommandSpec:
    meta = getattr(func, "__crmshell_command__", {})
    name = meta.get("name") or attr_name[len("do_") :]
    params = list(inspect.signature(func).parameters.values())[2:]  # self, ctx
    min_args = 0
    max_args: int | None = 0
    parts: list[str] = []
    for p in params:
        label = p.name.rstrip("_").replace("_", "-")
        if p.kind is p.VAR_POSITIONAL:
            max_args = None
            parts.append(f"[<{label}> ...]")
        elif p.default is p.empty:
            min_args += 1
            max_args = None if max_args is None else max_args + 1
            parts.append(f"<{label}>")
        else:
            max_args = None if max_args is None else max_args + 1
            parts.append(f"[<{label}>]")
    usage = meta.get("usage") or " ".join([name, *parts])
    doc = inspect.getdoc(func) or ""
    return CommandSpec(
        name=name,
        func=func,
        aliases=tuple(meta.get("aliases", ())),
        usage=usage,
        summary=doc.splitlines()[0] if doc else "",
        min_args=min_args,
        max_args=max_args,
        completers=tuple(meta.get("completers", ())),
        repeating=meta.get("repeating"),
        raw=bool(meta.get("raw")),
        needs_daemon=bool(meta.get("needs_daemon")),
    )
