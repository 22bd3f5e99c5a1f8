"""Webhook deliveries: the account's webhook events with their attempts (after Telnyx's
`GET /webhook_deliveries` and `GET /webhook_deliveries/{id}`), and
`POST /webhook_deliveries/{id}/actions/redeliver`, this server's own addition, which sends
an event again as the `events redeliver` command does."""

from __future__ import annotations

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from number_orders.domain.webhook_deliveries import DeliveriesQuery, delivery_json
from number_orders.http.query_string import parse_pairs
from number_orders.http.responses import json_response
from number_orders.http.routes import account_of, on_record, route, service_of
from number_orders.http.serializers import data_bytes
from number_orders.service import NumberOrdersService


async def list_webhook_deliveries(request: Request) -> Response:
    query = DeliveriesQuery.from_params(parse_pairs(request.scope["query_string"]))
    page = await run_in_threadpool(
        service_of(request).list_webhook_deliveries, account_of(request), query
    )
    body = {
        "data": [delivery_json(delivery) for delivery in page.deliveries],
        "meta": query.page.meta(page.total_results),
    }
    return json_response(orjson.dumps(body))


async def retrieve_webhook_delivery(request: Request) -> Response:
    delivery = await on_record(request, NumberOrdersService.retrieve_webhook_delivery)
    return json_response(data_bytes(delivery_json(delivery)))


async def redeliver_webhook_delivery(request: Request) -> Response:
    delivery = await on_record(request, NumberOrdersService.redeliver_webhook_delivery)
    return json_response(data_bytes(delivery_json(delivery)))


ROUTES = [
    route("/v2/webhook_deliveries", GET=list_webhook_deliveries),
    route("/v2/webhook_deliveries/{id}", GET=retrieve_webhook_delivery),
    route(
        "/v2/webhook_deliveries/{id}/actions/redeliver",
        POST=redeliver_webhook_delivery,
    ),
]
