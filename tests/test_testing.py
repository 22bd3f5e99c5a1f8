"""The throwaway PostgreSQL server of `number_orders.testing`."""

from __future__ import annotations

import os
import signal
import time

import psycopg
import pytest

from number_orders.testing import PostgresServer


def _roundtrip(url: str) -> str:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT 'é'::text").fetchone()
    assert row is not None
    return str(row[0])


def test_start_create_stop_restart_cleanup() -> None:
    server = PostgresServer()
    t0 = time.monotonic()
    server.start()
    print(f"start() took {time.monotonic() - t0:.2f}s")
    try:
        port = server.port
        url_a = server.create_database("orders_a")
        url_b = server.create_database("orders_b")
        assert url_a == f"postgresql://postgres@127.0.0.1:{port}/orders_a"
        assert url_b.endswith("/orders_b")
        assert _roundtrip(url_a) == "é"  # non-ASCII survives: the cluster is UTF8
        with psycopg.connect(url_a) as conn:
            assert conn.execute("SHOW server_encoding").fetchone() == ("UTF8",)
            assert conn.execute("SHOW fsync").fetchone() == ("off",)

        server.stop()
        server.stop()  # idempotent
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(url_a, connect_timeout=2).close()

        server.restart()
        assert server.port == port
        assert _roundtrip(url_a) == "é"  # same data dir: the database is still there

        server.drop_database("orders_b")
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(url_b, connect_timeout=2).close()
    finally:
        tmp_dir = server.tmp_dir
        server.cleanup()
    assert tmp_dir is not None and not tmp_dir.exists()
    server.cleanup()  # idempotent


def test_stop_after_kill_and_context_manager() -> None:
    with PostgresServer() as server:
        url = server.create_database("victim")
        with psycopg.connect(url):  # an open session must not block recovery
            pid = int((server.data_dir / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGKILL)
            server.stop()  # must not raise although the server is gone
        server.restart()
        assert _roundtrip(url) == "é"
        tmp_dir = server.tmp_dir
    assert tmp_dir is not None and not tmp_dir.exists()
