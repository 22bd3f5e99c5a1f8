"""The command line, run as users run it: as a separate process, on both engines."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

CLI = [sys.executable, "-m", "number_orders"]


def run(
    *args: str, url: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    command = [*CLI, *args] + (["--database-url", url] if url else [])
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBER_ORDERS_")}
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=cwd, env=env)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_keys_create_prints_the_key_last_then_list_and_revoke(database_url: str) -> None:
    created = run("keys", "create", "--account", "acme", url=database_url)
    assert created.returncode == 0, created.stderr
    key = created.stdout.rstrip("\n").splitlines()[-1]
    assert re.fullmatch(r"KEY[0-9a-f]{32}_[A-Za-z0-9_-]{43}", key)
    key_id = key[3:35]
    listed = run("keys", "list", "--account", "acme", url=database_url)
    assert key_id in listed.stdout and "active" in listed.stdout
    assert key not in listed.stdout
    assert run("keys", "revoke", key_id, url=database_url).returncode == 0
    assert "revoked" in run("keys", "list", "--account", "acme", url=database_url).stdout
    assert run("keys", "revoke", key_id, url=database_url).returncode == 1
    assert run("keys", "list", "--account", "nobody", url=database_url).returncode == 1


def test_seed_is_repeatable_for_a_given_seed(database_url: str, tmp_path: Path) -> None:
    seeded = run("seed", "--account", "acme", "--orders", "2500", "--seed", "9", url=database_url)
    assert seeded.returncode == 0, seeded.stderr
    assert "seeded 2500 orders" in seeded.stdout
    other = f"sqlite:///{tmp_path / 'again.sqlite3'}"
    assert (
        run("seed", "--account", "acme", "--orders", "2500", "--seed", "9", url=other).returncode
        == 0
    )
    from number_orders.domain.listing import ListQuery
    from number_orders.domain.phone_number_listing import PhoneNumberQuery
    from number_orders.server import open_store

    first, second = open_store(database_url), open_store(other)
    try:
        query = ListQuery(page_size=250)
        a_orders, a_total = first.list_number_orders(first.ensure_account("acme").account_id, query)
        b_orders, b_total = second.list_number_orders(
            second.ensure_account("acme").account_id, query
        )
        assert a_total == b_total == 2500
        assert [o.id for o in a_orders] == [o.id for o in b_orders]
        # The orders bought the same numbers (their instants follow each run's clock).
        owned = PhoneNumberQuery(page_size=250, sort="phone_number")
        a_numbers, a_owned = first.list_phone_numbers(
            first.ensure_account("acme").account_id, owned
        )
        b_numbers, b_owned = second.list_phone_numbers(
            second.ensure_account("acme").account_id, owned
        )
        assert a_owned == b_owned > 5000
        assert [(n.id, n.phone_number, n.order_id) for n in a_numbers] == [
            (n.id, n.phone_number, n.order_id) for n in b_numbers
        ]
    finally:
        first.close()
        second.close()


def test_concurrent_first_starts_migrate_safely(database_url: str) -> None:
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: run("migrate", url=database_url), range(4)))
    assert [r.returncode for r in results] == [0, 0, 0, 0], [r.stderr[-500:] for r in results]


def test_help_and_module_entry_point() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("serve", "migrate", "keys", "seed"):
        assert command in result.stdout


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBER_ORDERS_")}
    process = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--workers", "2"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process, port
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()


def test_first_start_seeds_a_demo_account_and_prints_how_to_use_it(
    demo_server: tuple[subprocess.Popen[str], int],
) -> None:
    process, port = demo_server
    assert process.stdout is not None
    lines = [process.stdout.readline() for _ in range(4)]
    key = re.search(r"(KEY\S+)", lines[1]).group(1)  # type: ignore[union-attr]
    assert "curl" in lines[2] and "export TELNYX_BASE_URL=" in lines[3]
    deadline = time.monotonic() + 30
    while True:
        try:
            response = httpx.get(
                f"http://127.0.0.1:{port}/v2/number_orders",
                headers={"Authorization": f"Bearer {key}"},
            )
            break
        except httpx.TransportError:
            assert time.monotonic() < deadline
            time.sleep(0.2)
    assert response.status_code == 200
    assert response.json()["meta"]["total_results"] == 300
