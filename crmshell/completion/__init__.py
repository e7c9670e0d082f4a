"""Completion as a pure function of the line, the cursor and what the shell knows.

    complete(level_path, line, cursor, env) -> [Candidate(text, display, meta, start), ...]
    describe(level_path, line, cursor, env) -> one line for the toolbar

`env` is a `CompletionEnv` (`ContextEnv` over a running shell, `static_env.StaticEnv` over plain values).
Nothing here imports prompt_toolkit; lxml and the agent catalogue are loaded only by the
matchers that need them.
"""

__all__ = ["complete", "describe", "Candidate", "CompletionEnv", "ContextEnv",
           "ObjectRef"]

_HOMES = {"complete": "suggest", "describe": "suggest", "Candidate": "kinds",
          "CompletionEnv": "env", "ContextEnv": "env", "ObjectRef": "env"}


def __getattr__(name: str):
    """Load the engine on first use: levels import `crmshell.completion.kinds` for their
    argument kinds, and that must not drag the matchers into every command's start-up."""
    if name not in _HOMES:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(f"crmshell.completion.{_HOMES[name]}"), name)
