"""Pacemaker's node name ordering: case-insensitive, digit runs compared as numbers."""

from __future__ import annotations

from functools import cmp_to_key


def compare_names(a: str, b: str) -> int:
    """pcmk__numeric_strcasecmp(): '007' sorts after '7', 'node2' before 'node10'."""
    i = j = 0
    la, lb = len(a), len(b)
    while i < la and j < lb:
        ca, cb = a[i], b[j]
        if ca.isdigit() and cb.isdigit():
            ei = i
            while ei < la and a[ei].isdigit():
                ei += 1
            ej = j
            while ej < lb and b[ej].isdigit():
                ej += 1
            na, nb = int(a[i:ei]), int(b[j:ej])
            if na != nb:
                return -1 if na < nb else 1
            if (ei - i) != (ej - j):
                return -1 if (ei - i) < (ej - j) else 1
            i, j = ei, ej
            continue
        la_c, lb_c = ca.lower(), cb.lower()
        if la_c != lb_c:
            return -1 if la_c < lb_c else 1
        i += 1
        j += 1
    if i >= la and j < lb:
        return -1
    if i < la and j >= lb:
        return 1
    return 0


name_key = cmp_to_key(compare_names)
