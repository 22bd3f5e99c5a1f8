"""A number-orders server for a test suite, and a client of its control API (`/_sandbox`).

`SandboxServer` starts `number-orders serve` with the running interpreter
(`sys.executable -m number_orders`, so the server is the one installed beside the tests)
on a free loopback port, with fulfilment at once and a random admin token, on a temporary
SQLite file unless given a database URL. The pytest plugin (`pytest_plugin.py`) is made of
it; it works the same without pytest::

    with SandboxServer() as server:
        name, key = server.new_account()
        ...
        server.advance(3600)
        server.drain()
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

import httpx

from number_orders.config import BY_NAME


class Account(NamedTuple):
    name: str
    api_key: str


class SandboxError(Exception):
    """The control API refused a request; `status` and `body` say why."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


def _flag(name: str) -> str:
    option: str = BY_NAME[name].option
    return option


class SandboxClient:
    """The control API of a server at `root_url` whose admin token is `admin_token`."""

    def __init__(self, root_url: str, admin_token: str) -> None:
        self.admin_token = admin_token
        self.control: httpx.Client | None = None
        self.connect(root_url)

    def connect(self, root_url: str) -> None:
        if self.control is not None:
            self.control.close()
        self.control = httpx.Client(
            base_url=f"{root_url}/_sandbox",
            headers={"Authorization": f"Bearer {self.admin_token}"},
            timeout=60,
            trust_env=False,
        )

    def close(self) -> None:
        if self.control is not None:
            self.control.close()
            self.control = None

    def new_account(self, name: str | None = None, webhook_url: str | None = None) -> Account:
        """A new API key for the account (made if new; a unique name by default)."""
        body: dict[str, Any] = {"name": name or f"test-{secrets.token_hex(6)}"}
        if webhook_url is not None:
            body["webhook_url"] = webhook_url
        data = self._call("POST", "/accounts", body)
        return Account(data["account"], data["api_key"])

    def clock(self) -> dict[str, Any]:
        """`{"now": RFC 3339, "offset_seconds": N}`."""
        data: dict[str, Any] = self._call("GET", "/clock")
        return data

    def advance(self, seconds: float) -> dict[str, Any]:
        """Move the server's clock forward; every process follows before this returns."""
        data: dict[str, Any] = self._call("POST", "/clock", {"advance_seconds": seconds})
        return data

    def drain(self) -> dict[str, Any]:
        """Run all work that is due now, until none is left: what each step did."""
        data: dict[str, Any] = self._call("POST", "/drain")
        return data

    def reset(self, account: str | Account | None = None) -> dict[str, int]:
        """Delete everything of the account (of every account, for None) but its keys;
        rows removed per table."""
        body = {} if account is None else {"account": _name(account)}
        removed: dict[str, int] = self._call("POST", "/reset", body)["removed"]
        return removed

    def inject_fault(
        self,
        status: int | None = None,
        *,
        account: str | Account | None = None,
        method: str | None = None,
        path: str | None = None,
        times: int | None = 1,
        latency_ms: int | None = None,
    ) -> str:
        """Matching requests answer `status` (and/or wait `latency_ms` first), `times`
        times (None: until removed); the fault's id."""
        body = {
            "status": status,
            "account": None if account is None else _name(account),
            "method": method,
            "path": path,
            "times": times,
            "latency_ms": latency_ms,
        }
        fault_id: str = self._call("POST", "/faults", body)["id"]
        return fault_id

    def faults(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self._call("GET", "/faults")
        return found

    def remove_fault(self, fault_id: str) -> None:
        self._call("DELETE", f"/faults/{fault_id}")

    def requests(self, account: str | Account, limit: int = 50) -> list[dict[str, Any]]:
        """The account's request journal, newest first."""
        params = {"account": _name(account), "limit": str(limit)}
        entries: list[dict[str, Any]] = self._call("GET", "/requests", params=params)
        return entries

    def _call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        if self.control is None:
            raise RuntimeError("the server is not running: start() it first")
        response = self.control.request(method, path, json=body, params=params)
        if response.status_code >= 300:
            raise SandboxError(response.status_code, response.text)
        return response.json()["data"]


class SandboxServer(SandboxClient):
    """`number-orders serve` as a child process, and its control API."""

    def __init__(
        self,
        database_url: str | None = None,
        *,
        directory: Path | None = None,
        args: tuple[str, ...] = (),
        start_timeout: float = 60.0,
    ) -> None:
        """`directory` holds the SQLite file (when no URL is given) and the server's log;
        a temporary one by default. `args` are more `serve` flags."""
        self._temporary = None if directory else tempfile.TemporaryDirectory(prefix="no-test-")
        self.directory = directory or Path(self._temporary.name)  # type: ignore[union-attr]
        self.database_url = database_url or f"sqlite:///{self.directory / 'number-orders.sqlite3'}"
        self.args = args
        self.start_timeout = start_timeout
        self.port = 0
        self.log_path = self.directory / "number-orders-server.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.admin_token = secrets.token_urlsafe(24)
        self.control = None

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """Where the Telnyx clients point (`base_url=`, `TELNYX_BASE_URL`)."""
        return f"{self.root_url}/v2"

    # -- the process -------------------------------------------------------------------

    def start(self) -> SandboxServer:
        self.port = _free_port()
        command = [
            sys.executable,
            "-m",
            "number_orders",
            "serve",
            *(_flag("host"), "127.0.0.1", _flag("port"), str(self.port)),
            *(_flag("database_url"), self.database_url),
            *(_flag("fulfilment_delay"), "0"),
            *self.args,
        ]
        env = {
            **os.environ,
            BY_NAME["admin_token"].variable: self.admin_token,
            BY_NAME["demo"].variable: "0",
        }
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
            )
        self.connect(self.root_url)
        self._wait_until_ready()
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"number-orders serve exited:\n{self._log_tail()}")
            try:
                self.clock()
                return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"number-orders serve did not answer:\n{self._log_tail()}")
            time.sleep(0.05)

    def _log_tail(self) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-30:])

    def stop(self) -> None:
        self.close()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        if self._temporary is not None:
            self._temporary.cleanup()
            self._temporary = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _name(account: str | Account) -> str:
    return account.name if isinstance(account, Account) else account


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
