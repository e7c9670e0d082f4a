"""Loading a CIB document. The one place the scheduler touches lxml parsing.

This is a stand-in until the shared CIB library (daemon/cib/) lands; swap `load_cib` for it.
"""

from __future__ import annotations

from daemon.scheduler.errors import CibInputError


def load_cib(path: str):
    """Parse a CIB file (huge_tree for large status sections) and return its root."""
    from lxml import etree
    parser = etree.XMLParser(huge_tree=True, remove_blank_text=False, remove_comments=True)
    try:
        tree = etree.parse(path, parser)
    except OSError as exc:
        raise CibInputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (0, 0)
        raise CibInputError(f"{path}:{line}:{col}: malformed XML: {exc.msg}") from None
    root = tree.getroot()
    check_root(root, path)
    return root


def parse_cib_text(text: bytes | str, name: str = "<input>"):
    from lxml import etree
    parser = etree.XMLParser(huge_tree=True, remove_comments=True)
    try:
        root = etree.fromstring(text.encode() if isinstance(text, str) else text, parser)
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (0, 0)
        raise CibInputError(f"{name}:{line}:{col}: malformed XML: {exc.msg}") from None
    check_root(root, name)
    return root


def check_root(root, name: str) -> None:
    if root.tag != "cib":
        raise CibInputError(f"{name}: root element is <{root.tag}>, expected <cib>")
    if root.find("configuration") is None:
        raise CibInputError(f"{name}: /cib has no <configuration> section")
