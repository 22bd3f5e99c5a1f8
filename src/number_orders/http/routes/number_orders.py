"""Number orders: handlers named after the API operations, and their routes.

The list is the hot path, so its handler is plain ASGI, answered by `app.HotRoutes` in
front of the router: no request or response objects, the page awaited without blocking the
event loop (on PostgreSQL's async driver; on SQLite in place when quick, else on a database
thread), and written out as bytes in one message.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope, Send

from number_orders.domain.idempotency import HEADER, IdempotencyKey
from number_orders.domain.listing import ListQuery
from number_orders.domain.updating import OrderUpdate
from number_orders.http import offload
from number_orders.http.bodies import read_json_object
from number_orders.http.query_string import parse_pairs
from number_orders.http.responses import json_response
from number_orders.http.routes import account_of, body_limit_of, route, service_of
from number_orders.http.serializers import data_bytes, detail_json, page_bytes
from number_orders.service import NumberOrdersService

_JSON = b"application/json"


async def list_number_orders(scope: Scope, send: Send, service: NumberOrdersService) -> None:
    query = ListQuery.from_params(parse_pairs(scope["query_string"]))
    account_id: str = scope["state"]["account_id"]
    page = await service.list_number_orders_async(account_id, query)
    await send_json(send, page_bytes(page), scope["method"] == "HEAD")


async def send_json(send: Send, body: bytes, head: bool = False) -> None:
    headers = [(b"content-type", _JSON), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else body})


# A create waits in the store while its group commits (`storage/group_commit.py`), on a
# thread of its own: as many threads as creates that may gather in one group. A plain
# executor hop costs the event loop about half of what `run_in_threadpool` does.
CREATE_THREADS = 32
_creating = ThreadPoolExecutor(CREATE_THREADS, thread_name_prefix="create")


async def create_number_order(request: Request) -> Response:
    header = request.headers.get(HEADER)
    key = IdempotencyKey.check_header(header) if header is not None else None
    body = await read_json_object(request, body_limit_of(request))
    new = await offload.new_order(body)
    idempotency = IdempotencyKey.for_body(key, body) if key is not None else None
    create = partial(service_of(request).create_number_order, account_of(request), new, idempotency)
    detail = await asyncio.get_running_loop().run_in_executor(_creating, create)
    return json_response(data_bytes(detail_json(detail)))


async def retrieve_number_order(request: Request) -> Response:
    detail = await run_in_threadpool(
        service_of(request).retrieve_number_order,
        account_of(request),
        request.path_params["number_order_id"],
    )
    return json_response(data_bytes(detail_json(detail)))


async def update_number_order(request: Request) -> Response:
    service, account_id = service_of(request), account_of(request)
    order_id = request.path_params["number_order_id"]
    # An unknown order is a 404 before anything about the body, as for an unknown route.
    await run_in_threadpool(service.retrieve_number_order, account_id, order_id)
    update = OrderUpdate.from_body(await read_json_object(request, body_limit_of(request)))
    detail = await run_in_threadpool(service.update_number_order, account_id, order_id, update)
    return json_response(data_bytes(detail_json(detail)))


async def _unreachable(_request: Request) -> Response:
    raise AssertionError("HotRoutes answers GET and HEAD on this path")


ROUTES = [
    route("/v2/number_orders", GET=_unreachable, POST=create_number_order),
    route(
        "/v2/number_orders/{number_order_id}",
        GET=retrieve_number_order,
        PATCH=update_number_order,
    ),
]
