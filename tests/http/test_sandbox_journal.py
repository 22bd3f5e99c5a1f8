"""The request journal on both engines: what each entry holds, redaction, bounds, the
query's rules, and the switch that turns it off."""

from __future__ import annotations

import time

import httpx

from number_orders.config import Settings
from number_orders.domain.journal import BODY_LIMIT
from number_orders.storage.sql_store import SqlStore
from tests.support.orders import number, order_body
from tests.support.sandbox import LiveSandbox, live_sandbox

JSON = {"content-type": "application/json"}


def test_an_entry_holds_the_request_and_its_answer(sandbox: LiveSandbox) -> None:
    account = sandbox.new_account()
    body = order_body(number(), customer_reference="journal-1")
    with sandbox.v2(account) as client:
        created = client.post("/number_orders", json=body, headers={"Idempotency-Key": "k-1"})
        client.get("/number_orders", params={"page[size]": "2"})
    listed, posted = sandbox.requests(account)
    assert posted["method"] == "POST" and posted["path"] == "/v2/number_orders"
    assert posted["status"] == 200 and posted["query"] == ""
    assert posted["request_body"] == body
    assert posted["response_body"] == created.json()
    assert posted["idempotency_key"] == "k-1"
    assert posted["duration_ms"] > 0 and posted["at"].endswith("Z")
    assert listed["query"] == "page%5Bsize%5D=2" and listed["request_body"] is None
    assert listed["response_body"]["meta"]["total_results"] == 1
    assert listed["idempotency_key"] is None
    assert listed["id"] > posted["id"] and listed["at"] >= posted["at"]


def test_errors_are_journaled_and_unauthenticated_requests_are_not(sandbox: LiveSandbox) -> None:
    account = sandbox.new_account()
    with sandbox.v2(account) as client:
        client.post("/number_orders", content=b"{not json", headers={"content-type": "text/plain"})
        client.post("/number_orders", content=b"{not json", headers=JSON)
        client.get("/number_orders", params={"page[size]": "0"})
    httpx.get(sandbox.base_url + "/number_orders")  # no key: no account to file it under
    bad_query, bad_body, bad_type = sandbox.requests(account)
    # Refused before the body was read: the journal has only what the server read.
    assert bad_type["status"] == 415 and bad_type["request_body"] is None
    assert bad_body["status"] == 400 and bad_body["request_body"] == "{not json"
    assert bad_query["status"] == 400
    assert bad_query["response_body"]["errors"][0]["source"] == {"parameter": "page[size]"}


def test_keys_and_the_admin_token_are_redacted(sandbox: LiveSandbox) -> None:
    account = sandbox.new_account()
    reference = f"{account.api_key[:60]}"
    with sandbox.v2(account) as client:
        client.post(
            "/number_orders",
            json=order_body(number(), customer_reference=reference),
            headers={"Idempotency-Key": sandbox.admin_token},
        )
        client.get(f"/number_orders/{account.api_key}")
    looked_up, created = sandbox.requests(account)
    text = str(looked_up) + str(created)
    assert account.api_key[:40] not in text and sandbox.admin_token not in text
    assert created["request_body"]["customer_reference"] == "[redacted]"
    assert created["idempotency_key"] == "[redacted]"
    assert looked_up["path"] == "/v2/number_orders/[redacted]"


def test_long_bodies_are_kept_cut_as_text(settings: Settings, store: SqlStore) -> None:
    roomy = settings.with_changes(body_limit=4 * BODY_LIMIT)
    with live_sandbox(roomy, store) as sandbox:
        account = sandbox.new_account()
        big = {"phone_numbers": [], "customer_reference": "x" * (BODY_LIMIT + 10)}
        with sandbox.v2(account) as client:
            client.post("/number_orders", json=big)
        (entry,) = sandbox.requests(account)
    assert isinstance(entry["request_body"], str) and len(entry["request_body"]) == BODY_LIMIT
    assert entry["request_body"].startswith('{"phone_numbers":[]')


def test_each_account_keeps_its_newest_entries_up_to_the_bound(
    settings: Settings, store: SqlStore
) -> None:
    with live_sandbox(settings.with_changes(journal_limit=5), store) as sandbox:
        busy, quiet = sandbox.new_account(), sandbox.new_account()
        with sandbox.v2(quiet) as client:
            client.get("/number_orders", params={"page[number]": "1"})
        with sandbox.v2(busy) as client:
            for page in range(1, 9):
                client.get("/number_orders", params={"page[number]": str(page)})
                sandbox.requests(busy)  # a flush between requests: several batches
        kept = sandbox.requests(busy, limit=100)
        assert [e["query"] for e in kept] == [f"page%5Bnumber%5D={n}" for n in range(8, 3, -1)]
        assert len(sandbox.requests(quiet)) == 1
        assert len(sandbox.requests(busy, limit=2)) == 2


def test_entries_are_held_until_a_read_wants_them(sandbox: LiveSandbox, store: SqlStore) -> None:
    account = sandbox.new_account()
    found = store.find_account(account.name)
    assert found is not None
    with sandbox.v2(account) as client:
        client.get("/number_orders")
    time.sleep(0.3)
    # Nobody has read: nothing was written. A read (or a request for one) writes them.
    assert store.list_requests(found.account_id, 10) == []
    started = time.monotonic()
    assert len(sandbox.requests(account)) == 1
    assert time.monotonic() - started < 1.0
    assert len(store.list_requests(found.account_id, 10)) == 1


def test_without_the_journal_nothing_is_kept(settings: Settings, store: SqlStore) -> None:
    with live_sandbox(settings.with_changes(journal=False), store) as sandbox:
        account = sandbox.new_account()
        with sandbox.v2(account) as client:
            assert client.get("/number_orders").status_code == 200
        assert sandbox.requests(account) == []


def test_the_query_needs_a_known_account_and_a_sane_limit(sandbox: LiveSandbox) -> None:
    sandbox.new_account("acme")
    for params, status, where in [
        ({}, 400, "account"),
        ({"account": "acme", "limit": "0"}, 400, "limit"),
        ({"account": "acme", "limit": "1001"}, 400, "limit"),
        ({"account": "acme", "limit": "x"}, 400, "limit"),
    ]:
        response = sandbox.raw("GET", "/requests", params=params)
        assert response.status_code == status, params
        assert response.json()["errors"][0]["source"] == {"parameter": where}, params
    unknown = sandbox.raw("GET", "/requests", params={"account": "nobody"})
    assert unknown.status_code == 404 and unknown.json()["errors"][0]["code"] == "10005"
