"""Completion as a pure function of the line, the cursor and what the shell knows.

    complete(level_path, line, cursor, env) -> [Candidate(text, display, meta, start), ...]
    describe(level_path, line, cursor, env) -> one line for the toolbar

`env` is a `CompletionEnv` (`ContextEnv` over a running shell, `static_env.StaticEnv` over plain values).
Nothing here imports prompt_toolkit; lxml and the agent catalogue are loaded only by the
matchers that need them.
"""

from crmshell.completion.env import CompletionEnv, ContextEnv, ObjectRef
from crmshell.completion.kinds import Candidate
from crmshell.completion.suggest import complete, describe

__all__ = ["complete", "describe", "Candidate", "CompletionEnv", "ContextEnv",
           "ObjectRef"]
