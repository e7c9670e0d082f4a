"""Durations as Pacemaker reads them: '10s', '1min', '500ms', plain seconds, ISO 8601 'PT1M'."""

from __future__ import annotations

import re

_UNITS_MS = {
    "": 1000, "s": 1000, "sec": 1000, "secs": 1000, "second": 1000, "seconds": 1000,
    "ms": 1, "msec": 1, "msecs": 1,
    "us": 0.001, "usec": 0.001, "usecs": 0.001,
    "m": 60_000, "min": 60_000, "mins": 60_000, "minute": 60_000, "minutes": 60_000,
    "h": 3_600_000, "hr": 3_600_000, "hrs": 3_600_000, "hour": 3_600_000, "hours": 3_600_000,
}

_PLAIN = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")


def msec(text: str | None) -> int | None:
    """Milliseconds for a duration like crm_get_msec(); None if it cannot be parsed."""
    if text is None:
        return None
    m = _PLAIN.match(text)
    if not m:
        return None
    unit = m.group(2).lower()
    factor = _UNITS_MS.get(unit)
    if factor is None:
        return None
    value = float(m.group(1)) * factor
    if value < 0:
        return None
    return int(value)


def iso_duration_ms(text: str) -> int | None:
    """ISO 8601 duration ('PT1M30S', 'P1D', also the lenient 'P30S') in milliseconds."""
    t = text.strip()
    if not t.startswith("P") or len(t) < 2:
        return None
    seconds = 0.0
    in_time = False
    number = ""
    for ch in t[1:]:
        if ch == "T":
            in_time = True
            continue
        if ch.isdigit() or ch == ".":
            number += ch
            continue
        if not number:
            return None
        value = float(number)
        number = ""
        if ch == "Y":
            seconds += value * 365 * 86400
        elif ch == "M":
            seconds += value * (60 if in_time else 30 * 86400)
        elif ch == "W":
            seconds += value * 7 * 86400
        elif ch == "D":
            seconds += value * 86400
        elif ch == "H":
            seconds += value * 3600
        elif ch == "S":
            seconds += value
        else:
            return None
    if number:
        return None
    return int(seconds * 1000)


def interval_ms(text: str | None) -> int:
    """An operation interval in ms (0 when unset or invalid), like pcmk_parse_interval_spec()."""
    if text is None:
        return 0
    t = text.strip()
    if t.startswith("P"):
        value = iso_duration_ms(t)
    else:
        value = msec(t)
    return value or 0


def readable_ms(ms: int) -> str:
    """A short human rendering of a millisecond count (for explanations and logs)."""
    if ms % 1000:
        return f"{ms}ms"
    s = ms // 1000
    if s and s % 3600 == 0:
        return f"{s // 3600}h"
    if s and s % 60 == 0:
        return f"{s // 60}m"
    return f"{s}s"
