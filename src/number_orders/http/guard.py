"""The front of every request: ids, size limits, authentication (API keys on `/v2`, the
metrics token on `/metrics`) with a limit on failures per client address, rate limits,
the access log, metrics, and the last-resort 500; with the sandbox on, also the
operator's token on `/_sandbox`, injected faults and the request journal. Pure ASGI, so
it costs one function call, not a task per request, and every route behind it, present
or future, gets all of it.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from number_orders import errors
from number_orders.domain.accounts import split_api_key
from number_orders.domain.faults import fault_error
from number_orders.domain.ids import random_id
from number_orders.errors import ApiError, StoreUnavailable
from number_orders.http.journal import Capture
from number_orders.http.metrics import Metrics
from number_orders.http.rate_limiting import FailedAuthentications, RateLimiter
from number_orders.http.sandbox import SandboxControls, is_sandbox_path
from number_orders.http.serializers import error_bytes
from number_orders.service import NumberOrdersService

access_log = logging.getLogger("number_orders.access")

MAX_URL_BYTES = 8192
MAX_HEADER_BYTES = 8192
# Documentation of the API is public, like Telnyx's own published spec.
PUBLIC_V2_PATHS = frozenset({"/v2/openapi.json", "/v2/docs"})
METRICS_PATH = "/metrics"
# Anything shaped like an API key is blanked before a path is logged.
_KEY_LIKE = re.compile(r"KEY[0-9A-Fa-f]{32}_[A-Za-z0-9_-]*")


@dataclass
class _Exchange:
    """What the guard learns about one request while it is answered."""

    request_id: str
    started: float = field(default_factory=time.perf_counter)
    status: int = 500
    responded: bool = False
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)


class RequestGuard:
    def __init__(
        self,
        app: ASGIApp,
        service: NumberOrdersService,
        *,
        routes: Sequence[BaseRoute],
        body_limit: int,
        limiter: RateLimiter | None,
        metrics: Metrics,
        failures: FailedAuthentications | None = None,
        metrics_token: str = "",
        sandbox: SandboxControls | None = None,
    ) -> None:
        self.app = app
        self.service = service
        self.routes = routes
        self.body_limit = body_limit
        self.limiter = limiter
        self.metrics = metrics
        self.failures = failures
        self.metrics_token = metrics_token
        self.sandbox = sandbox
        self.journal = sandbox.journal if sandbox is not None else None
        self.pid = os.getpid()  # which of several server processes answered; each builds its own

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exchange = _Exchange(_request_id(scope))
        exchange.headers.append(_header("x-request-id", exchange.request_id))
        scope.setdefault("state", {})["request_id"] = exchange.request_id
        # The journal keeps what an account's requests sent and got.
        capture = Capture() if self.journal is not None and _needs_auth(scope["path"]) else None

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
                exchange.responded = True
                message["headers"] = [*message.get("headers", []), *exchange.headers]
            if capture is not None:
                capture.sent(message)
            await send(message)

        try:
            await self._admit(scope, exchange)
            receive = self._limited(receive, scope)
            if capture is not None:
                receive = capture.receiving(receive)
            await self.app(scope, receive, send_with_headers)
        except ApiError as error:
            await _answer(send_with_headers, exchange, error, scope)
        except StoreUnavailable:
            await _answer(send_with_headers, exchange, errors.store_unavailable(), scope)
        except Exception:
            access_log.exception("unhandled error", extra={"request_id": exchange.request_id})
            await _answer(send_with_headers, exchange, errors.unexpected_error(), scope)
        finally:
            seconds = self._record(scope, exchange)
            account_id = scope["state"].get("account_id")
            if capture is not None and account_id is not None and self.journal is not None:
                micros = int(seconds * 1_000_000)
                self.journal.record(capture.exchange(scope, account_id, exchange.status, micros))

    async def _admit(self, scope: Scope, exchange: _Exchange) -> None:
        """The checks every request passes before routing, in the contract's order."""
        rejection = _oversized(scope)
        if rejection is not None:
            raise rejection
        if is_sandbox_path(scope["path"]):
            # Only the operator's token opens the sandbox; without one it does not exist.
            if self.sandbox is None:
                raise errors.not_found()
            if not self.sandbox.admits(_bearer_token(scope)):
                raise self._failed(scope)
            return
        if scope["path"] == METRICS_PATH and self.metrics_token:
            self._check_metrics_token(scope)
        elif _needs_auth(scope["path"]):
            account_id, key_id = await self._authenticate(scope)
            scope["state"]["account_id"] = account_id
            if self.limiter is not None:
                verdict = await self.limiter.admit(account_id, key_id)
                exchange.headers += [_header(k, v) for k, v in verdict.headers().items()]
                if not verdict.allowed:
                    raise errors.too_many_requests(verdict.reset)
        if self.sandbox is not None and self.sandbox.board.faults:
            await self._inject_fault(scope)

    async def _inject_fault(self, scope: Scope) -> None:
        """Answer or delay as the first matching fault with a use left says."""
        assert self.sandbox is not None
        matching = self.sandbox.board.matching(
            scope["method"],
            scope["path"],
            lambda: self._route_template(scope),
            scope["state"].get("account_id"),
        )
        for fault in matching:
            if fault.remaining is not None and not await run_in_threadpool(
                self.service.take_fault, fault
            ):
                continue  # used up meanwhile, by this process or another
            if fault.latency_ms:
                await asyncio.sleep(fault.latency_ms / 1000)
            if fault.status is not None:
                raise fault_error(fault.status)
            return

    async def _authenticate(self, scope: Scope) -> tuple[str, str]:
        """The account and key id of the request's key; 401 for anything else (429 from an
        address past its limit of failures)."""
        token = _bearer_token(scope)
        parts = split_api_key(token) if token is not None else None
        if token is None or parts is None:
            raise self._failed(scope)
        account_id = self.service.recently_authenticated(token)
        if account_id is None:
            try:
                account_id = await run_in_threadpool(self.service.authenticate, token)
            except ApiError as error:
                raise self._failed(scope) if error.status == 401 else error from None
        return account_id, parts[0]

    def _check_metrics_token(self, scope: Scope) -> None:
        """`/metrics` with a token set: that token and nothing else (no API key) opens it."""
        given = (_bearer_token(scope) or "").encode()
        if not hmac.compare_digest(given, self.metrics_token.encode()):
            raise self._failed(scope)

    def _failed(self, scope: Scope) -> ApiError:
        """A failed authentication, counted against the client's address: 401, or 429 once
        the address is past its limit. Checked only after the key is, so a valid key from
        a refused address still passes."""
        if self.failures is None:
            return errors.authentication_failed()
        address = _client_address(scope)
        self.failures.record(address)
        retry_after = self.failures.refused_for(address)
        if retry_after is None:
            return errors.authentication_failed()
        return errors.too_many_failed_authentications(retry_after)

    def _limited(self, receive: Receive, scope: Scope) -> Receive:
        """`receive` that refuses a body over the limit when a handler reads it, so body
        checks come after routing, methods and parameters, as the contract orders them."""
        limit = self.body_limit
        declared = _content_length(scope)
        received = 0

        async def receive_limited() -> Message:
            nonlocal received
            if declared is not None and declared > limit:
                raise errors.payload_too_large(limit)
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise errors.payload_too_large(limit)
            return message

        return receive_limited

    def _record(self, scope: Scope, exchange: _Exchange) -> float:
        """Metrics and the access log; the request's duration in seconds."""
        seconds = time.perf_counter() - exchange.started
        route = self._route_template(scope)
        self.metrics.observe(scope["method"], route, exchange.status, seconds)
        if access_log.isEnabledFor(logging.INFO):
            line = {
                "request_id": exchange.request_id,
                "method": scope["method"],
                "path": _KEY_LIKE.sub("[redacted]", scope["path"]),
                "route": route,
                "status": exchange.status,
                "duration_ms": round(seconds * 1000, 3),
                "account_id": scope["state"].get("account_id"),
                "pid": self.pid,
            }
            # `info()` would first walk the stack for the caller's file and line, which
            # the line does not show.
            message = orjson.dumps(line).decode()
            access_log.handle(
                access_log.makeRecord(access_log.name, logging.INFO, "", 0, message, (), None)
            )
        return seconds

    def _route_template(self, scope: Scope) -> str:
        """The matched route's path template; for a request refused before routing (401,
        429), the template it would have matched, so metrics group it with its route."""
        route = scope.get("route")
        if route is None:
            route = next((r for r in self.routes if r.matches(scope)[0] != Match.NONE), None)
        template: str = getattr(route, "path", None) or "unmatched"
        return template


async def _answer(send: Send, exchange: _Exchange, error: ApiError, scope: Scope) -> None:
    """Send the error unless a response has already begun (then only the log knows)."""
    if not exchange.responded:
        await send_error(send, error, scope)


async def send_error(send: Send, error: ApiError, scope: Scope) -> None:
    body = error_bytes(error)
    headers = [
        _header("content-type", "application/json"),
        _header("content-length", str(len(body))),
        *(_header(k, v) for k, v in error.headers.items()),
    ]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})


def _needs_auth(path: str) -> bool:
    return (path == "/v2" or path.startswith("/v2/")) and path not in PUBLIC_V2_PATHS


def _oversized(scope: Scope) -> ApiError | None:
    if len(scope.get("raw_path") or b"") + len(scope["query_string"]) > MAX_URL_BYTES:
        return errors.uri_too_long(MAX_URL_BYTES)
    for name, value in scope["headers"]:
        if len(name) + len(value) > MAX_HEADER_BYTES:
            return errors.header_too_large(MAX_HEADER_BYTES)
    return None


def _client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit():
            return int(value)
    return None


def _bearer_token(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").strip().partition(" ")
            token = token.strip()
            return token if scheme.lower() == "bearer" and token else None
    return None


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id" and 0 < len(value) <= 128 and value.isascii():
            text: str = value.decode("ascii")
            if text.isprintable():
                return text
    return random_id()  # unique, not secret (see `domain.ids`)


def _header(name: str, value: str) -> tuple[bytes, bytes]:
    return name.encode("latin-1"), value.encode("latin-1")
