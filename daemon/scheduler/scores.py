"""Score arithmetic with Pacemaker's saturating INFINITY.

Scores are plain ints clamped to [-INFINITY, +INFINITY]. -INFINITY wins over +INFINITY when
both meet, because a ban must never be cancelled by a preference.
"""

from __future__ import annotations

INFINITY = 1_000_000

_NAMED = {
    "INFINITY": INFINITY,
    "+INFINITY": INFINITY,
    "-INFINITY": -INFINITY,
}


def add(a: int, b: int) -> int:
    """Add two scores the way Pacemaker does: -INF absorbs, then +INF absorbs, else clamp."""
    if a <= -INFINITY or b <= -INFINITY:
        return -INFINITY
    if a >= INFINITY or b >= INFINITY:
        return INFINITY
    total = a + b
    if total > INFINITY:
        return INFINITY
    if total < -INFINITY:
        return -INFINITY
    return total


def clamp(value: int) -> int:
    if value > INFINITY:
        return INFINITY
    if value < -INFINITY:
        return -INFINITY
    return value


def parse(text: str | None, default: int = 0, *, health: dict[str, int] | None = None) -> int:
    """Parse a score: an integer, [+-]INFINITY, or a node-health colour (red/yellow/green).

    Anything unparsable gives `default`, matching the scheduler's tolerance of bad input.
    """
    if text is None:
        return default
    text = text.strip()
    named = _NAMED.get(text.upper())
    if named is not None:
        return named
    if health is not None:
        colour = health.get(text.lower())
        if colour is not None:
            return colour
    sign = 1
    digits = text
    if digits[:1] in "+-" and digits[:1] != "":
        sign = -1 if digits[0] == "-" else 1
        digits = digits[1:]
    if not digits.isdigit():
        # strtol-like: take the leading digits if any
        lead = ""
        for ch in digits:
            if not ch.isdigit():
                break
            lead += ch
        if not lead:
            return default
        digits = lead
    return clamp(sign * int(digits))


def is_valid(text: str | None) -> bool:
    """True if `text` is a score Pacemaker would accept without falling back to a default."""
    if text is None:
        return False
    t = text.strip()
    if t.upper() in _NAMED:
        return True
    if t[:1] in "+-":
        t = t[1:]
    return t.isdigit()


def text(score: int) -> str:
    """Render a score as Pacemaker prints it in .scores output."""
    if score >= INFINITY:
        return "INFINITY"
    if score <= -INFINITY:
        return "-INFINITY"
    return str(score)
