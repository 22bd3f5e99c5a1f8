"""Webhook deliveries in the domain: the list's parameters (one problem per bad one) and the
JSON shape, which the official clients and the served document both accept."""

from __future__ import annotations

import orjson
import pytest
from telnyx.types import WebhookDelivery as ClientDelivery

from number_orders.domain.ids import random_id
from number_orders.domain.webhook_deliveries import (
    MAX_CONTAINS,
    NO_RESPONSE,
    DeliveriesQuery,
    WebhookDelivery,
    delivery_json,
)
from number_orders.domain.webhooks import DEAD, DELIVERED, ORDER_COMPLETE, PENDING, DeliveryAttempt
from number_orders.errors import ApiError
from tests.support.openapi import assert_matches

T0 = 1_700_000_000_000_000


def test_the_filters_map_the_documented_statuses_onto_the_outbox() -> None:
    query = DeliveriesQuery.from_params(
        [
            ("filter[status][eq]", "failed"),
            ("filter[event_type]", "number_order.complete,other"),
            ("filter[event_type]", "third"),
            ("filter[webhook][contains]", "50% off"),
            ("page[size]", "5"),
            ("page[number]", "2"),
        ]
    )
    assert query == DeliveriesQuery(
        2, 5, DEAD, ("number_order.complete", "other", "third"), "50% off"
    )
    assert query.page.offset == 5
    statuses = {
        v: DeliveriesQuery.from_params([("filter[status][eq]", v)]).status
        for v in ("delivered", "pending")
    }
    assert statuses == {"delivered": DELIVERED, "pending": PENDING}


def test_every_bad_parameter_is_named() -> None:
    with pytest.raises(ApiError) as raised:
        DeliveriesQuery.from_params(
            [
                ("filter[status][eq]", "dead"),
                ("filter[event_type]", "a,,b"),
                ("filter[webhook][contains]", "x" * (MAX_CONTAINS + 1)),
                ("filter[attempts][contains]", "500"),
                ("page[size]", "251"),
            ]
        )
    assert raised.value.status == 400
    problems = [(p.code, p.parameter, p.detail) for p in raised.value.problems]
    assert problems == [
        (
            "10015",
            "filter[status][eq]",
            'filter[status][eq] must be one of delivered, failed, pending; got "dead"',
        ),
        ("10015", "filter[event_type]", "filter[event_type] must not be empty."),
        (
            "10015",
            "filter[webhook][contains]",
            f"filter[webhook][contains] must be 1 to {MAX_CONTAINS} characters; got {MAX_CONTAINS + 1}",
        ),
        (
            "10015",
            "filter[attempts][contains]",
            "filter[attempts][contains] is not a supported parameter; supported: page[number], "
            "page[size], filter[status][eq], filter[event_type], filter[webhook][contains].",
        ),
        ("10015", "page[size]", 'page[size] must be an integer from 1 to 250; got "251"'),
    ]


def attempt(n: int, status: int | None, error: str | None) -> DeliveryAttempt:
    return DeliveryAttempt(
        n, "k1", "https://example.com/hooks", T0 + n * 1_000_000, 1_500, status, error
    )


def delivery(status: str, *attempts: DeliveryAttempt) -> WebhookDelivery:
    return WebhookDelivery(random_id(), ORDER_COMPLETE, T0, status, {"id": "o-1"}, attempts)


def test_a_delivered_event_shows_its_attempts_newest_first() -> None:
    shown = delivery_json(
        delivery(
            DELIVERED,
            attempt(1, None, "TimeoutError: no answer within 10 s"),
            attempt(2, 500, "HTTP 500"),
            attempt(3, 204, None),
        )
    )
    assert shown["status"] == "delivered" and shown["record_type"] == "webhook_delivery"
    assert shown["started_at"] == "2023-11-14T22:13:21.000000Z"
    assert shown["finished_at"] == "2023-11-14T22:13:23.001500Z"
    assert shown["webhook"] == {
        "id": shown["id"],
        "record_type": "event",
        "event_type": ORDER_COMPLETE,
        "occurred_at": "2023-11-14T22:13:20.000000Z",
        "payload": {"id": "o-1"},
    }
    assert shown["attempts"] == [
        {
            "status": "delivered",
            "started_at": "2023-11-14T22:13:23.000000Z",
            "finished_at": "2023-11-14T22:13:23.001500Z",
            "http": {"request": {"url": "https://example.com/hooks"}, "response": {"status": 204}},
            "errors": [],
            "detail": None,
        },
        {
            "status": "failed",
            "started_at": "2023-11-14T22:13:22.000000Z",
            "finished_at": "2023-11-14T22:13:22.001500Z",
            "http": {"request": {"url": "https://example.com/hooks"}, "response": {"status": 500}},
            "errors": [],
            "detail": "HTTP 500",
        },
        {
            "status": "failed",
            "started_at": "2023-11-14T22:13:21.000000Z",
            "finished_at": "2023-11-14T22:13:21.001500Z",
            "http": {"request": {"url": "https://example.com/hooks"}},
            "errors": [NO_RESPONSE],
            "detail": "TimeoutError: no answer within 10 s",
        },
    ]


@pytest.mark.parametrize(
    ("status", "attempts", "shown", "finished"),
    [
        (PENDING, (), None, False),
        (PENDING, (attempt(1, 503, "HTTP 503"),), None, False),  # still being tried
        (DEAD, (attempt(1, 503, "HTTP 503"),), "failed", True),
        (DEAD, (), "failed", False),  # there was no webhook URL to send to
    ],
)
def test_status_and_finish_are_decided_only_when_the_round_ends(
    status: str, attempts: tuple[DeliveryAttempt, ...], shown: str | None, finished: bool
) -> None:
    body = delivery_json(delivery(status, *attempts))
    assert body["status"] == shown
    assert (body["finished_at"] is not None) == finished
    assert (body["started_at"] is not None) == bool(attempts)
    assert_matches("WebhookDelivery", body)
    # The official client's own model, strictly: only its two statuses, or none.
    ClientDelivery.model_validate_json(orjson.dumps(body), strict=True)
