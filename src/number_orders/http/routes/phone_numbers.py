"""Owned phone numbers: handlers named after the API operations, and their routes."""

from __future__ import annotations

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from number_orders.domain.phone_number_listing import PhoneNumberQuery
from number_orders.domain.phone_number_updates import PhoneNumberUpdate
from number_orders.domain.phone_numbers import deleted_json, phone_number_json
from number_orders.http.bodies import read_json_object
from number_orders.http.query_string import parse_pairs
from number_orders.http.responses import json_response
from number_orders.http.routes import account_of, body_limit_of, route, service_of
from number_orders.http.serializers import data_bytes
from number_orders.service import PhoneNumberPage


async def list_phone_numbers(request: Request) -> Response:
    query = PhoneNumberQuery.from_params(parse_pairs(request.scope["query_string"]))
    page = await run_in_threadpool(
        service_of(request).list_phone_numbers, account_of(request), query
    )
    return json_response(_page_bytes(page))


async def retrieve_phone_number(request: Request) -> Response:
    record = await run_in_threadpool(
        service_of(request).retrieve_phone_number, account_of(request), _id_of(request)
    )
    return json_response(data_bytes(phone_number_json(record)))


async def update_phone_number(request: Request) -> Response:
    service, account_id, number_id = service_of(request), account_of(request), _id_of(request)
    # An unknown number is a 404 before anything about the body, as for an unknown route.
    await run_in_threadpool(service.retrieve_phone_number, account_id, number_id)
    update = PhoneNumberUpdate.from_body(await read_json_object(request, body_limit_of(request)))
    record = await run_in_threadpool(service.update_phone_number, account_id, number_id, update)
    return json_response(data_bytes(phone_number_json(record)))


async def delete_phone_number(request: Request) -> Response:
    record = await run_in_threadpool(
        service_of(request).delete_phone_number, account_of(request), _id_of(request)
    )
    return json_response(data_bytes(deleted_json(record)))


def _id_of(request: Request) -> str:
    number_id: str = request.path_params["phone_number_id"]
    return number_id


def _page_bytes(page: PhoneNumberPage) -> bytes:
    query = page.query
    return orjson.dumps(
        {
            "data": [phone_number_json(r) for r in page.records],
            "meta": {
                "page_number": query.page_number,
                "page_size": query.page_size,
                "total_pages": page.total_pages,
                "total_results": page.total_results,
            },
        }
    )


ROUTES = [
    route("/v2/phone_numbers", GET=list_phone_numbers),
    route(
        "/v2/phone_numbers/{phone_number_id}",
        GET=retrieve_phone_number,
        PATCH=update_phone_number,
        DELETE=delete_phone_number,
    ),
]
