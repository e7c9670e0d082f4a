"""Writing a DOT graph to a file, or an image of it through Graphviz's `dot` (crmsh's
`graph dot <file> <format>`)."""

from __future__ import annotations

import shutil
import subprocess

from crmshell.errors import ShellError

DOT_TIMEOUT_S = 60


def write_graph(text: str, path: str, image_format: str = "dot") -> None:
    """`text` (DOT) into `path`: as it is for the dot format, else rendered by `dot -T`."""
    from daemon.cib.errors import CibError
    from daemon.cib.persist import current_umask, write_file_atomically

    if image_format == "dot":
        try:
            write_file_atomically(path, text.encode(), new_mode=0o666 & ~current_umask())
        except CibError as err:
            raise ShellError(f"graph: {err}") from None
        return
    dot = shutil.which("dot")
    if dot is None:
        raise ShellError(f"graph: rendering {image_format} needs Graphviz's dot, which is not "
                         "installed (save the dot format instead)")
    try:
        proc = subprocess.run([dot, f"-T{image_format}", "-o", path], input=text.encode(),
                              capture_output=True, timeout=DOT_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise ShellError(f"graph: cannot run {dot}: {err}") from None
    if proc.returncode != 0:
        raise ShellError(f"graph: dot -T{image_format} exited with {proc.returncode}: "
                         f"{proc.stderr.decode(errors='replace').strip()}")
