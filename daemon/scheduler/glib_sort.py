"""GLib's g_list_sort(), which Pacemaker uses for every list it sorts.

It is a stable merge sort that splits at len // 2. Ties keep their input order, and with a
comparison that is not a total order (several of Pacemaker's are not), only this exact
splitting reproduces Pacemaker's results, so Python's sorted() cannot stand in for it.
"""

from __future__ import annotations

from typing import Callable, TypeVar

T = TypeVar("T")


def merge_sort(items: list[T], cmp: Callable[[T, T], int]) -> list[T]:
    """A new list sorted by `cmp` (negative: first argument goes first)."""
    if len(items) <= 1:
        return list(items)
    mid = len(items) // 2
    left = merge_sort(items[:mid], cmp)
    right = merge_sort(items[mid:], cmp)
    out = []
    i = j = 0
    while i < len(left) and j < len(right):
        if cmp(left[i], right[j]) <= 0:
            out.append(left[i])
            i += 1
        else:
            out.append(right[j])
            j += 1
    out.extend(left[i:])
    out.extend(right[j:])
    return out
