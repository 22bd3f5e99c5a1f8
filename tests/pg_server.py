"""A throwaway PostgreSQL server for tests.

Self-contained on purpose (no pytest import) so it can be used from fixtures, benchmarks and
ad-hoc scripts alike. Each ``PostgresServer`` owns a fresh temporary directory holding the data
directory, the unix socket and the server log; ``cleanup()`` removes all of it.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Any, LiteralString

import psycopg
from psycopg import sql

# Where Debian and Ubuntu install PostgreSQL 15, when nothing says otherwise.
FALLBACK_BIN_DIR = "/usr/lib/postgresql/15/bin"

# Durability is worthless for a database that is deleted after the run, and turning it off
# makes schema setup and commits several times faster.
_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "128MB",
}
# PostgreSQL refuses to run as root, so as root we run its binaries as the `postgres` user.
_AS_POSTGRES: dict[str, Any] = {"user": "postgres", "group": "postgres", "extra_groups": []}


def find_bin_dir() -> str:
    """The directory of the PostgreSQL binaries: ``$PG_BIN``, else what ``pg_config
    --bindir`` says, else ``FALLBACK_BIN_DIR``."""
    configured = os.environ.get("PG_BIN")
    if configured:
        return configured
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        answer = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if answer.returncode == 0 and answer.stdout.strip():
            return answer.stdout.strip()
    return FALLBACK_BIN_DIR


def available(bin_dir: str | None = None) -> bool:
    """Whether the PostgreSQL binaries needed by ``PostgresServer`` exist."""
    found = bin_dir or find_bin_dir()
    return all(os.access(Path(found, b), os.X_OK) for b in ("initdb", "pg_ctl", "postgres"))


def _free_port() -> int:
    """Ask the kernel for a currently unused TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
            self._port = _free_port()
            self._run(
                "initdb", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "-A", "trust", "-N"
            )
            # Written into postgresql.conf (not passed via pg_ctl -o) so restart() reuses them.
            settings = {**_SETTINGS, "port": str(self._port)}
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
