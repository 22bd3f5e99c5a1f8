"""The ASGI application: the routes of every module of `http/routes/`, the error renderer,
and the request guard around them."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send

from number_orders import errors
from number_orders.config import Settings
from number_orders.errors import ApiError, StoreUnavailable
from number_orders.http.guard import RequestGuard
from number_orders.http.metrics import Metrics
from number_orders.http.rate_limiting import FailedAuthentications, RateLimiter
from number_orders.http.responses import error_response
from number_orders.http.routes import all_routes
from number_orders.http.routes.number_orders import list_number_orders
from number_orders.http.sandbox import SandboxControls
from number_orders.service import NumberOrdersService


def create_app(
    settings: Settings,
    service: NumberOrdersService,
    metrics_dir: str | None = None,
    sandbox: SandboxControls | None = None,
    **starlette: Any,
) -> RequestGuard:
    """The application; `metrics_dir` is Prometheus's multiprocess directory, if any;
    `sandbox`, the sandbox's controls when it is on."""
    app = Starlette(
        routes=all_routes(),
        exception_handlers={
            ApiError: _render_api_error,
            HTTPException: _render_http_exception,
            StoreUnavailable: _render_store_unavailable,
            Exception: _render_unexpected,
        },
        **starlette,
    )
    app.router.redirect_slashes = False  # a trailing slash is another route: 404, no redirect
    app.state.settings = settings
    app.state.service = service
    app.state.sandbox = sandbox
    app.state.metrics = Metrics(service.outbox_depth, metrics_dir)
    limiter = (
        RateLimiter(service.lease_rate_tokens, settings.rate_limit, run_in_threadpool)
        if settings.rate_limit > 0
        else None
    )
    return RequestGuard(
        HotRoutes(
            app, service, next(r for r in app.routes if r.matches(_LIST_SCOPE)[0] != Match.NONE)
        ),
        service,
        routes=app.routes,
        body_limit=settings.body_limit,
        limiter=limiter,
        metrics=app.state.metrics,
        failures=(
            FailedAuthentications(settings.auth_failure_limit)
            if settings.auth_failure_limit > 0
            else None
        ),
        metrics_token=settings.metrics_token,
        sandbox=sandbox,
    )


class HotRoutes:
    """The list endpoint as plain ASGI in front of Starlette, which routes the rest (and
    answers 405 for other methods on the same path). Errors propagate to the guard.
    """

    LIST = "/v2/number_orders"

    def __init__(self, app: ASGIApp, service: NumberOrdersService, route: BaseRoute) -> None:
        self.app = app
        self.service = service
        self.route = route  # Starlette's route for the path, for the guard's metrics and log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == self.LIST and scope["method"] in _READ:
            scope["route"] = self.route
            await list_number_orders(scope, send, self.service)
        else:
            await self.app(scope, receive, send)


_READ = ("GET", "HEAD")
_LIST_SCOPE: Scope = {"type": "http", "path": HotRoutes.LIST, "method": "GET"}


async def _render_api_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc)


async def _render_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        # Starlette keeps methods in a set; sorted, the header is the same in every process.
        allowed = sorted((exc.headers or {}).get("Allow", "GET").split(", "))
        return error_response(errors.method_not_allowed(request.method, allowed))
    if exc.status_code == 404:
        return error_response(errors.not_found())
    return error_response(
        ApiError(exc.status_code, [errors.Problem("10015", "Bad Request", exc.detail)])
    )


async def _render_store_unavailable(_request: Request, _exc: Exception) -> Response:
    return error_response(errors.store_unavailable())


async def _render_unexpected(_request: Request, _exc: Exception) -> Response:
    # Starlette answers with this, then re-raises so the guard logs the traceback.
    return error_response(errors.unexpected_error())
