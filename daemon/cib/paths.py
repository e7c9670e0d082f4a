"""XML paths that name one element of a CIB, for messages and for v2 patchsets.

A step is `tag[@id='ID']` when the element has an id, `tag` when no sibling shares its tag,
and `tag[N]` (1-based, among the siblings with that tag) otherwise. That is both a valid
XPath and, for every element a patchset addresses, the form Pacemaker writes and reads
(`/cib/configuration/resources/primitive[@id='d1']`): Pacemaker never writes `[N]`, and the
patchset code only addresses elements whose plain step is unambiguous.
"""

from __future__ import annotations

from lxml import etree


def id_predicate(elem_id: str) -> str:
    """The `[@id=...]` predicate, quoted so that any id stays one XPath literal."""
    if "'" not in elem_id:
        return f"[@id='{elem_id}']"
    if '"' not in elem_id:
        return f'[@id="{elem_id}"]'
    parts = "', \"'\", '".join(elem_id.split("'"))
    return f"[@id=concat('{parts}')]"


def path_step(elem: etree._Element) -> str:
    """The last step of `element_path(elem)`."""
    tag = elem.tag
    elem_id = elem.get("id")
    if elem_id is not None:
        return tag + id_predicate(elem_id)
    parent = elem.getparent()
    if parent is None:
        return tag
    same = [sibling for sibling in parent.iterchildren(tag)]
    if len(same) == 1:
        return tag
    return f"{tag}[{same.index(elem) + 1}]"


def element_path(elem: etree._Element) -> str:
    """The absolute path of an element, e.g. `/cib/configuration/resources/primitive[@id='d1']`."""
    steps = []
    node: etree._Element | None = elem
    while node is not None:
        steps.append(path_step(node))
        node = node.getparent()
    return "/" + "/".join(reversed(steps))
