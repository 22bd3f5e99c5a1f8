"""Idempotent creates: an `Idempotency-Key` names one create request of one account.

The same key with the same body returns the order the first request made; the same key
with another body is refused. Bodies compare by content (keys sorted, spacing ignored),
by a SHA-256 of their canonical JSON. Keys are kept at least `RETENTION_MICROS`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from number_orders.errors import bad_header

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
RETENTION_MICROS = 24 * 3600 * 1_000_000
_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]{1,255}", re.ASCII)


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    key: str
    fingerprint: str

    @staticmethod
    def check_header(value: str) -> str:
        """The key if well formed; a 400 naming the header otherwise."""
        if _PRINTABLE_ASCII.fullmatch(value) and value.strip():
            return value
        raise bad_header(
            HEADER, f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters."
        )

    @classmethod
    def for_body(cls, key: str, body: Mapping[str, Any]) -> IdempotencyKey:
        return cls(key, fingerprint(body))


def fingerprint(body: Mapping[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


@dataclass(frozen=True, slots=True)
class PriorRequest:
    """What a key was first used for."""

    fingerprint: str
    order_id: str
