"""The routes, one module per resource, each exporting `ROUTES`; `http/app.py` serves the
routes of every module here, so a new resource adds its module and nothing else.

A module parses the request, makes one service call and serializes the answer. What
handlers share is here: their view of the request (service, account, body limit) and
`route`, which puts every method of a path on one route.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from typing import TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from number_orders.config import Settings
from number_orders.service import NumberOrdersService

Endpoint = Callable[[Request], Awaitable[Response]]
T = TypeVar("T")


def all_routes() -> list[BaseRoute]:
    """The `ROUTES` of every module of this package, in module name order."""
    found: list[BaseRoute] = []
    for module in pkgutil.iter_modules(__path__):
        found += importlib.import_module(f"{__name__}.{module.name}").ROUTES
    return found


def route(path: str, **by_method: Endpoint) -> Route:
    """One route per path, so a wrong method's 405 lists every allowed one in `Allow`."""

    async def dispatch(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        return await by_method[method](request)

    return Route(path, dispatch, methods=list(by_method))


def service_of(request: Request) -> NumberOrdersService:
    service: NumberOrdersService = request.app.state.service
    return service


def account_of(request: Request) -> str:
    """The account the guard authenticated the request's key for."""
    account_id: str = request.scope["state"]["account_id"]
    return account_id


async def on_record(request: Request, call: Callable[[NumberOrdersService, str, str], T]) -> T:
    """`call(service, account, the record id in the path)` on a thread: the one service
    call of a route about the record its path names."""
    record_id: str = request.path_params["id"]
    return await run_in_threadpool(call, service_of(request), account_of(request), record_id)


def body_limit_of(request: Request) -> int:
    settings: Settings = request.app.state.settings
    return settings.body_limit
