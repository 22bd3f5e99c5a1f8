"""Injected faults on both engines: what they match, the body and headers each status
gets, how often they apply, delays, and the control API around them."""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.support.orders import number, order_body
from tests.support.sandbox import LiveSandbox

LIST = "/v2/number_orders"
ONE = "/v2/number_orders/{number_order_id}"


def first_error(response: httpx.Response) -> dict[str, Any]:
    error: dict[str, Any] = response.json()["errors"][0]
    return error


def test_a_503_answers_once_in_the_envelope_then_the_route_works(sandbox: LiveSandbox) -> None:
    account = sandbox.new_account()
    sandbox.inject_fault(503, path=LIST)
    with sandbox.v2(account) as client:
        failed = client.get("/number_orders")
        assert failed.status_code == 503 and failed.headers["retry-after"] == "1"
        assert first_error(failed)["code"] == "10007"
        assert failed.headers["x-request-id"]
        assert client.get("/number_orders").status_code == 200
    assert sandbox.faults() == []  # used up


def test_each_status_gets_the_contracts_code(sandbox: LiveSandbox) -> None:
    expected = {
        400: ("10015", None),
        401: ("10009", None),
        404: ("10005", None),
        415: ("10014", None),
        422: ("10015", None),
        429: ("10011", "1"),
        500: ("10007", None),
        502: ("10007", None),
        503: ("10007", "1"),
    }
    with sandbox.v2(sandbox.new_account()) as client:
        for status, (code, retry_after) in expected.items():
            sandbox.inject_fault(status, path=LIST)
            response = client.get("/number_orders")
            assert response.status_code == status
            assert first_error(response)["code"] == code, status
            assert response.headers.get("retry-after") == retry_after, status


def test_a_route_template_matches_only_that_route(sandbox: LiveSandbox) -> None:
    with sandbox.v2(sandbox.new_account()) as client:
        order = client.post("/number_orders", json=order_body(number())).json()["data"]
        sandbox.inject_fault(500, path=ONE, times=None)
        assert client.get("/number_orders").status_code == 200
        assert client.get(f"/number_orders/{order['id']}").status_code == 500
        assert client.patch(f"/number_orders/{order['id']}", json={}).status_code == 500


def test_a_prefix_method_and_account_narrow_a_fault(sandbox: LiveSandbox) -> None:
    mine, theirs = sandbox.new_account(), sandbox.new_account()
    sandbox.inject_fault(409, account=mine, method="POST", path="/v2/number", times=None)
    body = order_body(number())
    with sandbox.v2(mine) as client:
        assert client.get("/number_orders").status_code == 200  # another method
        refused = client.post("/number_orders", json=body)
        assert refused.status_code == 409 and first_error(refused)["code"] == "10015"
    with sandbox.v2(theirs) as client:
        assert client.post("/number_orders", json=body).status_code == 200  # another account


def test_times_counts_requests_and_none_lasts_until_deleted(sandbox: LiveSandbox) -> None:
    with sandbox.v2(sandbox.new_account()) as client:
        sandbox.inject_fault(500, path=LIST, times=2)
        statuses = [client.get("/number_orders").status_code for _ in range(3)]
        assert statuses == [500, 500, 200]
        lasting = sandbox.inject_fault(500, path=LIST, times=None)
        assert [client.get("/number_orders").status_code for _ in range(3)] == [500] * 3
        (listed,) = sandbox.faults()
        assert listed["id"] == lasting and listed["remaining"] is None
        sandbox.remove_fault(lasting)
        assert client.get("/number_orders").status_code == 200


def test_latency_delays_a_request_that_then_succeeds(sandbox: LiveSandbox) -> None:
    with sandbox.v2(sandbox.new_account()) as client:
        sandbox.inject_fault(latency_ms=400, path=LIST)
        started = time.monotonic()
        assert client.get("/number_orders").status_code == 200
        assert time.monotonic() - started >= 0.4
        sandbox.inject_fault(504, latency_ms=300, path=LIST)
        started = time.monotonic()
        assert client.get("/number_orders").status_code == 504
        assert time.monotonic() - started >= 0.3


def test_faults_are_listed_oldest_first_and_removed_by_id(sandbox: LiveSandbox) -> None:
    account = sandbox.new_account()
    first = sandbox.inject_fault(503, account=account, path=LIST, times=3)
    second = sandbox.inject_fault(latency_ms=10, method="get")
    listed = sandbox.faults()
    assert [f["id"] for f in listed] == [first, second]
    assert listed[0] | {"created_at": None} == {
        "id": first,
        "account": account.name,
        "method": None,
        "path": LIST,
        "status": 503,
        "remaining": 3,
        "latency_ms": None,
        "created_at": None,
    }
    assert listed[1]["account"] is None and listed[1]["method"] == "GET"
    removed = sandbox.raw("DELETE", f"/faults/{first}")
    assert removed.status_code == 200 and removed.json()["data"]["id"] == first
    gone = sandbox.raw("DELETE", f"/faults/{first}")
    assert gone.status_code == 404 and first_error(gone)["code"] == "10005"
    assert sandbox.raw("DELETE", "/faults/not-an-id").status_code == 404


def test_the_control_api_itself_is_never_faulted(sandbox: LiveSandbox) -> None:
    sandbox.inject_fault(503, path="/", times=None)
    assert sandbox.clock()["offset_seconds"] == 0
    assert httpx.get(sandbox.server.root_url + "/healthz").status_code == 503


def test_bad_faults_name_each_problem(sandbox: LiveSandbox) -> None:
    cases = [
        ({}, "/status"),
        ({"status": 200}, "/status"),
        ({"status": 600}, "/status"),
        ({"status": "503"}, "/status"),
        ({"status": 503, "times": 0}, "/times"),
        ({"status": 503, "latency_ms": -1}, "/latency_ms"),
        ({"status": 503, "latency_ms": 600_000}, "/latency_ms"),
        ({"status": 503, "method": "FETCH"}, "/method"),
        ({"status": 503, "path": "v2/number_orders"}, "/path"),
        ({"status": 503, "account": "nobody"}, "/account"),
        ({"status": 503, "colour": "red"}, "/colour"),
    ]
    for body, pointer in cases:
        response = sandbox.raw("POST", "/faults", json=body)
        assert response.status_code == 422, body
        assert [e["source"]["pointer"] for e in response.json()["errors"]] == [pointer], body
    assert sandbox.faults() == []
