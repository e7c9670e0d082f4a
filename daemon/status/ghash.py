"""The order crm_mon lists what Pacemaker keeps in a string-keyed GLib hash table (the
tickets): slot order, not insertion order, so showing the same list means placing the
keys as the table does.

Pacemaker 2.1's crm_str_hash() is GLib's pre-2.28 string hash (h = h * 31 + c over
signed chars). GLib 2.74's table has 2^shift slots, starts a key at (hash * 11) mod a
prime below the size, probes quadratically, and grows in place when the slots fill
(relocating entries in slot order, evicting as it goes). The model was checked against
crm_mon 2.1.5 on tables of 2 to 20 tickets, across two resizes.
"""

from __future__ import annotations

from typing import Iterable

_PRIMES = (1, 2, 3, 7, 13, 31, 61, 127, 251, 509, 1021, 2039, 4093, 8191, 16381, 32749,
           65521)
_MIN_SHIFT = 3
_MASK32 = 0xFFFFFFFF


def str_hash(key: str) -> int:
    """crm_str_hash(); 0 and 1 mean empty and deleted slots to GLib, so they become 2."""
    value = 0
    for byte in key.encode():
        value = (value * 31 + (byte - 256 if byte > 127 else byte)) & _MASK32
    return value if value >= 2 else 2


class _Table:
    def __init__(self) -> None:
        self.count = 0
        self._set_shift(_MIN_SHIFT)
        self.hashes = [0] * self.size
        self.keys: list[str | None] = [None] * self.size

    def _set_shift(self, shift: int) -> None:
        self.size, self.mod, self.mask = 1 << shift, _PRIMES[shift], (1 << shift) - 1

    def _start(self, hash_value: int) -> int:
        return ((hash_value * 11) & _MASK32) % self.mod

    def insert(self, key: str) -> None:
        hash_value = str_hash(key)
        slot, step = self._start(hash_value), 0
        while self.hashes[slot]:
            if self.keys[slot] == key:
                return
            step += 1
            slot = (slot + step) & self.mask
        self.hashes[slot], self.keys[slot] = hash_value, key
        self.count += 1
        if self.size <= self.count + self.count // 16:
            self._grow()

    def _grow(self) -> None:
        old_size = self.size
        self._set_shift(max(int(self.count * 1.333).bit_length(), _MIN_SHIFT))
        self.hashes += [0] * (self.size - old_size)
        self.keys += [None] * (self.size - old_size)
        placed = [False] * self.size
        for slot in range(old_size):
            if not self.hashes[slot] or placed[slot]:
                continue
            hash_value, key = self.hashes[slot], self.keys[slot]
            self.hashes[slot], self.keys[slot] = 0, None
            while hash_value:       # place it, carrying on with whatever it evicts
                target, step = self._start(hash_value), 0
                while placed[target]:
                    step += 1
                    target = (target + step) & self.mask
                placed[target] = True
                evicted = self.hashes[target], self.keys[target]
                self.hashes[target], self.keys[target] = hash_value, key
                hash_value, key = evicted


def hash_order(keys: Iterable[str]) -> list[str]:
    """`keys` (in insertion order, repeats ignored) in the order GLib iterates them."""
    table = _Table()
    for key in keys:
        table.insert(key)
    return [key for key in table.keys if key is not None]
