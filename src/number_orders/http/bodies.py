"""Request bodies into JSON objects, checked in the contract's order: media type (415),
size (413), syntax (400). Field rules are the domain's (422).
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request

from number_orders import errors
from number_orders.domain.fields import json_type


async def read_json_object(request: Request, limit: int) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "")
    if not is_json(content_type):
        raise errors.unsupported_media_type(content_type)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise errors.payload_too_large(limit)
    raw = await _read_at_most(request, limit)
    # The official Node client sends an empty body for a create without arguments.
    if not raw.strip():
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise errors.bad_request(f"The request body is not valid JSON: {error}.") from None
    if not isinstance(body, dict):
        raise errors.bad_request(f"The request body must be a JSON object; got {json_type(body)}.")
    return body


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
