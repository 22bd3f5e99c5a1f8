"""What numbers need before they can be ordered: `/regulatory_requirements` (by number,
requirement group, country or type) and `/phone_numbers_regulatory_requirements`."""

from __future__ import annotations

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from number_orders.domain.catalogue_queries import (
    PhoneNumbersRequirementsQuery,
    RegulatoryRequirementsQuery,
)
from number_orders.domain.requirements_catalogue import (
    phone_number_requirements_json,
    regulatory_requirements_json,
)
from number_orders.http.query_string import parse_pairs
from number_orders.http.responses import json_response
from number_orders.http.routes import account_of, route, service_of
from number_orders.http.serializers import data_bytes


async def list_regulatory_requirements(request: Request) -> Response:
    query = RegulatoryRequirementsQuery.from_params(parse_pairs(request.scope["query_string"]))
    # A requirement group filter reads the store.
    found = await run_in_threadpool(
        service_of(request).list_regulatory_requirements, account_of(request), query
    )
    return json_response(data_bytes([regulatory_requirements_json(r) for r in found]))


async def list_phone_numbers_regulatory_requirements(request: Request) -> Response:
    query = PhoneNumbersRequirementsQuery.from_params(parse_pairs(request.scope["query_string"]))
    found, meta = service_of(request).list_phone_numbers_regulatory_requirements(query)
    data = [phone_number_requirements_json(number, r) for number, r in found]
    return json_response(orjson.dumps({"data": data, "meta": meta}))


ROUTES = [
    route("/v2/regulatory_requirements", GET=list_regulatory_requirements),
    route(
        "/v2/phone_numbers_regulatory_requirements",
        GET=list_phone_numbers_regulatory_requirements,
    ),
]
