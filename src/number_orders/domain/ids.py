"""Every id and token the server makes, from one kind of source: `RandomIds`.

- random ids: version-4 UUIDs (orders, numbers, accounts, events, request ids);
- time-ordered ids: version-7 UUIDs, which rise with the instant they carry (seeded orders,
  journal entries);
- hex tokens (API key ids, webhook claim leases);
- stable ids: version-5 UUIDs of a name, the same in every process (requirement ids).

The module's shared source is seeded from the operating system, and again in each forked
child so a child never repeats its parent's ids; `seed` makes it repeatable for a test. A
`RandomIds` of its own, seeded, makes the same ids in the same order on any machine (bulk
seeding, the order factory). None of this is secret: a Mersenne Twister's output can be
predicted from enough of it, so the secret half of an API key comes from `secrets` instead.
A seeded generator makes an id without a system call, which on the event loop thread
would give up the GIL and wait to get it back.
"""

from __future__ import annotations

import random
import uuid

_V4_MASK = ~((0xF << 76) | (0x3 << 62))
_V4_BITS = (4 << 76) | (2 << 62)  # version 4, RFC 9562 variant
_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}
_STABLE_NAMESPACE = uuid.UUID("6f1c1b1e-3d4a-4f0e-9a55-2f7a0b7c9d10")


class RandomIds(random.Random):
    """A `random.Random` that also makes ids; its random numbers and ids share one stream,
    so a seeded source gives the same data whatever mix of calls it serves."""

    def uuid4(self) -> str:
        return _dashed(f"{self.getrandbits(128) & _V4_MASK | _V4_BITS:032x}")

    def uuid7(self, micros: int) -> str:
        """Time-ordered: see `_version_7`; the 62 bits after the variant are random."""
        low = f"{(2 << 62) | self.getrandbits(62):016x}"
        return _version_7(micros, f"-{low[:4]}-{low[4:]}")

    def hex_token(self, nbytes: int = 16) -> str:
        return f"{self.getrandbits(nbytes * 8):0{nbytes * 2}x}"

    def family(self) -> IdFamily:
        return IdFamily(self)


class IdFamily:
    """Version-4 UUIDs for one order, cheap to make: 74 random bits shared by the family,
    then a 48-bit tail that starts at random and counts up. Ids within a family differ by
    their tail; two families share a prefix with odds of about 10^-7 at 10^8 families, and
    even then their tails would have to overlap. One format call per id."""

    __slots__ = ("prefix", "tail")

    def __init__(self, rng: random.Random) -> None:
        h = rng.randbytes(10).hex()
        self.prefix = f"{h[:8]}-{h[8:12]}-4{h[12:15]}-{_VARIANT[h[15]]}{h[16:19]}-"
        self.tail = rng.getrandbits(48)

    def next(self) -> str:
        self.tail = tail = (self.tail + 1) & 0xFFFFFFFFFFFF
        return f"{self.prefix}{tail:012x}"

    def ordered(self, micros: int) -> str:
        """A version-7 UUID (`_version_7`) whose random part is the next id's."""
        return _version_7(micros, self.next()[18:])


def _version_7(micros: int, tail: str) -> str:
    """48 bits of Unix milliseconds, the version, the microseconds within the millisecond
    in the 12 "rand_a" bits (RFC 9562, method 3), then `tail`: the variant and 62 bits as
    the last `-xxxx-xxxxxxxxxxxx` of a UUID's text.

    Ids made oldest first rise with them, so every insert lands at the right edge of a
    primary key instead of a random page: a random-order key made SQLite rewrite pages
    all over a key larger than its cache.
    """
    stamp = f"{(micros // 1000) & 0xFFFFFFFFFFFF:012x}"
    return f"{stamp[:8]}-{stamp[8:]}-7{micros % 1000:03x}{tail}"


def _dashed(h: str) -> str:
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def stable_id(name: str) -> str:
    """The same UUID for the same name, in every process and release."""
    return str(uuid.uuid5(_STABLE_NAMESPACE, name))


_shared = RandomIds()


def random_id() -> str:
    """A version-4 UUID from the shared source."""
    return _shared.uuid4()


def ordered_id(micros: int) -> str:
    """A version-7 UUID from the shared source: ids made later sort after earlier ones."""
    return _shared.uuid7(micros)


def hex_token(nbytes: int = 16) -> str:
    """`nbytes` random bytes from the shared source, as hex."""
    return _shared.hex_token(nbytes)


def seed(value: int | str | None) -> None:
    """Make the shared source repeatable (None: back to the operating system's seed)."""
    _shared.seed(value)
