"""A real webhook receiver: an HTTP server on a loopback port, in a thread, that records
every request and answers as the test scripts it (a status, or a delay first)."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson


@dataclass(frozen=True)
class Delivery:
    body: str
    headers: dict[str, str]
    path: str
    received_at: float

    @property
    def json(self) -> Any:
        return orjson.loads(self.body)

    @property
    def event_id(self) -> str:
        event_id: str = self.json["data"]["id"]
        return event_id

    @property
    def attempt(self) -> int:
        attempt: int = self.json["meta"]["attempt"]
        return attempt


@dataclass(frozen=True)
class Answer:
    status: int = 200
    delay: float = 0.0


class WebhookReceiver:
    def __init__(self, port: int = 0) -> None:
        self.deliveries: list[Delivery] = []
        self.script: deque[Answer] = deque()
        self.arrived = threading.Condition()
        self._server = self._make_server(port)
        self.port = self._server.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def answer(self, *answers: Answer) -> None:
        """The next requests get these answers, in order; later ones get 200 at once."""
        self.script.extend(answers)

    def _make_server(self, port: int) -> ThreadingHTTPServer:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length).decode()
                answer = receiver.script.popleft() if receiver.script else Answer()
                delivery = Delivery(
                    body, {k.lower(): v for k, v in self.headers.items()}, self.path, time.time()
                )
                with receiver.arrived:
                    receiver.deliveries.append(delivery)
                    receiver.arrived.notify_all()
                time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    self.send_header("content-length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender gave up (or was killed) while we waited

            def log_message(self, *_args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 256  # many senders at once must not overflow the backlog

        server = Server(("127.0.0.1", port), Handler)
        server.daemon_threads = True
        return server

    def start(self) -> WebhookReceiver:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Down: the port refuses connections until `restart`."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread = None
        self._server.server_close()

    def restart(self) -> None:
        self._server = self._make_server(self.port)
        self.start()

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Delivery]:
        """At least `count` deliveries, waiting up to `timeout` seconds for them."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.deliveries) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} deliveries, got {len(self.deliveries)}")
                self.arrived.wait(left)
            return list(self.deliveries)

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
