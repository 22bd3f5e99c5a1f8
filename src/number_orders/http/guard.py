"""The front of every request: ids, size limits, authentication, the access log, and
the last-resort 500. Pure ASGI, so it costs one function call, not a task per request.
"""

from __future__ import annotations

import logging
import os
import random
import time
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from number_orders import errors
from number_orders.errors import ApiError, StoreUnavailable
from number_orders.http.serializers import error_bytes
from number_orders.service import NumberOrdersService

access_log = logging.getLogger("number_orders.access")

MAX_URL_BYTES = 8192
MAX_HEADER_BYTES = 8192
# Documentation of the API is public, like Telnyx's own published spec.
PUBLIC_V2_PATHS = frozenset({"/v2/openapi.json", "/v2/docs"})


class RequestGuard:
    def __init__(self, app: ASGIApp, service: NumberOrdersService) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id(scope)
        state: dict[str, Any] = {"status": 500}
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                state["started"] = True
                message["headers"] = [
                    *message.get("headers", []),
                    _header("x-request-id", request_id),
                ]
            await send(message)

        try:
            rejection = _oversized(scope)
            if rejection is None and _needs_auth(scope["path"]):
                scope["state"]["account_id"] = await self._authenticate(scope)
            if rejection is not None:
                await send_error(send_with_id, rejection, scope)
            else:
                await self.app(scope, receive, send_with_id)
        except ApiError as error:
            await send_error(send_with_id, error, scope)
        except StoreUnavailable:
            await send_error(send_with_id, errors.store_unavailable(), scope)
        except Exception:
            access_log.exception("unhandled error", extra={"request_id": request_id})
            if not state.get("started"):
                await send_error(send_with_id, errors.unexpected_error(), scope)
        finally:
            _log(scope, state["status"], started, request_id)

    async def _authenticate(self, scope: Scope) -> str:
        token = _bearer_token(scope)
        if token is None:
            raise errors.authentication_failed()
        account_id = self.service.recently_authenticated(token)
        if account_id is None:
            account_id = await run_in_threadpool(self.service.authenticate, token)
        return account_id


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
    return _new_request_id()


# Request ids need to be unique, not secret: a seeded generator makes them without a
# system call per request (one on the event loop thread waits for the GIL to come back).
_ids = random.Random(os.urandom(16))


def _new_request_id() -> str:
    text = f"{_ids.getrandbits(128) & _UUID4_MASK | _UUID4_BITS:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


_UUID4_MASK = ~((0xF << 76) | (0x3 << 62))
_UUID4_BITS = (4 << 76) | (2 << 62)


def _header(name: str, value: str) -> tuple[bytes, bytes]:
    return name.encode("latin-1"), value.encode("latin-1")


def _log(scope: Scope, status: int, started: float, request_id: str) -> None:
    if not access_log.isEnabledFor(logging.INFO):
        return
    line = {
        "request_id": request_id,
        "method": scope["method"],
        "path": scope["path"],
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 3),
        "account_id": scope.get("state", {}).get("account_id"),
    }
    access_log.info(orjson.dumps(line).decode())
