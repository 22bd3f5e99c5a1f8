"""Instants as integer microseconds since the Unix epoch, UTC.

Integers sort and compare identically in SQLite and PostgreSQL and cost nothing to
index; they are turned into RFC 3339 text only at the edge.

`now_micros` is the server's one clock: every instant it writes and every due time it
compares comes from it. It is the wall clock plus an offset that the sandbox moves
forward (`POST /_sandbox/clock`); the offset lives in the store, and each process copies
it here (`set_clock_offset`) from a poller, so reading the clock stays free of I/O.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROS = 1_000_000
_EPOCH_DATE = date(1970, 1, 1)

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2})))?",
    re.ASCII,
)


# Microseconds the clock is ahead of the wall clock; one integer per process, replaced
# whole (never read-modify-written), so threads need no lock to share it.
_offset = 0


def now_micros() -> int:
    return time.time_ns() // 1000 + _offset


def clock_offset() -> int:
    return _offset


def set_clock_offset(micros: int) -> None:
    global _offset
    _offset = micros


def format_micros(micros: int) -> str:
    """`2018-01-01T00:00:00.000000Z`, the shape Telnyx uses. Two divisions and two table
    lookups: every listed order formats two instants, so this is on the hot path."""
    seconds, fraction = divmod(micros, _MICROS)
    day, second = divmod(seconds, 86_400)
    # Six digits as the tail of a seven-digit number: cheaper than a format spec.
    return f"{_date_text(day)}T{_times_of_day()[second]}.{str(fraction + _MICROS)[1:]}Z"


@lru_cache(maxsize=8192)
def _date_text(day: int) -> str:
    return (_EPOCH_DATE + timedelta(days=day)).isoformat()


@cache
def _times_of_day() -> tuple[str, ...]:
    return tuple(f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400))


def parse_instant(text: str) -> int | None:
    """An RFC 3339 date-time (any offset) or a date (midnight UTC); None if invalid.

    Fractions beyond the microsecond are truncated; leap seconds are rejected because
    no stored instant can equal one.
    """
    match = _RFC3339.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, _zulu, sign, off_h, off_m = match.groups()
    try:
        if hour is None:
            moment = datetime(int(year), int(month), int(day), tzinfo=UTC)
        else:
            micros = int((fraction or "0")[:6].ljust(6, "0"))
            moment = datetime(
                int(year), int(month), int(day), int(hour), int(minute), int(second), micros, UTC
            )
            # Subtracting in integers keeps `0001-01-01T00:00:00+01:00` representable.
            return _to_micros(moment) - _offset_micros(sign, off_h, off_m)
    except ValueError:
        return None
    return _to_micros(moment)


def _offset_micros(sign: str | None, hours: str | None, minutes: str | None) -> int:
    if sign is None or hours is None or minutes is None:
        return 0
    if int(hours) > 23 or int(minutes) > 59:
        raise ValueError("offset out of range")
    delta = (int(hours) * 3600 + int(minutes) * 60) * _MICROS
    return delta if sign == "+" else -delta


def _to_micros(moment: datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * _MICROS + delta.microseconds
