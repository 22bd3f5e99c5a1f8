"""The connection, before any request reaches the application: uvicorn's httptools
protocol with the bounds it lacks, installed by `server.UVICORN_OPTIONS["http"]`.

- **The request head** (request line and headers) is at most `MAX_HEAD_BYTES`. uvicorn
  bounds neither the URL nor the number of headers, and httptools keeps a header value in
  memory until it ends; here the parser is never fed more than that many bytes of a head.
  A head over the limit is answered 414 (still in the request line) or 431, in the Telnyx
  envelope, and the connection is closed.
- **Time to deliver a head.** A connection has `timeout_keep_alive` seconds, from its
  start or from its last response, to deliver a complete head; uvicorn only times out a
  connection that sends nothing at all after a response, so a client that sends a few
  bytes (or none after connecting) would hold its connection forever.
- **Connections per process.** Past `limit_concurrency` open connections, a request is
  answered 503 `10007` with `Retry-After` and the connection is closed. uvicorn's own
  check answers in plain text and keeps the connection alive; this one takes over.

Both numbers travel on uvicorn's own `Config` fields (`server.front_door_options`), so
the protocol needs nothing else from the process that runs it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

from number_orders import errors
from number_orders.errors import ApiError
from number_orders.http.serializers import error_bytes

MAX_HEAD_BYTES = 64 * 1024
# The URL limit the guard applies (`http.guard.MAX_URL_BYTES`), named in a 414 from here.
MAX_URL_BYTES = 8192
# After a refusal the connection reads and drops what the client is still sending, so
# the answer is not lost to a reset, for at most this long.
LINGER_SECONDS = 2.0


class FrontDoorProtocol(HttpToolsProtocol):
    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.max_connections = self.limit_concurrency
        self.limit_concurrency = None  # refused here, in the envelope (see `_admitted_app`)
        self.head_timeout: float = self.timeout_keep_alive
        self.application = self.app
        self._head_budget = MAX_HEAD_BYTES
        self._reading_head = True
        self._request_line_ended = False
        self._head_timer: asyncio.TimerHandle | None = None
        self._discarding = False

    # -- connection events -------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._discarding:
            return
        while data and self._reading_head:
            # Never more than one byte past the budget reaches the parser while a head is
            # being read: that byte proves the head too large.
            piece, data = data[: self._head_budget + 1], data[self._head_budget + 1 :]
            self._head_budget -= len(piece)
            self._request_line_ended = self._request_line_ended or b"\n" in piece
            super().data_received(piece)
            if self.transport.is_closing():
                return
            if self._reading_head and self._head_budget < 0:
                too_long = errors.uri_too_long(MAX_URL_BYTES)
                self._refuse(
                    errors.request_head_too_large(MAX_HEAD_BYTES)
                    if self._request_line_ended
                    else too_long
                )
                return
        if data:
            super().data_received(data)

    def eof_received(self) -> None:
        # The client has sent everything: nothing more to drop after a refusal.
        if self._discarding:
            self.transport.close()

    # -- parser callbacks --------------------------------------------------------------

    def on_headers_complete(self) -> None:
        self._reading_head = False
        self._cancel_head_timer()
        self.app = self._admitted_app()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        # What follows on this connection is the next request's head.
        self._reading_head = True
        self._head_budget = MAX_HEAD_BYTES
        self._request_line_ended = False

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_head_timer()

    # -- the bounds --------------------------------------------------------------------

    def _admitted_app(self) -> Any:
        # This connection is one of `self.connections`.
        if self.max_connections is not None and len(self.connections) > self.max_connections:
            self.logger.warning("connection limit of %d reached", self.max_connections)
            return _refuse_busy
        return self.application

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        answering = self.cycle is not None and not self.cycle.response_complete
        # While a response is on its way the client is waiting, not late; the timer starts
        # again when the response is complete.
        if self._reading_head and not answering and not self.transport.is_closing():
            self.transport.close()

    def _refuse(self, error: ApiError) -> None:
        """Answer `error` and close, reading and dropping whatever else arrives meanwhile."""
        self._cancel_head_timer()
        body = error_bytes(error)
        head = [STATUS_LINE[error.status]]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [
            b"content-type: application/json\r\n",
            b"content-length: %d\r\n" % len(body),
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self._discarding = True
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)


async def _refuse_busy(scope: Any, _receive: Any, send: Any) -> None:
    error = errors.server_busy()
    body = error_bytes(error)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", b"%d" % len(body)),
        (b"connection", b"close"),
        *((k.encode(), v.encode()) for k, v in error.headers.items()),
    ]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
