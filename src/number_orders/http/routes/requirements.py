"""The regulatory catalogue's requirements and requirement types, and their routes. They
are generated from the configured rules: no store, so they answer on the event loop."""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response

from number_orders.domain.catalogue_queries import (
    RequirementQuery,
    RequirementsQuery,
    RequirementTypesQuery,
)
from number_orders.domain.requirements_catalogue import requirement_json, requirement_type_json
from number_orders.http.query_string import parse_pairs
from number_orders.http.responses import json_response
from number_orders.http.routes import route, service_of
from number_orders.http.serializers import data_bytes


async def list_requirements(request: Request) -> Response:
    query = RequirementsQuery.from_params(parse_pairs(request.scope["query_string"]))
    found, meta = service_of(request).list_requirements(query)
    body = {"data": [requirement_json(r) for r in found], "meta": meta}
    return json_response(orjson.dumps(body))


async def retrieve_requirement(request: Request) -> Response:
    query = RequirementQuery.from_params(parse_pairs(request.scope["query_string"]))
    found = service_of(request).retrieve_requirement(request.path_params["id"], query)
    return json_response(data_bytes(requirement_json(found)))


async def list_requirement_types(request: Request) -> Response:
    query = RequirementTypesQuery.from_params(parse_pairs(request.scope["query_string"]))
    found, meta = service_of(request).list_requirement_types(query)
    body = {"data": [requirement_type_json(t) for t in found], "meta": meta}
    return json_response(orjson.dumps(body))


async def retrieve_requirement_type(request: Request) -> Response:
    found = service_of(request).retrieve_requirement_type(request.path_params["id"])
    return json_response(data_bytes(requirement_type_json(found)))


ROUTES = [
    route("/v2/requirements", GET=list_requirements),
    route("/v2/requirements/{id}", GET=retrieve_requirement),
    route("/v2/requirement_types", GET=list_requirement_types),
    route("/v2/requirement_types/{id}", GET=retrieve_requirement_type),
]
