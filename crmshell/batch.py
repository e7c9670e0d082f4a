"""Batch input (`-f FILE`, standard input) as transactions.

crmsh skips a failing line and commits the rest; we do not. Each `commit` line, leaving
`configure`, and the end of input close a transaction. A transaction with a failed command, or
whose verification finds errors, is not committed, and nothing after it is applied; the rest
of the input is still parsed so every error is reported in one run. Errors read
`FILE:LINE:COLUMN: message` followed by the statement, and one last line says what was
committed and what was not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from crmshell.errors import Consequence, ShellError, internal_error, reportable
from crmshell.ui.context import ShellContext, Transaction
from crmshell.ui.walker import QuitSession, Walker
from crmshell.ui.words import one_line, printable


@dataclass(frozen=True)
class Statement:
    line: int  # first physical line, 1-based
    text: str  # with backslash-newline continuations kept
    is_comment: bool = False


def statements(text: str) -> Iterator[Statement]:
    """Logical statements: continuation lines joined, blank lines dropped, comments marked."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        start = i
        chunk = [lines[i]]
        while chunk[-1].endswith("\\") and i + 1 < len(lines):
            i += 1
            chunk.append(lines[i])
        i += 1
        joined = "\n".join(chunk)
        stripped = joined.strip()
        if not stripped:
            continue
        yield Statement(start + 1, joined, stripped.startswith("#"))


def report(ctx: ShellContext, err: Exception, stmt_text: str) -> None:
    """`FILE:LINE:COLUMN: message`, then the statement it is about."""
    if getattr(err, "source", None) and not isinstance(err, ShellError):
        # a ParseError or CibParseError: the place is in the file it names
        message = getattr(err, "message", None) or getattr(err, "reason", None) or str(err)
        where = f"{err.source}:{err.line}:{err.column}"
    else:
        column = getattr(err, "column", None) or 1
        where, message = f"{ctx.location.source}:{ctx.location.line}:{column}", str(err)
    ctx.err.write(f"{where}: {printable(message)}\n")
    if stmt_text.strip():
        ctx.err.write(f"    {one_line(stmt_text)}\n")


def run_batch(ctx: ShellContext, walker: Walker, text: str, source: str) -> int:
    ctx.location.source = source
    errors = 0
    dry = False  # after a failed transaction: check the rest, apply nothing
    last_line = 0
    for stmt in statements(text):
        ctx.location.line = stmt.line
        last_line = stmt.line + stmt.text.count("\n")
        if stmt.is_comment:  # dropped, as crmsh's batch drops them (edit keeps its own)
            continue
        if ctx.transaction.first_line is None:
            ctx.transaction.first_line = stmt.line
        try:
            walker.execute(stmt.text, dry=dry)
        except QuitSession:
            break
        except reportable() as err:
            errors += 0 if isinstance(err, Consequence) else 1
            ctx.transaction.fail()
            report(ctx, err, stmt.text)
        except Exception as err:  # noqa: BLE001 - a bug: report it here, commit nothing
            errors += 1
            ctx.transaction.fail()
            ctx.err.write(f"{ctx.location.source}:{stmt.line}:1: "
                          f"{internal_error(err, 'running this statement')}\n"
                          f"    {one_line(stmt.text)}\n")
        if ctx.closed_failed:
            dry = True
    ctx.location.line = last_line or 1
    try:
        walker.leave_all(dry=dry)
    except reportable() as err:
        errors += 0 if isinstance(err, Consequence) else 1
        ctx.transaction.fail()
        ctx.err.write(f"{source}: end of input: {err}\n")
    except Exception as err:  # noqa: BLE001 - a bug while committing or verifying at the end
        errors += 1
        ctx.err.write(f"{source}: end of input: {internal_error(err, 'ending the batch')}\n")
    errors += ctx.errors
    if errors:
        ctx.err.write(summary(ctx, errors, source) + "\n")
    return 1 if errors else 0


def summary(ctx: ShellContext, errors: int, source: str) -> str:
    plural = "s" if errors > 1 else ""
    if ctx.committed:
        done = ", ".join(f"lines {a}-{b}" if a != b else f"line {a}" for a, b in ctx.committed)
        return (f"{source}: {errors} error{plural}; committed: {done}; "
                f"everything after line {ctx.committed[-1][1]} was not committed")
    return f"{source}: {errors} error{plural}; nothing was committed"


__all__ = ["run_batch", "statements", "Statement", "Transaction"]
