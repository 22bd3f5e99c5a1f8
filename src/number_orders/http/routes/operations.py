"""Endpoints for operators, outside `/v2` and without authentication: liveness,
readiness (the store answers) and Prometheus metrics."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from number_orders.http.metrics import CONTENT_TYPE, Metrics
from number_orders.http.responses import json_response
from number_orders.service import NumberOrdersService

_OK = b'{"status":"ok"}'


async def healthz(_request: Request) -> Response:
    """The process is alive and its event loop answers."""
    return json_response(_OK)


async def readyz(request: Request) -> Response:
    """The store answers; otherwise `StoreUnavailable` renders the 503."""
    service: NumberOrdersService = request.app.state.service
    await run_in_threadpool(service.check_ready)
    return json_response(_OK)


async def metrics(request: Request) -> Response:
    registry: Metrics = request.app.state.metrics
    body = await run_in_threadpool(registry.exposition)
    return Response(body, media_type=CONTENT_TYPE)


ROUTES = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/readyz", readyz, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
]
