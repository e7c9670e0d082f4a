"""ISO 8601 dates and durations for rule date expressions, evaluated in UTC.

Only what rules need: parse a date (calendar, ordinal or week form, optional time and
offset) to Unix seconds, add a duration, and break a time into date_spec fields.
Without the calendar module (it loads locale, for every scheduler run): date arithmetic
gives what calendar.timegm and calendar.monthrange would.
"""

from __future__ import annotations

import datetime as _dt
import re

_EPOCH = _dt.date(1970, 1, 1)

_DATE_TIME = re.compile(
    r"^\s*(?P<date>\d{4}-\d{2}-\d{2}|\d{4}-\d{3}|\d{4}-W\d{2}-\d)"
    r"(?:[T ](?P<time>\d{2}(?::\d{2}(?::\d{2})?)?)(?P<frac>\.\d+)?"
    r"\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?)?\s*$"
)


class DateError(ValueError):
    """A date or duration in a rule could not be parsed."""


def parse_date(text: str) -> int:
    """Unix seconds for an ISO 8601 date/time (UTC unless an offset is given)."""
    m = _DATE_TIME.match(text)
    if not m:
        raise DateError(f"invalid date '{text}'")
    d = m.group("date")
    if "W" in d:
        year, week, wday = int(d[:4]), int(d[6:8]), int(d[9])
        day = _dt.date.fromisocalendar(year, week, wday)
    elif len(d) == 8:
        year, yday = int(d[:4]), int(d[5:8])
        day = _dt.date(year, 1, 1) + _dt.timedelta(days=yday - 1)
    else:
        day = _dt.date(int(d[:4]), int(d[5:7]), int(d[8:10]))
    seconds = (day - _EPOCH).days * 86400
    t = m.group("time")
    if t:
        parts = [int(p) for p in t.split(":")]
        while len(parts) < 3:
            parts.append(0)
        seconds += parts[0] * 3600 + parts[1] * 60 + parts[2]
    tz = m.group("tz")
    if tz and tz != "Z":
        sign = -1 if tz[0] == "-" else 1
        digits = tz[1:].replace(":", "")
        hours = int(digits[:2])
        minutes = int(digits[2:4]) if len(digits) >= 4 else 0
        seconds -= sign * (hours * 3600 + minutes * 60)
    return seconds


def _days_in_month(year: int, month: int) -> int:
    following = _dt.date(year + month // 12, month % 12 + 1, 1)
    return (following - _dt.timedelta(days=1)).day


_DURATION_FIELDS = ("years", "months", "weeks", "days", "hours", "minutes", "seconds")


def add_duration(start: int, fields: dict[str, str]) -> int:
    """Add a <duration> element's fields (years, months, ... seconds) to a Unix time."""
    moment = _dt.datetime.fromtimestamp(start, _dt.timezone.utc)
    years = int(fields.get("years", 0) or 0)
    months = int(fields.get("months", 0) or 0)
    total_months = moment.month - 1 + months + 12 * years
    year = moment.year + total_months // 12
    month = total_months % 12 + 1
    day = min(moment.day, _days_in_month(year, month))
    moment = moment.replace(year=year, month=month, day=day)
    delta = _dt.timedelta(
        weeks=int(fields.get("weeks", 0) or 0), days=int(fields.get("days", 0) or 0),
        hours=int(fields.get("hours", 0) or 0), minutes=int(fields.get("minutes", 0) or 0),
        seconds=int(fields.get("seconds", 0) or 0))
    return int((moment + delta).timestamp())


def spec_fields(now: int) -> dict[str, int]:
    """The values date_spec compares against, for a Unix time."""
    moment = _dt.datetime.fromtimestamp(now, _dt.timezone.utc)
    iso = moment.isocalendar()
    return {
        "seconds": moment.second,
        "minutes": moment.minute,
        "hours": moment.hour,
        "monthdays": moment.day,
        "weekdays": iso[2],
        "yeardays": moment.timetuple().tm_yday,
        "months": moment.month,
        "weeks": iso[1],
        "years": moment.year,
        "weekyears": iso[0],
        "moon": _moon_phase(moment),
    }


def _moon_phase(moment: _dt.datetime) -> int:
    # Same approximation the classic "phase of the moon" algorithm uses (0..7).
    days = (moment - _dt.datetime(2001, 1, 1, tzinfo=_dt.timezone.utc)).days
    return int(((days % 29.530588853) / 29.530588853) * 8 + 0.5) % 8


def in_spec_range(value: int, spec: str) -> bool:
    """True if `value` is within a date_spec field such as '9-17' or '3'."""
    spec = spec.strip()
    if "-" in spec[1:]:
        low, _, high = spec.partition("-")
        return int(low) <= value <= int(high)
    return value == int(spec)
