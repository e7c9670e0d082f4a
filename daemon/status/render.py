"""One call for whatever `crm status` was asked for: the output format is an option
(options.output), so the daemon and the shell need not know which renderer serves it."""

from __future__ import annotations

from daemon.status.options import StatusError, StatusOptions


def render(cib, *, now: float, options: StatusOptions = StatusOptions(), **live) -> bytes:
    """The status as bytes, ready to print: text or simple lines (each ending in a
    newline) or crm_mon's XML document. `live` are the renderers' live-cluster keywords
    (local_node, pacemakerd_state, fence_history). HTML is refused with a StatusError
    (not written yet)."""
    if options.output == "xml":
        from daemon.status.xml import render_xml

        return render_xml(cib, now=now, options=options, **live)
    if options.output == "simple":
        from daemon.status.simple import render_simple

        lines = render_simple(cib, now=now, options=options)
    elif options.output == "text":
        from daemon.status.text import render_text

        lines = render_text(cib, now=now, options=options, **live)
    else:
        raise StatusError(f"options.output: '{options.output}' output is not supported "
                          f"yet (use text, xml or simple)")
    return "".join(line + "\n" for line in lines).encode()
