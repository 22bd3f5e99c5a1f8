"""The application in this process, called without a socket between: for tests where a
real server adds nothing. Tests that need one (raw bytes on the wire, official clients,
processes) start `number_orders.testing.ServeProcess`."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import ExitStack, contextmanager
from typing import Any

import anyio
import anyio.abc
import anyio.from_thread
import httpx
from starlette.types import ASGIApp, Message

from number_orders.config import Settings
from number_orders.server import build_app
from number_orders.service import NumberOrdersService
from number_orders.storage.sql_store import SqlStore

ROOT_URL = "http://testserver"


def new_key(store: SqlStore, account: str) -> str:
    """A new API key of `account` (created if new)."""
    return NumberOrdersService(store).create_api_key(account).token


def bearer(key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"} if key else {}


class InProcess:
    """The application as `serve` builds it, on an event loop of its own thread, its
    lifespan run as a server runs it: the background worker starts with it unless the
    settings turn it off, and leaving closes the store.

    Its clients hand each request to that loop (`httpx.ASGITransport`), so requests from
    several threads run concurrently, as they would in uvicorn. `base_url` and `root_url`
    are those of a server, for absolute URLs."""

    base_url = ROOT_URL + "/v2"
    root_url = ROOT_URL

    def __init__(self, settings: Settings, store: SqlStore, **build: Any) -> None:
        # A cold inventory, as `ServeProcess` starts it: tests search few countries.
        self.app = build_app(settings.with_changes(inventory_warm=False), store, **build)
        self._stack = ExitStack()
        self._portal: anyio.from_thread.BlockingPortal | None = None
        self._lifespan: _Lifespan | None = None

    def __enter__(self) -> InProcess:
        with ExitStack() as stack:
            portal = stack.enter_context(anyio.from_thread.start_blocking_portal())
            lifespan = _Lifespan(self.app)
            lifespan.task, _ = portal.start_task(lifespan.run)  # returns once started
            self._portal, self._lifespan, self._stack = portal, lifespan, stack.pop_all()
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._portal is not None and self._lifespan is not None
        with self._stack:
            self._portal.call(self._lifespan.stop)
            self._lifespan.task.result(30)

    def http_client(self) -> httpx.Client:
        """A bare client whose requests this application answers, for a library (such as
        the official Telnyx client) that takes an `httpx.Client` of its own."""
        assert self._portal is not None, "the application is not running"
        return httpx.Client(transport=_LoopTransport(self.app, self._portal))

    @contextmanager
    def client(self, key: str | None = None) -> Iterator[httpx.Client]:
        """A client of the API (`base_url`) that sends `key`, if any, with every request."""
        assert self._portal is not None, "the application is not running"
        transport = _LoopTransport(self.app, self._portal)
        with httpx.Client(transport=transport, base_url=self.base_url, headers=bearer(key)) as c:
            yield c


class _Lifespan:
    """The ASGI lifespan protocol, spoken as a server speaks it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.task: Future[None] = Future()
        self._stopping: anyio.Event | None = None

    async def run(self, *, task_status: anyio.abc.TaskStatus[None]) -> None:
        self._stopping = stopping = anyio.Event()
        started = False

        async def receive() -> Message:
            nonlocal started
            if not started:
                started = True
                return {"type": "lifespan.startup"}
            await stopping.wait()
            return {"type": "lifespan.shutdown"}

        async def send(message: Message) -> None:
            if message["type"].endswith(".failed"):
                raise RuntimeError(f"{message['type']}: {message.get('message', '')}")
            if message["type"] == "lifespan.startup.complete":
                task_status.started()

        await self.app({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send)

    def stop(self) -> None:
        assert self._stopping is not None
        self._stopping.set()


class _LoopTransport(httpx.BaseTransport):
    """Runs each request through `httpx.ASGITransport` on the application's loop."""

    def __init__(self, app: ASGIApp, portal: anyio.from_thread.BlockingPortal) -> None:
        self._asgi = httpx.ASGITransport(app=app)
        self._portal = portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()  # a streamed body, read here, goes to the app as the same bytes
        return self._portal.call(self._send, request)

    async def _send(self, request: httpx.Request) -> httpx.Response:
        response = await self._asgi.handle_async_request(request)
        content = await response.aread()
        return httpx.Response(
            response.status_code, headers=response.headers, stream=httpx.ByteStream(content)
        )
