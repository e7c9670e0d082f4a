"""CIB versions and the bookkeeping attributes Pacemaker keeps on the `<cib>` element.

A CIB's version is (admin_epoch, epoch, num_updates), compared in that order. Pacemaker
bumps `epoch` and resets `num_updates` on every configuration change, and bumps only
`num_updates` on status changes; `admin_epoch` is the administrator's override and is
never bumped automatically. Nodes use the version to decide whose copy is newer, so it
must never go backwards.
"""

from __future__ import annotations

import time
from typing import NamedTuple

from lxml import etree

from daemon.cib.errors import CibError

VERSION_FIELDS = ("admin_epoch", "epoch", "num_updates")

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class CibVersion(NamedTuple):
    """A CIB version; tuples order it as Pacemaker does."""

    admin_epoch: int
    epoch: int
    num_updates: int

    def __str__(self) -> str:
        return f"{self.admin_epoch}.{self.epoch}.{self.num_updates}"

    @classmethod
    def from_attributes(cls, elem: etree._Element, where: str = "cib") -> CibVersion:
        """Read the three fields from an element's attributes (missing ones are 0)."""
        values = []
        for name in VERSION_FIELDS:
            text = elem.get(name)
            if text is None:
                values.append(0)
                continue
            try:
                value = int(text)
            except ValueError:
                value = -1
            if value < 0:
                raise CibError(f"{where}: {name}={text!r} is not a non-negative integer")
            values.append(value)
        return cls(*values)

    def to_attributes(self, elem: etree._Element) -> None:
        """Set the three fields as attributes of an element."""
        for name, value in zip(VERSION_FIELDS, self):
            elem.set(name, str(value))


def read_version(root: etree._Element) -> CibVersion:
    """The version of a CIB document."""
    return CibVersion.from_attributes(root, "/cib")


def write_version(root: etree._Element, version: CibVersion) -> None:
    """Set the version of a CIB document."""
    version.to_attributes(root)


def bump_epoch(root: etree._Element) -> CibVersion:
    """Record a configuration change: epoch + 1, num_updates = 0. Returns the new version."""
    old = read_version(root)
    new = CibVersion(old.admin_epoch, old.epoch + 1, 0)
    write_version(root, new)
    return new


def bump_num_updates(root: etree._Element) -> CibVersion:
    """Record a status change: num_updates + 1. Returns the new version."""
    old = read_version(root)
    new = CibVersion(old.admin_epoch, old.epoch, old.num_updates + 1)
    write_version(root, new)
    return new


def format_last_written(when: float) -> str:
    """`cib-last-written` as Pacemaker writes it: ctime() in local time, English names.

    For example `Tue Nov  5 09:07:03 2024` (the day is padded with a space).
    """
    t = time.localtime(when)
    return (
        f"{_DAYS[t.tm_wday]} {_MONTHS[t.tm_mon - 1]} {t.tm_mday:2d} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} {t.tm_year}"
    )


def stamp_update(
    root: etree._Element,
    *,
    when: float,
    origin: str | None = None,
    client: str | None = None,
    user: str | None = None,
    config_changed: bool = True,
) -> None:
    """Set the attributes Pacemaker records with an update of the CIB.

    `update-origin` (the node), `update-client` (the tool, e.g. `cibadmin`) and
    `update-user` are set when given; `cib-last-written` is set from `when` (seconds since
    the epoch) when the configuration changed, as Pacemaker does not touch it for status
    updates.
    """
    if config_changed:
        root.set("cib-last-written", format_last_written(when))
    for name, value in (("update-origin", origin), ("update-client", client), ("update-user", user)):
        if value is not None:
            root.set(name, value)
