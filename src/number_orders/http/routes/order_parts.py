"""Sub number orders and number order phone numbers: views of number orders, and their
routes. An unknown part is a 404 before anything about a body, as for an unknown route."""

from __future__ import annotations

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from number_orders.domain.order_parts import (
    OrderNumbersQuery,
    SubOrdersQuery,
    SubOrderView,
    order_number_json,
    requirement_group_id_from_body,
    sub_order_json,
)
from number_orders.domain.parameters import whole_list_meta
from number_orders.domain.updating import OrderUpdate
from number_orders.http.bodies import read_json_object
from number_orders.http.query_string import parse_pairs
from number_orders.http.responses import json_response
from number_orders.http.routes import account_of, body_limit_of, on_record, route, service_of
from number_orders.http.serializers import data_bytes
from number_orders.service import NumberOrdersService
from number_orders.service.order_parts import NumberFound, SubOrderFound


def _sub(found: SubOrderFound, account_id: str, include_numbers: bool = False) -> Response:
    return json_response(
        data_bytes(sub_order_json(found.detail, found.sub, account_id, include_numbers))
    )


def _number(found: NumberFound, reviewed: bool = False) -> Response:
    return json_response(data_bytes(order_number_json(found.detail, found.number, reviewed)))


async def list_sub_number_orders(request: Request) -> Response:
    query = SubOrdersQuery.from_params(parse_pairs(request.scope["query_string"]))
    account_id = account_of(request)
    found = await run_in_threadpool(service_of(request).list_sub_number_orders, account_id, query)
    data = [sub_order_json(f.detail, f.sub, account_id) for f in found]
    return json_response(orjson.dumps({"data": data, "meta": whole_list_meta(len(data))}))


async def retrieve_sub_number_order(request: Request) -> Response:
    view = SubOrderView.from_params(parse_pairs(request.scope["query_string"]))
    account_id = account_of(request)
    found = await run_in_threadpool(
        service_of(request).retrieve_sub_number_order, account_id, request.path_params["id"]
    )
    return _sub(found, account_id, view.include_phone_numbers)


async def update_sub_number_order(request: Request) -> Response:
    service, account_id, sub_id = (
        service_of(request),
        account_of(request),
        request.path_params["id"],
    )
    await run_in_threadpool(service.retrieve_sub_number_order, account_id, sub_id)
    body = await read_json_object(request, body_limit_of(request))
    update = OrderUpdate.requirements_from_body(body)
    updated = await run_in_threadpool(service.update_sub_number_order, account_id, sub_id, update)
    return _sub(updated, account_id)


async def cancel_sub_number_order(request: Request) -> Response:
    account_id = account_of(request)
    cancelled = await run_in_threadpool(
        service_of(request).cancel_sub_number_order, account_id, request.path_params["id"]
    )
    return _sub(cancelled, account_id)


async def update_sub_number_order_requirement_group(request: Request) -> Response:
    service, account_id, sub_id = (
        service_of(request),
        account_of(request),
        request.path_params["id"],
    )
    await run_in_threadpool(service.retrieve_sub_number_order, account_id, sub_id)
    group_id = requirement_group_id_from_body(
        await read_json_object(request, body_limit_of(request))
    )
    updated = await run_in_threadpool(
        service.update_sub_number_order_requirement_group, account_id, sub_id, group_id
    )
    return _sub(updated, account_id, include_numbers=True)


async def list_number_order_phone_numbers(request: Request) -> Response:
    query = OrderNumbersQuery.from_params(parse_pairs(request.scope["query_string"]))
    found = await run_in_threadpool(
        service_of(request).list_number_order_phone_numbers, account_of(request), query
    )
    data = [order_number_json(f.detail, f.number) for f in found]
    return json_response(orjson.dumps({"data": data, "meta": whole_list_meta(len(data))}))


async def retrieve_number_order_phone_number(request: Request) -> Response:
    found = await on_record(request, NumberOrdersService.retrieve_number_order_phone_number)
    return _number(found)


async def update_number_order_phone_number(request: Request) -> Response:
    service, account_id = service_of(request), account_of(request)
    number_id = request.path_params["id"]
    await run_in_threadpool(service.retrieve_number_order_phone_number, account_id, number_id)
    body = await read_json_object(request, body_limit_of(request))
    update = OrderUpdate.requirements_from_body(body)
    updated = await run_in_threadpool(
        service.update_number_order_phone_number, account_id, number_id, update
    )
    return _number(updated)


async def update_number_order_phone_number_requirement_group(request: Request) -> Response:
    service, account_id = service_of(request), account_of(request)
    number_id = request.path_params["id"]
    await run_in_threadpool(service.retrieve_number_order_phone_number, account_id, number_id)
    group_id = requirement_group_id_from_body(
        await read_json_object(request, body_limit_of(request))
    )
    updated = await run_in_threadpool(
        service.update_number_order_phone_number_requirement_group, account_id, number_id, group_id
    )
    return _number(updated, reviewed=True)


ROUTES = [
    route("/v2/sub_number_orders", GET=list_sub_number_orders),
    route(
        "/v2/sub_number_orders/{id}",
        GET=retrieve_sub_number_order,
        PATCH=update_sub_number_order,
    ),
    route("/v2/sub_number_orders/{id}/cancel", PATCH=cancel_sub_number_order),
    route(
        "/v2/sub_number_orders/{id}/requirement_group",
        POST=update_sub_number_order_requirement_group,
    ),
    route("/v2/number_order_phone_numbers", GET=list_number_order_phone_numbers),
    route(
        "/v2/number_order_phone_numbers/{id}",
        GET=retrieve_number_order_phone_number,
        PATCH=update_number_order_phone_number,
    ),
    route(
        "/v2/number_order_phone_numbers/{id}/requirement_group",
        POST=update_number_order_phone_number_requirement_group,
    ),
]
