"""The request journal's two halves in a server process: `Capture` keeps what one request
sent and received (references to its body chunks, no copies), and `Journal` holds
finished exchanges in memory and writes them through the service when they are wanted,
so a request pays for an append, not for parsing, redaction or a write.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable

from starlette.types import Message, Receive, Scope

from number_orders.domain.journal import BODY_LIMIT, Exchange
from number_orders.domain.timestamps import now_micros

log = logging.getLogger("number_orders.sandbox")

# Exchanges a process holds (over all accounts) before it writes them unasked: a bound on
# memory, never met by one busy account (each keeps at most the journal's limit).
HELD_LIMIT = 5_000
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
    """Each account's newest exchanges, held in memory (a deque of at most `keep` per
    account) and written to the store through `write` only when they are wanted: when a
    reader asks (`flush` here, or `request_flush` from the poller when a reader in another
    process asked through the store), when more than `held_limit` are held, and at `stop`.
    Recording is an append under a lock; nobody reading means nothing written.

    A writer thread does the writes that are asked for from elsewhere, so neither the event
    loop nor the poller waits for one."""

    def __init__(
        self, write: Callable[[list[Exchange]], None], keep: int, held_limit: int = HELD_LIMIT
    ) -> None:
        self.write = write
        self.keep = keep
        self.held_limit = held_limit
        self.held: dict[str, deque[Exchange]] = {}
        self.count = 0
        self._holding = threading.Lock()  # between recording and taking what is held
        self._writing = threading.Lock()  # one write at a time, in the order taken
        self.wanted = threading.Event()
        self.closing = False
        self.writer = threading.Thread(target=self._run, name="journal-writer", daemon=True)

    def start(self) -> Journal:
        self.writer.start()
        return self

    def record(self, exchange: Exchange) -> None:
        with self._holding:
            entries = self.held.get(exchange.account_id)
            if entries is None:
                entries = self.held[exchange.account_id] = deque(maxlen=self.keep)
            if len(entries) < self.keep:
                self.count += 1
            entries.append(exchange)  # past `keep`, the oldest drops out
            full = self.count > self.held_limit
        if full and not self.wanted.is_set():
            self.wanted.set()

    def request_flush(self) -> None:
        """Have the writer thread write what is held (callable from any thread)."""
        self.wanted.set()

    def flush(self) -> None:
        """Write what is held now; a failed write is logged and its entries dropped (the
        journal is for reading back, never a reason to fail a request)."""
        with self._writing:
            with self._holding:
                held, self.held, self.count = self.held, {}, 0
            batch = [exchange for entries in held.values() for exchange in entries]
            if not batch:
                return
            try:
                self.write(batch)
            except Exception as error:
                log.warning("journal: %d entries not written (%s)", len(batch), error)

    def stop(self) -> None:
        if not self.closing:
            self.closing = True
            self.wanted.set()
            if self.writer.is_alive():
                self.writer.join(5)
            self.flush()

    def _run(self) -> None:
        while not self.closing:
            self.wanted.wait()
            self.wanted.clear()
            self.flush()
