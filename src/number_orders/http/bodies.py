"""Request bodies into JSON objects, checked in the contract's order: media type (415),
size (413), syntax (400). Field rules are the domain's (422).

A body is also refused (400) when it nests deeper than `MAX_DEPTH`: the parser accepts up
to 1,024 levels, but whatever it accepts must stay usable by every later step (the
idempotency fingerprint re-encodes it, and orjson encodes at most 254 levels).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
from starlette.requests import Request

from number_orders import errors
from number_orders.domain.fields import json_type

# The deepest body any operation takes has three levels (`{"phone_numbers": [{...}]}`).
MAX_DEPTH = 32


async def read_json_object(request: Request, limit: int) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "")
    if not is_json(content_type):
        raise errors.unsupported_media_type(content_type)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise errors.payload_too_large(limit)
    return parse_json_object(await _read_at_most(request, limit))


def parse_json_object(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object no deeper than `MAX_DEPTH`; 400 for anything else."""
    # The official Node client sends an empty body for a create without arguments.
    if not raw.strip():
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise errors.bad_request(f"The request body is not valid JSON: {error}.") from None
    if not isinstance(body, dict):
        raise errors.bad_request(f"The request body must be a JSON object; got {json_type(body)}.")
    if _deeper_than(body, MAX_DEPTH, raw):
        raise errors.bad_request(
            f"The request body nests arrays and objects more than {MAX_DEPTH} levels deep."
        )
    return body


def _deeper_than(body: dict[str, Any], limit: int, raw: bytes) -> bool:
    # Fewer brackets than levels allowed cannot nest too deep: most bodies stop here, at
    # the cost of two scans in C.
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    return any(depth > limit for depth in _container_depths(body))


def _container_depths(body: dict[str, Any]) -> Iterator[int]:
    """The depth of every array and object in `body` (itself at 1), without recursion."""
    stack: list[tuple[Any, int]] = [(body, 1)]
    while stack:
        value, depth = stack.pop()
        yield depth
        children = value.values() if isinstance(value, dict) else value
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))


def is_json(content_type: str) -> bool:
    """`application/json`, any parameters, or a `+json` type."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


async def _read_at_most(request: Request, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise errors.payload_too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)
