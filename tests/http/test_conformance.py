"""Conformance fuzzing with Schemathesis against the real server, on both engines.

Two documents: the one the server publishes (`/v2/openapi.json`) and the published seed
spec of the list endpoint. Every check runs except positive-data acceptance (the served
document is stricter than the seed in places the contract allows, so valid-looking
seed data may rightly be refused). The seed spec describes only `GET /number_orders`, so
against it the two checks that every other method is refused are left out too: the
server rightly takes `POST` there. The runs are seeded, so a failure reproduces.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from number_orders.config import Settings
from number_orders.seed.factory import OrderFactory
from number_orders.server import open_store
from number_orders.testing import ServeProcess
from tests.support.app import new_key
from tests.support.openapi import SEED_SPEC

REPO = Path(__file__).resolve().parents[2]
ST = Path(sys.executable).with_name("st")
# Hypothesis examples per operation and phase; with the coverage phase's own cases that
# makes a few hundred requests per operation.
EXAMPLES = int(os.environ.get("NUMBER_ORDERS_FUZZ_EXAMPLES", "100"))
SEED = os.environ.get("NUMBER_ORDERS_FUZZ_SEED", "20261127")


@pytest.fixture(scope="module")
def target(module_database_url: str) -> Iterator[tuple[ServeProcess, str]]:
    url = module_database_url
    store = open_store(url)
    key = new_key(store, "acme")
    account = store.ensure_account("acme").account_id
    store.insert_number_orders(account, OrderFactory(seed=3).orders(120))
    # Rate limiting stays on, so its headers are checked too, with room for every run.
    # The search offers two countries' numbers, built before the fuzzing starts: a
    # country's first search builds its catalogue (seconds of CPU), which would otherwise
    # land inside a request's timeout. Other countries answer an empty list, as they do.
    settings = Settings(
        database_url=url,
        rate_limit=100_000,
        demo=False,
        run_worker=False,
        fulfilment_delay=0.0,
        inventory_countries="US,CA",
    )
    with ServeProcess(settings) as server:
        for country in ("US", "CA"):
            built = httpx.get(
                f"{server.base_url}/available_phone_numbers",
                params={"filter[country_code]": country, "filter[limit]": "1"},
                headers={"Authorization": f"Bearer {key}"},
                timeout=120,
            )
            assert built.status_code == 200, built.text
        yield server, key
    store.close()


def schemathesis(
    location: str,
    server: ServeProcess,
    key: str,
    workdir: Path,
    excluded: tuple[str, ...] = (),
    examples: int = EXAMPLES,
) -> str:
    command = [
        str(ST), "--config-file", str(Path(__file__).with_name("schemathesis.toml")),
        "run", location,
        "--url", server.base_url,
        "--header", f"Authorization: Bearer {key}",
        "--checks", "all",
        "--exclude-checks", ",".join(["positive_data_acceptance", *excluded]),
        "--max-examples", str(examples),
        "--seed", SEED,
        "--generation-database", "none",
        "--request-timeout", "10",
        "--continue-on-failure",
        "--no-color",
    ]  # fmt: skip
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.http.conformance_hooks",
        "PYTHONPATH": str(REPO),
    }
    result = subprocess.run(
        command, cwd=workdir, env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    summary = result.stdout.rstrip().splitlines()[-1]
    print(location, *(line for line in result.stdout.splitlines() if "generated" in line))
    # Warnings (e.g. that random phone numbers are mostly refused) are not failures.
    assert "failure" not in summary and "error" not in summary, result.stdout[-20000:]
    return result.stdout


def test_the_served_document_holds(target: tuple[ServeProcess, str], tmp_path: Path) -> None:
    server, key = target
    output = schemathesis(server.base_url + "/openapi.json", server, key, tmp_path)
    assert "generated" in output


def test_the_seed_spec_holds(target: tuple[ServeProcess, str], tmp_path: Path) -> None:
    server, key = target
    partial = ("unsupported_method", "allow_header_conformance")
    output = schemathesis(str(SEED_SPEC), server, key, tmp_path, partial, 2 * EXAMPLES)
    assert "generated" in output
