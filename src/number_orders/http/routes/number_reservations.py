"""Number reservations: handlers named after the API operations, and their routes."""

from __future__ import annotations

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from number_orders.domain.number_reservations import NewReservation, reservation_json
from number_orders.domain.reservation_queries import ReservationQuery
from number_orders.http.bodies import read_json_object
from number_orders.http.query_string import parse_pairs
from number_orders.http.responses import json_response
from number_orders.http.routes import account_of, body_limit_of, route, service_of
from number_orders.http.serializers import data_bytes


async def list_number_reservations(request: Request) -> Response:
    query = ReservationQuery.from_params(parse_pairs(request.scope["query_string"]))
    page = await run_in_threadpool(
        service_of(request).list_number_reservations, account_of(request), query
    )
    body = {"data": [reservation_json(r) for r in page.reservations], "meta": page.meta}
    return json_response(orjson.dumps(body))


async def create_number_reservation(request: Request) -> Response:
    new = NewReservation.from_body(await read_json_object(request, body_limit_of(request)))
    reservation = await run_in_threadpool(
        service_of(request).create_number_reservation, account_of(request), new
    )
    return json_response(data_bytes(reservation_json(reservation)))


async def retrieve_number_reservation(request: Request) -> Response:
    reservation = await run_in_threadpool(
        service_of(request).retrieve_number_reservation,
        account_of(request),
        request.path_params["number_reservation_id"],
    )
    return json_response(data_bytes(reservation_json(reservation)))


async def extend_number_reservation(request: Request) -> Response:
    # The action takes no body; whatever is sent is left unread.
    reservation = await run_in_threadpool(
        service_of(request).extend_number_reservation,
        account_of(request),
        request.path_params["number_reservation_id"],
    )
    return json_response(data_bytes(reservation_json(reservation)))


ROUTES = [
    route("/v2/number_reservations", GET=list_number_reservations, POST=create_number_reservation),
    route("/v2/number_reservations/{number_reservation_id}", GET=retrieve_number_reservation),
    route(
        "/v2/number_reservations/{number_reservation_id}/actions/extend",
        POST=extend_number_reservation,
    ),
]
