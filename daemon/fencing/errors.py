"""The one error of the fencer's configuration reading: it names the element and attribute.

A fencing configuration problem must reach an administrator as a sentence they can act on
("fence1: pcmk_host_map: 'node2' has no port"), not as a traceback: the plan records such
problems and leaves out only the device or level they touch, as Pacemaker's fencer logs and
ignores them, and `check_configuration` lists them all for a verify.
"""

from __future__ import annotations


class FencingConfigError(ValueError):
    """`element_id` is the id of the primitive or fencing-level, `attribute` the instance
    attribute or XML attribute at fault (None when the element itself is)."""

    def __init__(self, element_id: str, attribute: str | None, problem: str) -> None:
        self.element_id = element_id
        self.attribute = attribute
        self.problem = problem
        where = f"{element_id}: {attribute}" if attribute else element_id
        super().__init__(f"{where}: {problem}")
