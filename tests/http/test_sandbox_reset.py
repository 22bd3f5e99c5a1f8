"""`POST /_sandbox/reset` on both engines: everything of one account (or of all) goes,
its keys stay valid and its numbers are free again; other accounts and the server's own
rows are untouched."""

from __future__ import annotations

import httpx

from number_orders.storage.sql_store import SqlStore
from number_orders.testing import Account
from tests.support.orders import number, order_body
from tests.support.sandbox import LiveSandbox


def order(sandbox: LiveSandbox, account: Account, phone_number: str) -> str:
    with sandbox.v2(account) as client:
        response = client.post("/number_orders", json=order_body(phone_number))
    assert response.status_code == 200
    order_id: str = response.json()["data"]["id"]
    return order_id


def total(client: httpx.Client) -> int:
    count: int = client.get("/number_orders").json()["meta"]["total_results"]
    return count


def test_reset_of_one_account_leaves_another_untouched(sandbox: LiveSandbox) -> None:
    acme, globex = sandbox.new_account("acme"), sandbox.new_account("globex")
    taken, kept = number(), number()
    order(sandbox, acme, taken)
    order(sandbox, acme, number())
    globex_order = order(sandbox, globex, kept)
    sandbox.drain()
    sandbox.inject_fault(503, account=acme, path="/v2/nowhere", times=None)

    removed = sandbox.reset("acme")
    assert removed["number_orders"] == 2 and removed["number_holdings"] == 2
    assert removed["order_counts"] >= 1 and removed["webhook_events"] == 2
    assert removed["sandbox_requests"] == 2 and removed["sandbox_faults"] == 1
    assert "accounts" not in removed and "api_keys" not in removed

    with sandbox.v2(acme) as client:  # the key still works; nothing is left
        assert total(client) == 0
    assert [e["status"] for e in sandbox.requests(acme)] == [200]  # only the list just now
    with sandbox.v2(globex) as client:
        assert total(client) == 1
        assert client.get(f"/number_orders/{globex_order}").json()["data"]["status"] == "success"
    assert len(sandbox.requests(globex)) == 3

    # acme's number is free: globex gets it.
    again = order(sandbox, globex, taken)
    sandbox.drain()
    with sandbox.v2(globex) as client:
        assert client.get(f"/number_orders/{again}").json()["data"]["status"] == "success"


def test_an_empty_body_resets_every_account_but_not_the_servers_rows(
    sandbox: LiveSandbox, store: SqlStore
) -> None:
    accounts = [sandbox.new_account() for _ in range(2)]
    for account in accounts:
        order(sandbox, account, number())
    sandbox.drain()
    signing_keys = store.list_signing_keys()
    sandbox.advance(60)
    anywhere = sandbox.inject_fault(latency_ms=1, path="/v2/nowhere", times=None)

    response = sandbox.raw("POST", "/reset", json={})
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["account"] is None and data["removed"]["number_orders"] == 2

    for account in accounts:
        with sandbox.v2(account) as client:
            assert total(client) == 0
    assert store.list_signing_keys() == signing_keys
    assert sandbox.clock()["offset_seconds"] == 60
    assert [f["id"] for f in sandbox.faults()] == [anywhere]


def test_reset_names_an_existing_account(sandbox: LiveSandbox) -> None:
    unknown = sandbox.raw("POST", "/reset", json={"account": "nobody"})
    assert unknown.status_code == 404 and unknown.json()["errors"][0]["code"] == "10005"
    wrong = sandbox.raw("POST", "/reset", json={"account": 5})
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["source"] == {"pointer": "/account"}
