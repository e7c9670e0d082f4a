"""Everything a command needs, passed explicitly: no module-level singletons.

A test builds a `ShellContext` on a CIB file and calls level methods directly. The staged CIB
and the agent catalogue are created on first use, so commands that need neither (help,
--version, navigation) never load lxml or run agents.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Mapping, TextIO

from crmshell.errors import ShellError

if TYPE_CHECKING:
    from crmshell.agents import AgentCatalog
    from crmshell.cib.source import CibSource
    from crmshell.staging.cib_status import CibStatus
    from crmshell.staging.staged import StagedCib


@dataclass
class Transaction:
    """What the batch rules need to know about the commands since the last commit."""

    first_line: int | None = None
    failed: bool = False

    def fail(self) -> None:
        self.failed = True


@dataclass
class Location:
    """Where the statement being run came from, for `FILE:LINE:COLUMN:` messages."""

    source: str = "<command line>"
    line: int = 1


@dataclass
class Options:
    cib_file: str | None = None
    shadow: str | None = None
    interactive: bool = False
    batch: bool = False
    colour: bool = False
    force: bool = False
    socket: str | None = None  # --socket: the live cluster through this crmshelld socket
    wait: bool = False  # -w/--wait: writes return once the cluster has carried them out

    @property
    def where(self):
        from crmshell.cib.choose import Where

        return Where(cib_file=self.cib_file, shadow=self.shadow, socket=self.socket)


@dataclass
class ShellContext:
    options: Options
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    # Asks the user a question with fixed answers; None means "not interactive, apply the rules".
    ask: Callable[[str, list[str]], str] | None = None
    transaction: Transaction = field(default_factory=Transaction)
    location: Location = field(default_factory=Location)
    # Line ranges of the transactions committed so far (for the batch summary).
    committed: list[tuple[int, int]] = field(default_factory=list)
    # Decides what happens to pending changes when `configure` is left; None applies the batch
    # rules (commit a clean transaction, drop a failed one). The REPL asks instead.
    on_pending_changes: Callable[["ShellContext"], None] | None = None
    warnings: int = 0
    errors: int = 0  # error findings reported (verify), for the batch summary
    # Where each object was last defined in this session: verify findings point there.
    origins: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    # Set when a failed transaction was closed (not committed): a batch applies nothing more.
    closed_failed: bool = False
    # The status section `configure cibstatus` works on (loaded on first use there).
    cib_status: "CibStatus | None" = None
    _source: "CibSource | None" = None
    _staged: "StagedCib | None" = None
    _catalog: "AgentCatalog | None" = None

    # -- output ----------------------------------------------------------------------------
    def write(self, text: str) -> None:
        if text:
            self.out.write(text if text.endswith("\n") else text + "\n")

    def write_lines(self, lines: list[str]) -> None:
        self.write("\n".join(lines))

    def report(self, message: str) -> None:
        """What a write did to the cluster (crmsh's INFO lines): shown in a batch too."""
        self.err.write(f"INFO: {message}\n")

    def note(self, message: str) -> None:
        self.err.write(f"note: {message}\n")

    def info(self, message: str) -> None:
        """Progress a person at the prompt wants to see; a batch stays quiet."""
        if self.options.interactive:
            self.err.write(f"{message}\n")

    def warn(self, message: str) -> None:
        self.warnings += 1
        self.err.write(f"warning: {message}\n")

    def error(self, message: str) -> None:
        from crmshell.ui.words import printable

        self.err.write(f"error: {printable(message)}\n")

    def finding(self, finding, *, counted: bool = True) -> None:
        """One verify finding; in a batch, at the statement that defined the object."""
        where, statement = "", ""
        if self.options.batch and self.location.source != "<command line>":
            line, column, statement = self.origins.get(finding.object_id or "",
                                                       (self.location.line, 1, ""))
            if finding.word and statement:
                from crmshell.lang.words import word_position

                line, column = word_position(statement, finding.word, line=line,
                                             column=column) or (line, column)
            where = f"{self.location.source}:{line}:{column}: "
        kind = "error" if finding.severity == "error" else "warning"
        if kind == "error" and counted:
            self.errors += 1
        else:
            self.warnings += 1
        self.err.write(f"{where}{kind}: {finding.message}\n")
        if statement and kind == "error":
            from crmshell.ui.words import one_line

            self.err.write(f"    {one_line(statement)}\n")

    # -- transactions ----------------------------------------------------------------------
    def transaction_committed(self) -> None:
        start = self.transaction.first_line or self.location.line
        self.committed.append((start, self.location.line))
        self.transaction = Transaction()

    def close_failed(self) -> None:
        """The transaction is over and not committed: drop its staged changes."""
        self.drop_staged()
        self.closed_failed = True
        self.transaction = Transaction()

    # -- the CIB ---------------------------------------------------------------------------
    @property
    def source(self) -> "CibSource":
        if self._source is None:
            from crmshell.cib.choose import session_source

            self._source = session_source(self.options.where, self.env)
        return self._source

    def switch_source(self, source: "CibSource") -> None:
        """Point the session at another CIB (cib use); refuses while changes are pending."""
        if self._staged is not None and self._staged.has_changes():
            raise ShellError("there are uncommitted changes; commit or discard them first")
        self._source = source
        self._staged = None

    @property
    def staged(self) -> "StagedCib":
        if self._staged is None:
            from crmshell.staging.staged import StagedCib

            self._staged = StagedCib(self.source, providers=self._providers)
        return self._staged

    @property
    def staged_if_loaded(self) -> "StagedCib | None":
        return self._staged

    def drop_staged(self) -> None:
        self._staged = None

    def _providers(self, agent_type: str) -> list[str]:
        try:
            return self.catalog.providers(agent_type)
        except ShellError:
            return []

    @property
    def catalog(self) -> "AgentCatalog":
        if self._catalog is None:
            from crmshell.agents import AgentCatalog

            self._catalog = AgentCatalog.from_env(self.env)
        return self._catalog
