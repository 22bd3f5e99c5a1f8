"""Webhook events: their envelope, the retry policy, and what an attempt's outcome means.

Events are written to an outbox in the transaction that causes them and delivered later,
at least once, by any number of delivery loops (`worker/delivery.py`). Everything here
is pure: the caller passes the clock and the source of randomness.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from number_orders.domain.timestamps import format_micros

ORDER_COMPLETE = "number_order.complete"

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"
EVENT_STATUSES = (PENDING, DELIVERED, DEAD)

NO_WEBHOOK_URL = "the account has no webhook URL"

_MICROS = 1_000_000
_MAX_URL = 2048


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """How hard to try. Attempt n waits a uniform random time in [0, min(cap, base·2ⁿ⁻¹)]
    ("full jitter"), so receivers that come back are not hit by every sender at once."""

    max_attempts: int = 12
    timeout: float = 10.0
    backoff_base: float = 1.0
    backoff_cap: float = 1800.0

    @property
    def lease_micros(self) -> int:
        """How long a claim is exclusive: longer than any attempt can take, so a live
        claimer always finishes first; a crashed one's events are retaken after it."""
        return int((2 * self.timeout + 5) * _MICROS)

    def backoff_micros(self, attempt: int, rng: random.Random) -> int:
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** min(attempt - 1, 62))
        return int(rng.uniform(0, ceiling) * _MICROS)


@dataclass(frozen=True, slots=True)
class ClaimedEvent:
    """An event taken for one attempt: `attempt` counts this one; `url` is read at claim
    time, so a changed webhook URL applies to the next attempt without a restart."""

    account_id: str
    id: str
    event_type: str
    occurred_at: int
    payload: dict[str, Any]
    attempt: int
    attempt_base: int
    url: str
    lease_token: str


@dataclass(frozen=True, slots=True)
class AttemptResult:
    event: ClaimedEvent
    key_id: str
    started_at: int
    duration_micros: int
    status_code: int | None
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True, slots=True)
class NextStep:
    status: str
    next_attempt_at: int


def next_step(
    result: AttemptResult, policy: DeliveryPolicy, now: int, rng: random.Random
) -> NextStep:
    """Delivered on a 2xx; otherwise retried later, until this round's attempts run out."""
    if result.succeeded:
        return NextStep(DELIVERED, now)
    tried = result.event.attempt - result.event.attempt_base
    if tried >= policy.max_attempts:
        return NextStep(DEAD, now)
    return NextStep(PENDING, now + policy.backoff_micros(tried, rng))


def envelope(event: ClaimedEvent) -> dict[str, Any]:
    """The body Telnyx sends, `NumberOrderStatusUpdateWebhookEvent` in the official clients."""
    return {
        "data": {
            "event_type": event.event_type,
            "id": event.id,
            "occurred_at": format_micros(event.occurred_at),
            "payload": event.payload,
            "record_type": "event",
        },
        "meta": {"attempt": event.attempt, "delivered_to": event.url},
    }


def check_webhook_url(url: str) -> str | None:
    """Why `url` cannot receive webhooks, or None when it can."""
    if len(url) > _MAX_URL:
        return f"a webhook URL must be at most {_MAX_URL} characters"
    if any(ch.isspace() or ord(ch) < 0x20 for ch in url):
        return "a webhook URL must not contain spaces or control characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError as error:
        return f"not a valid URL: {error}"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"a webhook URL must be http:// or https:// with a host; got {url!r}"
    return None


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """An outbox row as `events list` shows it."""

    account_id: str
    id: str
    event_type: str
    occurred_at: int
    status: str
    attempts: int
    next_attempt_at: int
    locked_until: int | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: int | None
    created_at: int


@dataclass(frozen=True, slots=True)
class DeliveryAttempt:
    """One attempt, with the signing key it used, so it can be verified after rotation."""

    attempt: int
    key_id: str
    url: str
    started_at: int
    duration_micros: int
    status_code: int | None
    error: str | None
