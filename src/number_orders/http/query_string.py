"""Raw query strings into `(key, value)` text pairs, losing nothing a validator needs.

Starlette's own parsing replaces undecodable bytes silently; here they survive as
surrogates (`surrogateescape`) so that the listing rules can reject them by name.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes


def parse_pairs(raw: bytes) -> list[tuple[str, str]]:
    pairs = []
    for segment in raw.split(b"&"):
        if not segment:
            continue
        key, _, value = segment.partition(b"=")
        pairs.append((_decode(key), _decode(value)))
    return pairs


def _decode(component: bytes) -> str:
    return unquote_to_bytes(component.replace(b"+", b" ")).decode("utf-8", "surrogateescape")
