"""Number search: handlers named after the API operations, and their routes.

A search draws and checks candidates in Python for milliseconds, holding the GIL, so it
runs on a thread of its own pool rather than on the event loop: a few threads are as
fast as many for work that takes turns on the GIL, and they bound the pooled database
connections that searches hold.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import orjson
from starlette.requests import Request
from starlette.responses import Response

from number_orders.domain.available_numbers import BlockQuery, SearchQuery
from number_orders.http.query_string import parse_pairs
from number_orders.http.responses import json_response
from number_orders.http.routes import account_of, route, service_of

SEARCH_THREADS = 4
_searches = ThreadPoolExecutor(SEARCH_THREADS, thread_name_prefix="search")


async def list_available_phone_numbers(request: Request) -> Response:
    query = SearchQuery.from_params(parse_pairs(request.scope["query_string"]))
    service, account_id = service_of(request), account_of(request)
    return await _answer(service.list_available_phone_numbers, account_id, query)


async def list_available_phone_number_blocks(request: Request) -> Response:
    query = BlockQuery.from_params(parse_pairs(request.scope["query_string"]))
    service, account_id = service_of(request), account_of(request)
    return await _answer(service.list_available_phone_number_blocks, account_id, query)


Query = TypeVar("Query", SearchQuery, BlockQuery)


async def _answer(
    search: Callable[[str, Query], dict[str, Any]], account_id: str, query: Query
) -> Response:
    loop = asyncio.get_running_loop()
    body = await loop.run_in_executor(_searches, search, account_id, query)
    return json_response(orjson.dumps(body))


ROUTES = [
    route("/v2/available_phone_numbers", GET=list_available_phone_numbers),
    route("/v2/available_phone_number_blocks", GET=list_available_phone_number_blocks),
]
