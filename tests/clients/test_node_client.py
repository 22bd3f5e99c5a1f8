"""The official Node client `telnyx` (tests/node, installed by `make test`), unchanged,
against the real server on both engines: it creates and lists, it searches numbers and
orders one it found, and it lists the account's owned phone numbers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from number_orders.seed.factory import OrderFactory
from number_orders.storage.sql_store import SqlStore
from tests.support.app import new_key
from tests.support.live import LiveServer
from tests.support.orders import number
from tests.support.phone_numbers import records

NODE_DIR = Path(__file__).resolve().parent.parent / "node"


def run_script(script: str, live: LiveServer, store: SqlStore, **env: str) -> Any:
    """What the script printed as its last line, read as JSON."""
    node = shutil.which("node")
    assert node, "node is required (make test installs the client)"
    assert (NODE_DIR / "node_modules" / "telnyx").is_dir(), "run `make test` to install it"
    result = subprocess.run(
        [node, script],
        cwd=NODE_DIR,
        env={
            **os.environ,
            "TELNYX_BASE_URL": live.base_url,
            "TELNYX_API_KEY": new_key(store, "acme"),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_node_client_creates_and_lists(live: LiveServer, store: SqlStore) -> None:
    phone_numbers, reference = [number() for _ in range(3)], f"node-{time.time_ns()}"
    seen = run_script(
        "create_and_list.mjs",
        live,
        store,
        PHONE_NUMBERS=",".join(phone_numbers),
        ORDER_REFERENCE=reference,
    )
    created = seen["created"]
    assert all(c["status"] == "pending" and c["customer_reference"] == reference for c in created)
    assert [c["phone_numbers"][0]["phone_number"] for c in created] == phone_numbers
    assert seen["listed"] == [c["id"] for c in reversed(created)]  # newest first
    assert seen["retrieved"]["id"] == created[0]["id"]
    # No arguments: an empty body, which is `{}`, which lacks phone_numbers.
    assert seen["empty"]["status"] == 422
    assert seen["empty"]["errors"][0]["code"] == "10004"


def test_node_client_searches_and_orders_a_number_it_found(
    live: LiveServer, store: SqlStore
) -> None:
    seen = run_script("search_and_order.mjs", live, store, LOCALITY="Chicago")
    before = seen["before"]
    assert seen["meta"] == {"total_results": 5, "best_effort_results": 0}
    assert [n["record_type"] for n in before] == ["available_phone_number"] * 5
    for found in before:
        assert {"sms", "voice"} <= {f["name"] for f in found["features"]}
        assert {"region_type": "location", "region_name": "Chicago"} in found["region_information"]
    assert seen["blocks"] and {b["range"] for b in seen["blocks"]} <= {10, 100}
    chosen = before[0]["phone_number"]
    assert seen["ordered"]["status"] == "pending"
    assert [n["phone_number"] for n in seen["ordered"]["phone_numbers"]] == [chosen]
    # Gone once ordered; the rest keep their order.
    assert seen["after"][:4] == [n["phone_number"] for n in before[1:]]
    assert chosen not in seen["after"]
    assert seen["bad"]["status"] == 400
    assert seen["bad"]["errors"][0]["source"] == {"parameter": "filter[limit]"}


def test_node_client_lists_owned_numbers(live: LiveServer, store: SqlStore) -> None:
    account_id = store.ensure_account("acme").account_id
    store.insert_number_orders(account_id, OrderFactory(seed=41).orders(15))
    store.insert_number_orders(
        store.ensure_account("globex").account_id, OrderFactory(seed=42).orders(5)
    )
    owned = records(store, account_id)
    seen = run_script("list_phone_numbers.mjs", live, store, COUNTRIES="GB,US")
    assert seen["newest"] == [r.id for r in owned] and len(owned) > 5
    assert seen["inCountries"] == sorted(
        r.phone_number for r in owned if r.country_iso_alpha2 in ("GB", "US")
    )
    retrieved = seen["retrieved"]
    assert retrieved["id"] == owned[0].id and retrieved["status"] == "active"
    assert retrieved["phone_number"] == owned[0].phone_number
