"""The control operations' bodies and query: what each accepts, and one problem per
bad field or parameter."""

from __future__ import annotations

from typing import Any

import pytest

from number_orders.domain.sandbox import (
    MAX_ADVANCE_SECONDS,
    NewAccount,
    advance_micros,
    journal_query,
    reset_account,
    seconds,
)
from number_orders.domain.timestamps import clock_offset, now_micros, set_clock_offset
from number_orders.errors import ApiError


def test_an_account_needs_a_name_and_may_bring_a_webhook_url() -> None:
    assert NewAccount.from_body({"name": "acme"}) == NewAccount("acme", None)
    with_url = {"name": "acme", "webhook_url": "https://example.com/h"}
    assert NewAccount.from_body(with_url).webhook_url == "https://example.com/h"
    with pytest.raises(ApiError) as raised:
        NewAccount.from_body({"webhook_url": "nope"})
    assert [p.pointer for p in raised.value.problems] == ["/name", "/webhook_url"]


@pytest.mark.parametrize(
    ("value", "micros"), [(0, 0), (1, 1_000_000), (0.25, 250_000), (MAX_ADVANCE_SECONDS, None)]
)
def test_an_advance_is_a_number_of_seconds_forward(value: float, micros: int | None) -> None:
    expected = micros if micros is not None else MAX_ADVANCE_SECONDS * 1_000_000
    assert advance_micros({"advance_seconds": value}) == expected


@pytest.mark.parametrize(
    "value", [None, -0.5, MAX_ADVANCE_SECONDS + 1, "1", True, float("nan"), [1]]
)
def test_anything_else_is_refused(value: Any) -> None:
    with pytest.raises(ApiError) as raised:
        advance_micros({} if value is None else {"advance_seconds": value})
    assert [p.pointer for p in raised.value.problems] == ["/advance_seconds"]


def test_a_reset_names_an_account_or_none() -> None:
    assert reset_account({}) is None and reset_account({"account": "acme"}) == "acme"
    with pytest.raises(ApiError):
        reset_account({"account": ""})


def test_the_journal_query_needs_an_account_and_takes_a_limit() -> None:
    assert journal_query([("account", "acme")]) == ("acme", 50)
    assert journal_query([("account", "acme"), ("limit", "1000")]) == ("acme", 1000)
    for pairs, parameter in [
        ([], "account"),
        ([("account", "acme"), ("limit", "0")], "limit"),
        ([("account", "")], "account"),
    ]:
        with pytest.raises(ApiError) as raised:
            journal_query(pairs)
        assert [p.parameter for p in raised.value.problems] == [parameter]


def test_seconds_are_whole_when_they_can_be() -> None:
    assert seconds(3_600_000_000) == 3600 and isinstance(seconds(3_600_000_000), int)
    assert seconds(1_500_000) == 1.5


def test_the_clock_is_the_wall_clock_plus_the_offset() -> None:
    before = now_micros()
    set_clock_offset(86_400_000_000)
    try:
        assert clock_offset() == 86_400_000_000
        assert now_micros() - before >= 86_400_000_000
    finally:
        set_clock_offset(0)
    assert now_micros() - before < 86_400_000_000
