"""Handlers, named after the API operations: parse, call the service once, serialize."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from number_orders.config import Settings
from number_orders.domain.creating import NewOrder
from number_orders.domain.idempotency import HEADER, IdempotencyKey
from number_orders.domain.listing import ListQuery
from number_orders.domain.updating import OrderUpdate
from number_orders.http.bodies import read_json_object
from number_orders.http.query_string import parse_pairs
from number_orders.http.responses import json_response
from number_orders.http.serializers import data_bytes, detail_json, page_bytes
from number_orders.service import NumberOrdersService


def _service(request: Request) -> NumberOrdersService:
    service: NumberOrdersService = request.app.state.service
    return service


def _body_limit(request: Request) -> int:
    settings: Settings = request.app.state.settings
    return settings.body_limit


def _account_id(request: Request) -> str:
    account_id: str = request.scope["state"]["account_id"]
    return account_id


async def list_number_orders(request: Request) -> Response:
    query = ListQuery.from_params(parse_pairs(request.scope["query_string"]))
    page = await run_in_threadpool(
        _service(request).list_number_orders, _account_id(request), query
    )
    return json_response(page_bytes(page))


async def create_number_order(request: Request) -> Response:
    header = request.headers.get(HEADER)
    key = IdempotencyKey.check_header(header) if header is not None else None
    body = await read_json_object(request, _body_limit(request))
    new = NewOrder.from_body(body)
    idempotency = IdempotencyKey.for_body(key, body) if key is not None else None
    detail = await run_in_threadpool(
        _service(request).create_number_order, _account_id(request), new, idempotency
    )
    return json_response(data_bytes(detail_json(detail)))


async def retrieve_number_order(request: Request) -> Response:
    detail = await run_in_threadpool(
        _service(request).retrieve_number_order,
        _account_id(request),
        request.path_params["number_order_id"],
    )
    return json_response(data_bytes(detail_json(detail)))


async def update_number_order(request: Request) -> Response:
    service, account_id = _service(request), _account_id(request)
    order_id = request.path_params["number_order_id"]
    # An unknown order is a 404 before anything about the body, as for an unknown route.
    await run_in_threadpool(service.retrieve_number_order, account_id, order_id)
    update = OrderUpdate.from_body(await read_json_object(request, _body_limit(request)))
    detail = await run_in_threadpool(service.update_number_order, account_id, order_id, update)
    return json_response(data_bytes(detail_json(detail)))
