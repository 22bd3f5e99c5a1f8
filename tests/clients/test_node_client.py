"""The official Node client `telnyx` (tests/node, installed by `make test`), unchanged,
against the real server on both engines: it creates and lists."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

from tests.clients.conftest import Served
from tests.support.orders import number

NODE_DIR = Path(__file__).resolve().parent.parent / "node"


def test_node_client_creates_and_lists(served: Served) -> None:
    node = shutil.which("node")
    assert node, "node is required (make test installs the client)"
    assert (NODE_DIR / "node_modules" / "telnyx").is_dir(), "run `make test` to install it"
    phone_numbers, reference = [number() for _ in range(3)], f"node-{time.time_ns()}"
    env = {
        **os.environ,
        "TELNYX_BASE_URL": served.server.base_url,
        "TELNYX_API_KEY": served.key,
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
