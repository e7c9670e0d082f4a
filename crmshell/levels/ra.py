"""The `ra` level: resource agent classes, providers, lists and meta-data."""

from __future__ import annotations

from crmshell.completion import kinds as k
from crmshell.errors import Consequence, UsageError
from crmshell.ui.command import command
from crmshell.ui.level import Level


def _agent_params(args: list[str]):
    return k.Attributes(f"params:{args[0]}", frozenset(a.partition("=")[0] for a in args[1:]))


class RaLevel(Level):
    name = "ra"
    summary = "resource agents: classes, providers, lists and meta-data"

    def do_classes(self, ctx) -> None:
        """List the agent classes (and the OCF providers)."""
        from crmshell.agents.format import format_classes

        ctx.write(format_classes(ctx.catalog))

    @command(usage="providers <type> [<class>]", completers=(k.AgentType("ocf"), k.AgentClass()))
    def do_providers(self, ctx, agent_type: str, agent_class: str = "ocf") -> None:
        """List the OCF providers of an agent type."""
        from crmshell.agents.format import format_providers

        ctx.write(format_providers(ctx.catalog, agent_type, agent_class))

    @command(usage="list <class> [<provider>]", completers=(k.AgentClass(), k.AgentProvider()))
    def do_list(self, ctx, agent_class: str, provider: str | None = None) -> None:
        """List the agents of a class (and provider)."""
        from crmshell.agents.format import format_list

        ctx.write(format_list(ctx.catalog, agent_class, provider))

    @command(aliases=("meta",), completers=(k.AgentName(),))
    def do_info(self, ctx, agent: str) -> None:
        """Show an agent's parameters and actions from its meta-data."""
        from crmshell.agents.format import format_info

        ctx.write(format_info(ctx.catalog, agent))

    @command(usage="validate [<class>:[<provider>:]]<type> [<name>=<value> ...]",
             completers=(k.AgentName(),), repeating=k.Then(_agent_params))
    def do_validate(self, ctx, agent: str, *params: str) -> None:
        """Run an agent's validate-all with the given parameters."""
        from crmshell.agents.validate import report_lines, validate
        from daemon.executor.codes import OCF_CODES

        values = {}
        for param in params:
            name, eq, value = param.partition("=")
            if not eq or not name:
                raise UsageError(f"validate: expected <name>=<value>, got '{param}'")
            values[name] = value
        result = validate(ctx.catalog, agent, values)
        for line in report_lines(result):
            ctx.err.write(line + "\n")
        if result.rc != 0:
            code = OCF_CODES.get(result.rc)
            what = f"{code.name}, {code.text}" if code else "not an OCF code"
            raise Consequence(f"{result.agent}: validate-all failed: exit code {result.rc} "
                              f"({what})")
