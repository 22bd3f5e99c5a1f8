"""The request journal's two halves in a server process: `Capture` keeps what one request
sent and received (references to its body chunks, no copies), and `Journal` gathers
finished exchanges in memory and has a thread write them in batches through the service,
so a request pays for an append, not for parsing, redaction or a write.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from starlette.types import Message, Receive, Scope

from number_orders.domain.journal import BODY_LIMIT, Exchange
from number_orders.domain.timestamps import now_micros

log = logging.getLogger("number_orders.sandbox")

# Exchanges held while the store cannot take them; the oldest go first past this.
BACKLOG = 10_000
_JSON = b"application/json"


class Capture:
    """The bodies of one request and its response, each up to just past the limit."""

    __slots__ = ("request", "request_size", "response", "response_is_json", "response_size")

    def __init__(self) -> None:
        self.request: list[bytes] = []
        self.request_size = 0
        self.response: list[bytes] = []
        self.response_size = 0
        self.response_is_json = False

    def receiving(self, receive: Receive) -> Receive:
        async def receive_and_keep() -> Message:
            message = await receive()
            chunk = message.get("body", b"")
            if chunk and self.request_size <= BODY_LIMIT:
                self.request.append(chunk)
                self.request_size += len(chunk)
            return message

        return receive_and_keep

    def sent(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.response_is_json = any(
                name == b"content-type" and value.startswith(_JSON)
                for name, value in message.get("headers", ())
            )
            return
        chunk = message.get("body", b"")
        if chunk and self.response_size <= BODY_LIMIT:
            self.response.append(chunk)
            self.response_size += len(chunk)

    def exchange(
        self, scope: Scope, account_id: str, status: int, duration_micros: int
    ) -> Exchange:
        return Exchange(
            account_id=account_id,
            at=now_micros(),
            method=scope["method"][:16],
            path=scope["path"],
            query=scope["query_string"],
            status=status,
            duration_micros=duration_micros,
            # One chunk (the usual case) is joined without a copy.
            request_body=b"".join(self.request),
            response_body=b"".join(self.response),
            response_is_json=self.response_is_json,
            idempotency_key=_idempotency_key(scope),
        )


def _idempotency_key(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"idempotency-key":
            text: str = value.decode("latin-1")
            return text
    return None


class Journal:
    """Exchanges wait in a deque (an append needs no lock) for the writer thread, which
    lets `GATHER_SECONDS` of them collect and writes them in one transaction: entries are
    readable well within a second. `flush` writes at once (before a read or a reset)."""

    GATHER_SECONDS = 0.1

    def __init__(self, write: Callable[[list[Exchange]], None]) -> None:
        self.write = write
        self.pending: deque[Exchange] = deque(maxlen=BACKLOG)
        self.wake = threading.Event()
        self.closing = False
        self._writing = threading.Lock()
        self.writer = threading.Thread(target=self._run, name="journal-writer", daemon=True)

    def start(self) -> Journal:
        self.writer.start()
        return self

    def record(self, exchange: Exchange) -> None:
        self.pending.append(exchange)
        if not self.wake.is_set():
            self.wake.set()

    def flush(self) -> None:
        """Write what is waiting now; a failed write is logged and its entries dropped
        (the journal is for reading back, never a reason to fail a request)."""
        with self._writing:
            batch = []
            while self.pending:
                batch.append(self.pending.popleft())
            if not batch:
                return
            try:
                self.write(batch)
            except Exception as error:
                log.warning("journal: %d entries not written (%s)", len(batch), error)

    def stop(self) -> None:
        if not self.closing:
            self.closing = True
            self.wake.set()
            if self.writer.is_alive():
                self.writer.join(5)
            self.flush()

    def _run(self) -> None:
        while not self.closing:
            self.wake.wait()
            time.sleep(self.GATHER_SECONDS)
            # Cleared before writing: an entry recorded after the flush sets it again.
            self.wake.clear()
            self.flush()
