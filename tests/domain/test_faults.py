"""Faults: what a fault matches, what a body may ask for, and the answer each status gets."""

from __future__ import annotations

from typing import Any

import pytest

from number_orders.domain.faults import Fault, FaultBoard, NewFault, fault_error, fault_json
from number_orders.errors import ApiError

TEMPLATE = "/v2/number_orders/{number_order_id}"


def fault(**fields: Any) -> Fault:
    base: dict[str, Any] = {
        "id": "f",
        "account_id": None,
        "method": None,
        "path": None,
        "status": 503,
        "remaining": 1,
        "latency_ms": None,
        "created_at": 0,
    }
    return Fault(**(base | fields))


def matches(
    f: Fault, method: str = "GET", path: str = "/v2/number_orders/1", account: str | None = "a"
) -> bool:
    return f.matches(method, path, lambda: TEMPLATE, account)


def test_a_fault_without_conditions_matches_everything() -> None:
    assert matches(fault()) and matches(fault(), "POST", "/healthz", None)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"account_id": "a"}, True),
        ({"account_id": "b"}, False),
        ({"method": "GET"}, True),
        ({"method": "PATCH"}, False),
        ({"path": TEMPLATE}, True),
        ({"path": "/v2/number_orders/{other}"}, False),
        ({"path": "/v2/number_orders"}, True),  # a prefix of the path
        ({"path": "/v2/number_orders/1/x"}, False),
        ({"path": "/v2/number_orders", "method": "GET", "account_id": "b"}, False),
    ],
)
def test_each_condition_narrows_it(fields: dict[str, Any], expected: bool) -> None:
    assert matches(fault(**fields)) is expected


def test_the_template_is_worked_out_only_for_a_template() -> None:
    def never() -> str:
        raise AssertionError("a prefix needs no template")

    assert fault(path="/v2").matches("GET", "/v2/x", never, None)


def test_the_board_lists_matches_oldest_first() -> None:
    board = FaultBoard()
    first, second, other = fault(id="1"), fault(id="2", method="GET"), fault(id="3", method="POST")
    board.replace((first, second, other))
    assert board.matching("GET", "/x", lambda: "/x", None) == [first, second]


def test_a_body_reads_every_field() -> None:
    body = {
        "account": "acme",
        "method": "patch",
        "path": TEMPLATE,
        "status": 429,
        "times": None,
        "latency_ms": 250,
    }
    assert NewFault.from_body(body) == NewFault("acme", "PATCH", TEMPLATE, 429, None, 250)
    assert NewFault.from_body({"status": 500}) == NewFault(None, None, None, 500, 1, None)
    assert NewFault.from_body({"latency_ms": 0}).status is None


def test_a_bad_body_names_every_problem_at_once() -> None:
    with pytest.raises(ApiError) as raised:
        NewFault.from_body({"status": 399, "times": 0, "method": 7, "path": "x", "other": 1})
    pointers = [p.pointer for p in raised.value.problems]
    assert pointers == ["/method", "/path", "/status", "/times", "/other"]
    assert raised.value.status == 422


@pytest.mark.parametrize(
    ("status", "code", "title", "retry_after"),
    [
        (400, "10015", "Bad Request", None),
        (401, "10009", "Authentication failed", None),
        (403, "10015", "Bad Request", None),
        (404, "10005", "Resource not found", None),
        (415, "10014", "Unsupported Media Type", None),
        (429, "10011", "Too many requests", "1"),
        (500, "10007", "Unexpected error", None),
        (503, "10007", "Unexpected error", "1"),
        (504, "10007", "Unexpected error", None),
    ],
)
def test_each_status_answers_as_the_contract_has_it(
    status: int, code: str, title: str, retry_after: str | None
) -> None:
    error = fault_error(status)
    (problem,) = error.problems
    assert (error.status, problem.code, problem.title) == (status, code, title)
    assert error.headers.get("retry-after") == retry_after


def test_a_fault_is_shown_with_its_accounts_name() -> None:
    shown = fault_json(fault(account_id="id-1", created_at=1_000_000), "acme")
    assert shown["account"] == "acme" and shown["created_at"] == "1970-01-01T00:00:01.000000Z"
