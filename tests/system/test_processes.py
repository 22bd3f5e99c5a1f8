"""Commands as operators run them, as processes beside each other, on both engines: first
starts that migrate at once, and the `worker` command settling orders until SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from number_orders.domain.orders import SUCCESS
from number_orders.service import NumberOrdersService
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import wait_until
from tests.support.cli import run_process
from tests.support.orders import new_order, number, pending_count, status_of


def test_concurrent_first_starts_migrate_safely(database_url: str) -> None:
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: run_process("migrate", url=database_url), range(4)))
    assert [r.returncode for r in results] == [0, 0, 0, 0], [r.stderr[-500:] for r in results]


def test_the_worker_command_settles_orders_and_stops_on_sigterm(
    store: SqlStore, database_url: str
) -> None:
    service = NumberOrdersService(store)
    account = service.create_api_key("acme").account.account_id
    ids = [service.create_number_order(account, new_order(number())).order.id for _ in range(5)]
    env = {**os.environ, "NUMBER_ORDERS_DATABASE_URL": database_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "number_orders", "worker", "--threads", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(lambda: pending_count(store, [account]) == 0, timeout=30, interval=0.1)
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "worker running" in out
    assert all(status_of(store, account, i) == SUCCESS for i in ids)
