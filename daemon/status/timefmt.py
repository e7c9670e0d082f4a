"""Times as crm_mon writes them: ctime() for people, ISO 8601 in XML failures, readable
durations ('1m35.134s', '20s', '10ms')."""

from __future__ import annotations

import time

from daemon.status.results import leading_int

_MS_IN_S = 1000
_MS_IN_M = 60 * _MS_IN_S
_MS_IN_H = 60 * _MS_IN_M
_MS_IN_D = 24 * _MS_IN_H


_INT64 = 1 << 63


def epoch_of(text: str | None) -> int | None:
    """A CIB time attribute as crm_element_value_epoch() reads it: the leading integer,
    or None when there is none or it is no time this machine can show (crm_mon then
    leaves the time out rather than print a wrong one)."""
    value = leading_int(text)
    if value is None or not -_INT64 <= value < _INT64 or not _representable(value):
        return None
    return value


def _representable(epoch: int) -> bool:
    try:
        time.localtime(epoch)
    except (OverflowError, OSError, ValueError):
        return False
    return True


def ctime_text(epoch: int) -> str:
    """'Wed Dec  2 21:58:24 2026' in local time (C's ctime() without its newline); empty
    for a time beyond the platform's range, as ctime() returns nothing for it."""
    if not _representable(epoch):
        return ""
    return time.strftime("%a %b %e %H:%M:%S %Y", time.localtime(epoch))


def iso_text(epoch: int) -> str:
    """'2012-02-22 17:04:34Z' (local time with its offset; Z when that is UTC); empty
    beyond the platform's range."""
    if not _representable(epoch):
        return ""
    local = time.localtime(epoch)
    offset = local.tm_gmtoff or 0
    if offset == 0:
        zone = "Z"
    else:
        sign = "+" if offset > 0 else "-"
        hours, minutes = divmod(abs(offset) // 60, 60)
        zone = f"{sign}{hours:02d}:{minutes:02d}"
    return time.strftime("%Y-%m-%d %H:%M:%S", local) + zone


def readable_interval(ms: int) -> str:
    """pcmk__readable_interval(): each unit only when strictly more than one of it remains,
    so 60000 ms is '60s' and 1000 ms is '1000ms', as Pacemaker prints them."""
    out = ""
    for size, unit in ((_MS_IN_D, "d"), (_MS_IN_H, "h"), (_MS_IN_M, "m")):
        if ms > size:
            out += f"{ms // size}{unit}"
            ms -= (ms // size) * size
    if ms > _MS_IN_S:
        out += f"{ms // _MS_IN_S}"
        ms -= (ms // _MS_IN_S) * _MS_IN_S
        if ms > 0:
            out += f".{ms:03d}"
        out += "s"
    elif ms > 0:
        out += f"{ms}ms"
    elif not out:
        out = "0s"
    return out


def parse_ctime(text: str) -> int:
    """The Unix time of a ctime() text in local time (the inverse of ctime_text())."""
    return int(time.mktime(time.strptime(" ".join(text.split()), "%a %b %d %H:%M:%S %Y")))
