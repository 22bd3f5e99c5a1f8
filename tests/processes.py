"""`number-orders serve` as a real child process on a free loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

COMMAND = Path(sys.executable).parent / "number-orders"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ServeProcess:
    def __init__(self, database_url: str, *args: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.database_url = database_url
        self.args = args
        self.env = env or {}
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v2"

    def start(self, key: str, timeout: float = 30.0) -> ServeProcess:
        env = {**os.environ, "NUMBER_ORDERS_DEMO": "0", **self.env}
        self.process = subprocess.Popen(
            [
                str(COMMAND),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--rate-limit",
                "0",
                "--database-url",
                self.database_url,
                *self.args,
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + timeout
        headers = {"Authorization": f"Bearer {key}"}
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited: {self.process.stderr.read().decode()}")  # type: ignore[union-attr]
            try:
                if httpx.get(self.base_url + "/number_orders", headers=headers).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError("serve did not answer in time")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: no shutdown of any kind."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.returncode
