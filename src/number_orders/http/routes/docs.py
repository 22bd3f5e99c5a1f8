"""The OpenAPI document and the reference page, at `/v2` and at the root; public, like
Telnyx's own published spec."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from number_orders.http.docs import openapi_bytes, reference_html
from number_orders.http.responses import json_response


async def openapi_json(_request: Request) -> Response:
    return json_response(openapi_bytes())


async def reference_page(_request: Request) -> Response:
    return HTMLResponse(reference_html())


ROUTES = [
    Route("/v2/openapi.json", openapi_json, methods=["GET"]),
    Route("/v2/docs", reference_page, methods=["GET"]),
    Route("/openapi.json", openapi_json, methods=["GET"]),
    Route("/docs", reference_page, methods=["GET"]),
]
