"""Loading a CIB file for the scheduler: the thin I/O edge (`schedule()` takes an element).

Files are parsed as a stream, with the same parser settings as the shared CIB library
(daemon/cib/document.py: huge_tree, blank text dropped, no entities, no network), and the
operation history is slimmed while it is read: attributes of `lrm_rsc_op` that only
describe the recording (debug origin, feature set, execution and queue times, an empty
exit reason) are dropped (the feature set is kept on entries with a secure digest).
A 32-node, 5,000-resource running cluster keeps 160,000 history entries; libxml2 spends
about 300 bytes per attribute, so this is what keeps such a file under 1 GiB in memory.
Text already in memory goes through the shared library's parser unchanged.
"""

from __future__ import annotations

from daemon.scheduler.errors import CibInputError

# lrm_rsc_op attributes the scheduler never reads.
UNUSED_HISTORY_ATTRIBUTES = ("crm-debug-origin", "crm_feature_set", "exec-time", "queue-time")


def load_cib(path: str):
    """Read and parse a CIB file and return its <cib> element (history slimmed)."""
    from lxml import etree

    from daemon.cib.document import PARSER_OPTIONS, syntax_error
    try:
        events = etree.iterparse(path, events=("end",), tag="lrm_rsc_op", remove_comments=True,
                                 **PARSER_OPTIONS)
        for _, op in events:
            attrib = op.attrib
            # the feature set tells how a secure digest was computed: kept where there is one
            keep = "crm_feature_set" if "op-secure-digest" in attrib else None
            for name in UNUSED_HISTORY_ATTRIBUTES:
                if name in attrib and name != keep:
                    del attrib[name]
            if attrib.get("exit-reason") == "":
                del attrib["exit-reason"]
        root = events.root
    except OSError as exc:
        raise CibInputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except etree.XMLSyntaxError as exc:
        raise CibInputError(str(syntax_error(path, exc))) from None
    if root.tag != "cib":
        raise CibInputError(f"{path}:{root.sourceline or 1}:1: the root element is "
                            f"<{root.tag}>, not <cib>")
    if root.find("configuration") is None:
        raise CibInputError(f"{path}:{root.sourceline or 1}:1: <cib> has no <configuration> "
                            "element")
    return root


def parse_cib_text(text: bytes | str, name: str = "<input>"):
    """Parse CIB text; malformed XML or a non-CIB document raises CibInputError(file:line:col)."""
    from daemon.cib.document import parse_cib
    from daemon.cib.errors import CibParseError
    data = text.encode() if isinstance(text, str) else text
    try:
        return parse_cib(data, source=name)
    except CibParseError as exc:
        raise CibInputError(str(exc)) from None
