"""The one door from a CIB to the unpacked state both status formats render.

Status is often asked for by someone whose cluster is broken, so a CIB that is not one
(another document, unreadable XML) gets a StatusError that says where, never a traceback
from deep inside the scheduler.
"""

from __future__ import annotations

from lxml import etree

from daemon.scheduler.engine import build_working_set
from daemon.scheduler.working_set import WorkingSet
from daemon.status.options import StatusError


def as_cib(cib) -> etree._Element:
    """The <cib> element of an element, an element tree or XML text (bytes or str)."""
    if isinstance(cib, (bytes, str)):
        try:
            cib = etree.fromstring(cib.encode() if isinstance(cib, str) else cib)
        except etree.XMLSyntaxError as err:
            line, column = err.position
            raise StatusError(f"CIB:{line}:{column}: not well-formed XML: {err.msg}") from None
    elif isinstance(cib, etree._ElementTree):
        cib = cib.getroot()
    if not isinstance(cib, etree._Element):
        raise StatusError(f"CIB: expected an XML element, got {type(cib).__name__}")
    if cib.tag != "cib":
        raise StatusError(f"/{cib.tag}: not a CIB (the document element must be <cib>)")
    if cib.find("configuration") is None:
        raise StatusError("/cib/configuration: missing (a CIB needs its configuration "
                          "section)")
    return cib


def working_set(cib, now: float) -> WorkingSet:
    """The scheduler's unpacking of `cib` at whole second `now` (crm_mon's clock has
    seconds only, and failure expiry compares whole seconds)."""
    return build_working_set(as_cib(cib), int(now))
