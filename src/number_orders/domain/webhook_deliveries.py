"""Webhook deliveries: the API's view of the webhook outbox, shaped after Telnyx's public
webhook deliveries resource (`GET /webhook_deliveries`, `GET /webhook_deliveries/{id}`).

Every event goes to one URL, its account's, so an event has exactly one delivery, and the
delivery is named by the event's id (the operator's `events show ID` names the same).

Statuses: Telnyx documents two, and the official clients accept only those. The outbox's
`delivered` is `delivered`; `dead` (the round's attempts ran out, or the account had no
webhook URL) is `failed`. An event still being tried (`pending`) has no status yet:
`status` and `finished_at` are null until its round ends. `filter[status][eq]` takes the
two documented values and `pending` for those.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from number_orders.domain.listing import DEFAULT_PAGE_SIZE
from number_orders.domain.parameters import PAGE_RULES, Page, Rule, choice, read_params, text
from number_orders.domain.timestamps import format_micros
from number_orders.domain.webhooks import DEAD, DELIVERED, PENDING, DeliveryAttempt
from number_orders.errors import Problem, bad_parameter

RECORD_TYPE = "webhook_delivery"

# Outbox status -> the API's `status` (None: not decided yet, shown as null).
API_STATUS: dict[str, str | None] = {DELIVERED: "delivered", DEAD: "failed", PENDING: None}
# `filter[status][eq]` value -> the outbox status it selects.
FILTER_STATUS = {"delivered": DELIVERED, "failed": DEAD, "pending": PENDING}

# `filter[webhook][contains]` reads stored event text, which no index helps with; so it
# searches only the account's newest events, and its needle is short. Totals are exact
# over the events it searches.
CONTAINS_WINDOW = 10_000
MAX_CONTAINS = 256

# An attempt that got no HTTP response (timeout, refused or broken connection) carries
# this code in `errors` (the clients type them as integers); `detail` says which it was.
NO_RESPONSE = 1


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """An event with its attempts (oldest first, as they were made)."""

    id: str
    event_type: str
    occurred_at: int
    status: str  # the outbox's: pending, delivered or dead
    payload: dict[str, Any]
    attempts: tuple[DeliveryAttempt, ...]


@dataclass(frozen=True, slots=True)
class DeliveriesQuery:
    """`GET /webhook_deliveries`: newest first, paged like number orders."""

    page_number: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    status: str | None = None  # an outbox status
    event_types: tuple[str, ...] = ()
    contains: str | None = None

    @classmethod
    def from_params(cls, pairs: Iterable[tuple[str, str]]) -> DeliveriesQuery:
        return cls(**read_params(pairs, _RULES))

    @property
    def page(self) -> Page:
        return Page(self.page_number, self.page_size)


@dataclass(frozen=True, slots=True)
class DeliveryPage:
    query: DeliveriesQuery
    deliveries: list[WebhookDelivery]
    total_results: int


def _status(key: str, value: str) -> str | Problem:
    chosen = choice(tuple(FILTER_STATUS))(key, value)
    return chosen if isinstance(chosen, Problem) else FILTER_STATUS[chosen]


def _needle(key: str, value: str) -> str | Problem:
    if 1 <= len(value) <= MAX_CONTAINS:
        return value
    return bad_parameter(key, f"{key} must be 1 to {MAX_CONTAINS} characters; got {len(value)}")


_RULES = {
    **PAGE_RULES,
    "filter[status][eq]": Rule("status", _status),
    "filter[event_type]": Rule("event_types", text, many=True),
    "filter[webhook][contains]": Rule("contains", _needle),
}


# -- the JSON shape -------------------------------------------------------------------


def delivery_json(delivery: WebhookDelivery) -> dict[str, Any]:
    attempts = delivery.attempts
    decided = delivery.status != PENDING
    return {
        "id": delivery.id,
        "record_type": RECORD_TYPE,
        "status": API_STATUS[delivery.status],
        "started_at": format_micros(attempts[0].started_at) if attempts else None,
        "finished_at": format_micros(_finished(attempts[-1])) if decided and attempts else None,
        "webhook": {
            "id": delivery.id,
            "record_type": "event",
            "event_type": delivery.event_type,
            "occurred_at": format_micros(delivery.occurred_at),
            "payload": delivery.payload,
        },
        "attempts": [attempt_json(a) for a in reversed(attempts)],  # newest first, as Telnyx
    }


def attempt_json(attempt: DeliveryAttempt) -> dict[str, Any]:
    answered = attempt.status_code is not None
    http: dict[str, Any] = {"request": {"url": attempt.url}}
    if answered:
        http["response"] = {"status": attempt.status_code}
    return {
        "status": "delivered" if _succeeded(attempt) else "failed",
        "started_at": format_micros(attempt.started_at),
        "finished_at": format_micros(_finished(attempt)),
        "http": http,
        "errors": [] if answered or attempt.error is None else [NO_RESPONSE],
        # Not in Telnyx's shape: what went wrong, in words (null when delivered).
        "detail": attempt.error,
    }


def _finished(attempt: DeliveryAttempt) -> int:
    return attempt.started_at + attempt.duration_micros


def _succeeded(attempt: DeliveryAttempt) -> bool:
    return attempt.status_code is not None and 200 <= attempt.status_code < 300
