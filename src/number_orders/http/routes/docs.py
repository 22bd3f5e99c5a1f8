"""The OpenAPI document, at `/v2` and at the root; public, like Telnyx's own published spec.
The reference page that renders it is `reference.py`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from number_orders.http.docs import openapi_bytes
from number_orders.http.responses import json_response


async def openapi_json(_request: Request) -> Response:
    return json_response(openapi_bytes())


ROUTES = [
    Route("/v2/openapi.json", openapi_json, methods=["GET"]),
    Route("/openapi.json", openapi_json, methods=["GET"]),
]
