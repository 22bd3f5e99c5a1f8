"""Handlers, named after the API operations: parse, call the service once, serialize.

The list is the hot path, so its handler is plain ASGI: no request or response objects,
one hop to a database thread, and the page written out as bytes in one message.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from starlette.types import Scope, Send

from number_orders.domain.listing import ListQuery
from number_orders.http.query_string import parse_pairs
from number_orders.http.serializers import page_bytes
from number_orders.service import NumberOrdersService

_JSON = b"application/json"


async def list_number_orders(
    scope: Scope, send: Send, service: NumberOrdersService, database: ThreadPoolExecutor
) -> None:
    query = ListQuery.from_params(parse_pairs(scope["query_string"]))
    account_id: str = scope["state"]["account_id"]
    page = await asyncio.get_running_loop().run_in_executor(
        database, service.list_number_orders, account_id, query
    )
    await send_json(send, page_bytes(page), scope["method"] == "HEAD")


async def send_json(send: Send, body: bytes, head: bool = False) -> None:
    headers = [(b"content-type", _JSON), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else body})
