"""The cluster status as crm_mon prints it: text (`crm status`) and XML (`--output-as=xml`).

    render_text(cib, now=..., options=StatusOptions(...)) -> list[str]
    render_xml(cib, now=..., options=StatusOptions(...)) -> bytes
    render_simple(cib, now=...) -> list[str]                # crm_mon -s
    render(cib, now=..., options=...) -> bytes              # by options.output
    crm_status_options(words) -> StatusOptions        # `crm status bynode inactive ...`

Both renderers are pure: the CIB and the time come in, lines or bytes go out. The daemon
calls them with its live CIB; the shell calls them on a CIB file. The state itself (who
is online, what runs where, what failed) is the scheduler's unpacking of the CIB, the
same one that plans transitions, so status and scheduling never disagree.

Importing this package is cheap on purpose: a `crmshell status` client needs the options
and nothing of the scheduler, so the renderers (and the scheduler under them) load on
first use only.
"""

from __future__ import annotations

from daemon.status.options import StatusError, StatusOptions, crm_status_options

__all__ = ["StatusError", "StatusOptions", "crm_status_options", "render", "render_simple",
           "render_text", "render_xml"]

_LAZY = {"render_text": "daemon.status.text", "render_xml": "daemon.status.xml",
         "render_simple": "daemon.status.simple", "render": "daemon.status.render"}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'daemon.status' has no attribute '{name}'")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
