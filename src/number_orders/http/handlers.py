"""Handlers, named after the API operations: parse, call the service once, serialize."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from number_orders.domain.listing import ListQuery
from number_orders.http.query_string import parse_pairs
from number_orders.http.responses import json_response
from number_orders.http.serializers import page_bytes
from number_orders.service import NumberOrdersService


def _service(request: Request) -> NumberOrdersService:
    service: NumberOrdersService = request.app.state.service
    return service


def _account_id(request: Request) -> str:
    account_id: str = request.scope["state"]["account_id"]
    return account_id


async def list_number_orders(request: Request) -> Response:
    query = ListQuery.from_params(parse_pairs(request.scope["query_string"]))
    page = await run_in_threadpool(
        _service(request).list_number_orders, _account_id(request), query
    )
    return json_response(page_bytes(page))
