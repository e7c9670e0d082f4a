"""The interactive shell on prompt_toolkit: a thin layer over the walker and the completion
engine. Each concern has its own small module (prompt text, key bindings, toolbar, style,
history, the pending-changes question, the completer adapter); `app.py` only wires them.
"""

from crmshell.repl.app import run_repl

__all__ = ["run_repl"]
