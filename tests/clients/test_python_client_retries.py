"""The official Python client's own retries (`max_retries`) against injected faults, on
both engines: it recovers from one 503 and gives up on a persistent one, after exactly
`max_retries` more attempts, as the journal shows."""

from __future__ import annotations

import pytest
from telnyx import InternalServerError

from tests.support.clients import strict_client
from tests.support.orders import number
from tests.support.sandbox import LiveSandbox

LIST = "/v2/number_orders"


def test_a_single_503_is_retried_and_the_request_succeeds(sandbox: LiveSandbox) -> None:
    account = sandbox.new_account()
    client = strict_client(sandbox.base_url, account.api_key, max_retries=2)
    sandbox.inject_fault(503, account=account, method="POST", path=LIST)
    created = client.number_orders.create(phone_numbers=[{"phone_number": number()}]).data
    assert created is not None and created.status == "pending"
    statuses = [(e["method"], e["status"]) for e in sandbox.requests(account)]
    assert statuses == [("POST", 200), ("POST", 503)]


def test_a_persistent_503_makes_the_client_give_up(sandbox: LiveSandbox) -> None:
    account = sandbox.new_account()
    client = strict_client(sandbox.base_url, account.api_key, max_retries=2)
    fault = sandbox.inject_fault(503, account=account, path=LIST, times=None)
    with pytest.raises(InternalServerError) as raised:
        client.number_orders.list()
    assert raised.value.status_code == 503
    assert [e["status"] for e in sandbox.requests(account)] == [503, 503, 503]
    sandbox.remove_fault(fault)
    assert list(client.number_orders.list()) == []
