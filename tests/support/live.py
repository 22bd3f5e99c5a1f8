"""The application behind a real uvicorn socket in a background thread of this process,
on the test's own store: for a browser, or a client that needs a real address, when a
separate `serve` process (`number_orders.testing.ServeProcess`) would add nothing."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any

import httpx
import uvicorn

from number_orders.config import Settings
from number_orders.server import UVICORN_OPTIONS, build_app, front_door_options
from number_orders.storage.sql_store import SqlStore


class LiveServer:
    def __init__(self, settings: Settings, store: SqlStore, **build: Any) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        # A cold inventory, as `ServeProcess` starts it: tests search few countries.
        self.app = build_app(settings.with_changes(inventory_warm=False), store, **build)
        config = uvicorn.Config(
            self.app,
            loop="asyncio",
            http=UVICORN_OPTIONS["http"],
            **front_door_options(settings),
            access_log=False,
            log_level="warning",
            lifespan="on",
            timeout_graceful_shutdown=2,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self._run, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v2"

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.run(self.server.serve(sockets=[self.sock]))

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def client_for(server: LiveServer, token: str | None) -> httpx.Client:
    """A client of the server's API (`base_url`) that sends `token`, if any."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=server.base_url, headers=headers, timeout=30)
