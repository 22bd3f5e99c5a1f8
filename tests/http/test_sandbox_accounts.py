"""`POST /_sandbox/accounts` on both engines: a new key for a new or existing account,
optionally with its webhook URL; bad bodies are 422 with pointers."""

from __future__ import annotations

from number_orders.storage.sql_store import SqlStore
from tests.support.sandbox import LiveSandbox


def test_a_new_account_gets_a_working_key(sandbox: LiveSandbox, store: SqlStore) -> None:
    response = sandbox.raw("POST", "/accounts", json={"name": "acme"})
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["account"] == "acme" and data["api_key"].startswith("KEY")
    headers = {"Authorization": f"Bearer {data['api_key']}"}
    with sandbox.v2(sandbox.new_account("acme")) as second:
        assert second.get("/number_orders").status_code == 200
        # A second key for the same account: the first still works.
        assert second.get("/number_orders", headers=headers).status_code == 200
    account = store.find_account("acme")
    assert account is not None and len(store.list_api_keys(account.account_id)) == 2


def test_a_webhook_url_can_come_with_the_account(sandbox: LiveSandbox, store: SqlStore) -> None:
    sandbox.new_account("hooked", webhook_url="http://127.0.0.1:9/hooks")
    found = store.find_account("hooked")
    assert found is not None and found.webhook_url == "http://127.0.0.1:9/hooks"


def test_bad_bodies_name_each_problem(sandbox: LiveSandbox) -> None:
    cases = [
        ({}, "/name", "10004"),
        ({"name": ""}, "/name", "10015"),
        ({"name": 7}, "/name", "10015"),
        ({"name": "x" * 201}, "/name", "10015"),
        ({"name": "acme", "webhook_url": "ftp://example.com"}, "/webhook_url", "10015"),
        ({"name": "acme", "webhook_url": 3}, "/webhook_url", "10015"),
    ]
    for body, pointer, code in cases:
        response = sandbox.raw("POST", "/accounts", json=body)
        assert response.status_code == 422, body
        (problem,) = response.json()["errors"]
        assert problem["source"] == {"pointer": pointer} and problem["code"] == code, body
