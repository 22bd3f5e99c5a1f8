"""Helpers for testing against number-orders: `number-orders serve` in a process of its own,
a throwaway PostgreSQL server, a webhook receiver, and a sandboxed server with a client of
its control API (`/_sandbox`).

No pytest import, so fixtures, benchmarks and scripts can all use them. Each helper owns
what it starts (a process, a temporary directory, a port) and its `stop()` or `cleanup()`
leaves nothing behind.

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

import atexit
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, LiteralString, NamedTuple, TypeVar

import httpx
import orjson
import psycopg
from psycopg import sql

from number_orders.config import Settings

T = TypeVar("T")
LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def wait_until(
    condition: Callable[[], T | None], timeout: float = 20.0, interval: float = 0.02
) -> T:
    """Call `condition` until it returns something truthy, and return that; fail with an
    AssertionError after `timeout` seconds. An exception from `condition` ends the wait."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


class ServeProcess:
    """`number-orders serve` run as users run it, in a process of its own
    (`sys.executable -m number_orders serve`), on a free loopback port.

    `settings` configure it entirely, through the environment, the way `serve --workers N`
    hands its settings to its processes; their host and port are replaced. The process
    writes its output to `log` (by default a temporary file removed by `stop()`), which is
    where a failed start's reason is. `start()` returns once `/readyz` answers 200.
    Unless `warm_inventory`, the number search starts cold (its first search of a country
    builds that country's catalogue): a test server need not spend seconds of CPU on
    countries it never searches.
    """

    def __init__(
        self,
        settings: Settings,
        log: Path | None = None,
        cwd: Path | None = None,
        warm_inventory: bool = False,
        preexec: Callable[[], None] | None = None,
    ) -> None:
        self.port = free_port()
        self.preexec = preexec  # run in the child before `serve` starts (limits, say)
        self.settings = settings.with_changes(
            host=LOOPBACK, port=self.port, inventory_warm=warm_inventory
        )
        self.cwd = cwd
        self.log = log
        self._own_log = log is None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def process(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            raise RuntimeError("the server has not been started")
        return self._process

    @property
    def root_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def base_url(self) -> str:
        """The API's base URL, as `TELNYX_BASE_URL` takes it."""
        return self.root_url + "/v2"

    def start(self, timeout: float = 60.0) -> ServeProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBER_ORDERS_")}
        # Unbuffered, so the log shows what the process printed even while it runs.
        env.update(self.settings.to_env(), PYTHONUNBUFFERED="1")
        if self.log is None:
            handle, name = tempfile.mkstemp(prefix="number-orders-serve-", suffix=".log")
            os.close(handle)
            self.log = Path(name)
        with self.log.open("ab") as sink:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "number_orders", "serve"],
                cwd=self.cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                preexec_fn=self.preexec,
            )
        try:
            wait_until(self._ready, timeout, interval=0.05)
        except BaseException:
            self.kill()
            raise
        return self

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            tail = self.log_text()[-4000:]
            raise RuntimeError(f"serve exited with {self.process.returncode}:\n{tail}")
        try:
            return httpx.get(self.root_url + "/readyz", timeout=5).status_code == 200
        except httpx.TransportError:
            return False

    def log_text(self) -> str:
        """What the process has written so far."""
        if self.log is None or not self.log.exists():
            return ""
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no shutdown of any kind, as a crash would end it."""
        if self._process is not None and self._process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM, so requests in flight finish and the process exits; its exit status
        (None if it never started). A process that does not exit in `timeout` is killed."""
        if self._process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        if self._own_log and self.log is not None:
            self.log.unlink(missing_ok=True)
            self.log = None
        return self.process.returncode

    def __enter__(self) -> ServeProcess:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


FALLBACK_BIN_DIR = "/usr/lib/postgresql/15/bin"


def find_bin_dir() -> str:
    """The directory of the PostgreSQL binaries: ``$PG_BIN``, else what ``pg_config
    --bindir`` says, else ``FALLBACK_BIN_DIR`` (Debian's PostgreSQL 15)."""
    configured = os.environ.get("PG_BIN")
    if configured:
        return configured
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        answer = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if answer.returncode == 0 and answer.stdout.strip():
            return answer.stdout.strip()
    return FALLBACK_BIN_DIR


# Durability is worthless for a database that is deleted after the run, and turning it off
# makes schema setup and commits several times faster.
_POSTGRES_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "128MB",
}
# PostgreSQL refuses to run as root, so as root we run its binaries as the `postgres` user.
_AS_POSTGRES: dict[str, Any] = {"user": "postgres", "group": "postgres", "extra_groups": []}


def postgres_available(bin_dir: str | None = None) -> bool:
    """Whether the PostgreSQL binaries that ``PostgresServer`` runs are installed."""
    bin_dir = bin_dir or find_bin_dir()
    return all(os.access(Path(bin_dir, b), os.X_OK) for b in ("initdb", "pg_ctl", "postgres"))


class PostgresServer:
    """Start/stop a private PostgreSQL cluster listening on 127.0.0.1:<free port>."""

    def __init__(self, bin_dir: str | None = None) -> None:
        self.bin_dir = Path(bin_dir or find_bin_dir())
        self.tmp_dir: Path | None = None
        self._port: int | None = None
        self._run_as = _AS_POSTGRES if os.geteuid() == 0 else {}

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("server has not been started")
        return self._port

    @property
    def data_dir(self) -> Path:
        assert self.tmp_dir is not None, "server has not been started"
        return self.tmp_dir / "data"

    @property
    def log_file(self) -> Path:
        assert self.tmp_dir is not None, "server has not been started"
        return self.tmp_dir / "server.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL binary (as `postgres` when we are root) with a clean environment."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(LC_ALL="C.UTF-8", PGDATA=str(self.data_dir))  # PGDATA: the implicit -D
        if self._run_as:
            env.update(HOME=str(self.tmp_dir), USER="postgres", LOGNAME="postgres")
        proc = subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            cwd=self.tmp_dir,  # our own cwd may not be readable by `postgres`
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            **self._run_as,
        )
        if check and proc.returncode != 0:
            raise self._error(proc)
        return proc

    def _error(self, proc: subprocess.CompletedProcess[str]) -> RuntimeError:
        """The command's output plus the server log tail: the log is where the reason is."""
        msg = f"{Path(proc.args[0]).name} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}"
        if self.tmp_dir is not None and self.log_file.is_file():
            tail = self.log_file.read_text(errors="replace").splitlines()[-40:]
            msg += "\n--- server log tail ---\n" + "\n".join(tail)
        return RuntimeError(msg)

    def start(self) -> None:
        """Create the cluster (once) in a fresh temp dir and start it; blocks until it accepts."""
        if self.tmp_dir is None:
            self.tmp_dir = Path(tempfile.mkdtemp(prefix="pgtest-"))
            atexit.register(self.cleanup)  # a crashed test run must not leave a server behind
            self.data_dir.mkdir(mode=0o700)
            if self._run_as:
                for p in (self.tmp_dir, self.data_dir):
                    shutil.chown(p, "postgres", "postgres")
            self._port = free_port()
            self._run(
                "initdb", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "-A", "trust", "-N"
            )
            # Written into postgresql.conf (not passed via pg_ctl -o) so restart() reuses them.
            settings = {**_POSTGRES_SETTINGS, "port": str(self._port)}
            settings["unix_socket_directories"] = f"'{self.tmp_dir}'"
            with (self.data_dir / "postgresql.conf").open("a") as conf:
                conf.write("".join(f"{k} = {v}\n" for k, v in settings.items()))
        self._run("pg_ctl", "start", "-w", "-l", str(self.log_file))

    def _postmaster_alive(self) -> bool:
        """Whether postmaster.pid names a live process. Not `pg_ctl status`: that counts a killed
        postmaster as running while it is an unreaped zombie (pid 1 in containers may reap late).
        """
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split()[0])
            os.kill(pid, 0)
        except (OSError, ValueError, IndexError):
            return False
        with contextlib.suppress(OSError):  # /proc is Linux-only; elsewhere trust kill(0)
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            return state not in ("Z", "X")
        return True

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; a no-op if it never started, is already stopped or was killed."""
        if self.tmp_dir is None or not self.data_dir.is_dir():
            return
        if self._postmaster_alive():
            proc = self._run("pg_ctl", "stop", "-w", "-m", mode, check=False)
            # pg_ctl also fails if the postmaster dies under it: only a survivor is an error.
            if proc.returncode != 0 and self._postmaster_alive():
                raise self._error(proc)
        # After a kill the lock files are stale, and a killed postmaster can linger as a
        # zombie whose pid still answers kill(0): drop them so start() does not refuse.
        stale = [self.data_dir / "postmaster.pid", *self.tmp_dir.glob(".s.PGSQL.*.lock")]
        for path in stale:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def restart(self) -> None:
        """Start again on the same port and data dir, e.g. after stop() in an outage test."""
        if self.tmp_dir is None:
            raise RuntimeError("restart() before start()")
        self.stop()
        self.start()

    def _admin_exec(self, template: LiteralString, name: str) -> None:
        # CREATE/DROP DATABASE cannot run inside a transaction block, hence autocommit.
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql.SQL(template).format(sql.Identifier(name)))

    def create_database(self, name: str) -> str:
        """Create database ``name`` and return its connection URL."""
        self._admin_exec("CREATE DATABASE {}", name)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop ``name``, terminating any sessions a test left open on it."""
        self._admin_exec("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)

    def cleanup(self) -> None:
        """Stop the server (immediate: nothing worth flushing) and delete the temp dir."""
        if self.tmp_dir is None:
            return
        atexit.unregister(self.cleanup)
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.tmp_dir, ignore_errors=True)
            self.tmp_dir = None
            self._port = None

    def __enter__(self) -> PostgresServer:
        try:
            self.start()
        except BaseException:
            self.cleanup()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.cleanup()


@dataclass(frozen=True)
class Delivery:
    """One request as the receiver read it."""

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
    """How the receiver answers one request: this status, after this many seconds."""

    status: int = 200
    delay: float = 0.0


class WebhookReceiver:
    """A real webhook receiver: an HTTP server on a loopback port, in a thread, that records
    every request and answers as the test scripts it (a status, or a delay first)."""

    def __init__(self, port: int = 0) -> None:
        self.deliveries: list[Delivery] = []
        self.script: deque[Answer] = deque()
        self.arrived = threading.Condition()
        self._server = self._make_server(port)
        self.port = self._server.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/hooks"

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

        server = Server((LOOPBACK, port), Handler)
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


# -- the sandbox ---------------------------------------------------------------------


class Account(NamedTuple):
    name: str
    api_key: str


class SandboxError(Exception):
    """The control API refused a request; `status` and `body` say why."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


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
    """`number-orders serve` as a child process (`ServeProcess`) with the sandbox on, and
    its control API."""

    def __init__(
        self,
        database_url: str | None = None,
        *,
        directory: Path | None = None,
        settings: Settings | None = None,
        start_timeout: float = 60.0,
    ) -> None:
        """`directory` holds the SQLite file (when no URL is given) and the server's log;
        a temporary one by default. `settings` are the server's others (by default what
        the environment's `NUMBER_ORDERS_*` variables say, as for `serve`)."""
        self._temporary = None if directory else tempfile.TemporaryDirectory(prefix="no-test-")
        self.directory = directory or Path(self._temporary.name)  # type: ignore[union-attr]
        self.database_url = database_url or f"sqlite:///{self.directory / 'number-orders.sqlite3'}"
        self.admin_token = secrets.token_urlsafe(24)
        self.settings = (settings or Settings.from_env(os.environ)).with_changes(
            database_url=self.database_url,
            fulfilment_delay=0.0,
            admin_token=self.admin_token,
            demo=False,
        )
        self.start_timeout = start_timeout
        self.log_path = self.directory / "number-orders-server.log"
        self.server: ServeProcess | None = None
        self.control = None

    @property
    def root_url(self) -> str:
        return self._running.root_url

    @property
    def base_url(self) -> str:
        """Where the Telnyx clients point (`base_url=`, `TELNYX_BASE_URL`)."""
        return self._running.base_url

    @property
    def _running(self) -> ServeProcess:
        if self.server is None:
            raise RuntimeError("the server is not running: start() it first")
        return self.server

    def start(self) -> SandboxServer:
        self.server = ServeProcess(self.settings, log=self.log_path)
        self.server.start(self.start_timeout)
        self.connect(self.server.root_url)
        return self

    def stop(self) -> None:
        self.close()
        if self.server is not None:
            self.server.stop()
            self.server = None
        if self._temporary is not None:
            self._temporary.cleanup()
            self._temporary = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _name(account: str | Account) -> str:
    return account.name if isinstance(account, Account) else account
