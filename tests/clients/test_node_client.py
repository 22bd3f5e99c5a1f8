"""The official Node client `telnyx` (tests/node, installed by `make test`), unchanged,
against the real server on both engines: it creates and lists orders, and lists the
account's owned phone numbers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

from number_orders.seed.factory import OrderFactory
from number_orders.storage.sql_store import SqlStore
from tests.conftest import new_key
from tests.live import LiveServer
from tests.orders import number
from tests.phone_numbers import records

NODE_DIR = Path(__file__).resolve().parent.parent / "node"


def node_path() -> str:
    node = shutil.which("node")
    assert node, "node is required (make test installs the client)"
    assert (NODE_DIR / "node_modules" / "telnyx").is_dir(), "run `make test` to install it"
    return node


def test_node_client_creates_and_lists(live: LiveServer, store: SqlStore) -> None:
    node = node_path()
    phone_numbers, reference = [number() for _ in range(3)], f"node-{time.time_ns()}"
    env = {
        **os.environ,
        "TELNYX_BASE_URL": live.base_url,
        "TELNYX_API_KEY": new_key(store, "acme"),
        "PHONE_NUMBERS": ",".join(phone_numbers),
        "ORDER_REFERENCE": reference,
    }
    result = subprocess.run(
        [node, "create_and_list.mjs"],
        cwd=NODE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    created = seen["created"]
    assert all(c["status"] == "pending" and c["customer_reference"] == reference for c in created)
    assert [c["phone_numbers"][0]["phone_number"] for c in created] == phone_numbers
    assert seen["listed"] == [c["id"] for c in reversed(created)]  # newest first
    assert seen["retrieved"]["id"] == created[0]["id"]
    # No arguments: an empty body, which is `{}`, which lacks phone_numbers.
    assert seen["empty"]["status"] == 422
    assert seen["empty"]["errors"][0]["code"] == "10004"


def test_node_client_lists_owned_numbers(live: LiveServer, store: SqlStore) -> None:
    node = node_path()
    key = new_key(store, "acme")
    account_id = store.ensure_account("acme").account_id
    store.insert_number_orders(account_id, OrderFactory(seed=41).orders(15))
    store.insert_number_orders(
        store.ensure_account("globex").account_id, OrderFactory(seed=42).orders(5)
    )
    owned = records(store, account_id)
    env = {
        **os.environ,
        "TELNYX_BASE_URL": live.base_url,
        "TELNYX_API_KEY": key,
        "COUNTRIES": "GB,US",
    }
    result = subprocess.run(
        [node, "list_phone_numbers.mjs"],
        cwd=NODE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["newest"] == [r.id for r in owned] and len(owned) > 5
    assert seen["inCountries"] == sorted(
        r.phone_number for r in owned if r.country_iso_alpha2 in ("GB", "US")
    )
    retrieved = seen["retrieved"]
    assert retrieved["id"] == owned[0].id and retrieved["status"] == "active"
    assert retrieved["phone_number"] == owned[0].phone_number
