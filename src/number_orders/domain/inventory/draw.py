"""Deterministic draws: keyed hashes and keyed permutations.

Nothing here uses Python's `hash()` or a random generator: the same seed gives the same
draw in every process and on every machine, so a search is repeatable across restarts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from number_orders.domain.inventory.templates import Template

_MASK64 = (1 << 64) - 1
_ROUNDS = 4


def key_of(*parts: str) -> int:
    """A 64-bit key naming `parts` (joined unambiguously)."""
    text = "\x1f".join(parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def mix(key: int, value: int) -> int:
    """A 64-bit hash of `value` under `key` (the splitmix64 finaliser)."""
    z = (key ^ (value * 0x9E3779B97F4A7C15)) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def permute(key: int, index: int, size: int) -> int:
    """The `index`-th element of a keyed permutation of `range(size)`.

    A balanced Feistel network over the smallest even power of two covering `size`,
    walked until it lands inside the range: a bijection, so drawing indexes 0, 1, 2...
    visits every element once, in an order that looks random.
    """
    half = max(1, ((size - 1).bit_length() + 1) // 2)
    mask = (1 << half) - 1
    value = index
    while True:
        left, right = value >> half, value & mask
        for round_ in range(_ROUNDS):
            left, right = right, left ^ (mix(key + round_, right) & mask)
        value = (left << half) | right
        if value < size:
            return value


@dataclass
class Space:
    """The numbers of one template, drawn without repetition in a keyed order."""

    template: Template
    key: int
    drawn: int = 0
    size: int = field(init=False)
    free: tuple[int, ...] = field(init=False)  # positions with a choice, last first

    def __post_init__(self) -> None:
        self.free = tuple(
            i for i in reversed(range(len(self.template))) if len(self.template[i]) > 1
        )
        size = 1
        for position in self.free:
            size *= len(self.template[position])
        self.size = size

    @property
    def exhausted(self) -> bool:
        return self.drawn >= self.size

    def next(self) -> str | None:
        """The next number of the draw (national digits), or None when all were drawn."""
        if self.exhausted:
            return None
        value = permute(self.key, self.drawn, self.size)
        self.drawn += 1
        return self.number(value)

    def number(self, value: int) -> str:
        """The `value`-th number of the template in plain mixed-radix order."""
        digits = [choices[0] for choices in self.template]
        for position in self.free:
            choices = self.template[position]
            value, at = divmod(value, len(choices))
            digits[position] = choices[at]
        return "".join(digits)
