"""The pure webhook rules: envelope, signature, retry policy, URL checks."""

from __future__ import annotations

import base64
import random

import orjson
import pytest
import telnyx
from nacl.signing import VerifyKey
from telnyx.types.number_order_status_update_webhook_event import (
    NumberOrderStatusUpdateWebhookEvent,
)

from number_orders.domain.representation import detail_json
from number_orders.domain.signing import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    fingerprint,
    new_signing_key,
    signature_headers,
)
from number_orders.domain.timestamps import now_micros
from number_orders.domain.webhooks import (
    DEAD,
    DELIVERED,
    ORDER_COMPLETE,
    PENDING,
    AttemptResult,
    ClaimedEvent,
    DeliveryPolicy,
    check_webhook_url,
    envelope,
    next_step,
)
from number_orders.seed.factory import OrderFactory

CLIENT = telnyx.Telnyx(api_key="KEYunused", base_url="http://127.0.0.1:9/v2")


def claimed(attempt: int = 1, attempt_base: int = 0) -> ClaimedEvent:
    detail = next(OrderFactory(seed=3).orders(1))
    return ClaimedEvent(
        account_id="a",
        id="0b9c5a52-4d2e-4a8b-9e1c-6a1f0e4b2c3d",
        event_type=ORDER_COMPLETE,
        occurred_at=1_700_000_000_123_456,
        payload=detail_json(detail),
        attempt=attempt,
        attempt_base=attempt_base,
        url="https://example.test/hooks",
        lease_token="t",
    )


def test_envelope_is_the_official_clients_number_order_event() -> None:
    body = envelope(claimed(attempt=3))
    event = NumberOrderStatusUpdateWebhookEvent.model_validate(body)
    assert event.data.event_type == "number_order.complete"
    assert event.data.record_type == "event"
    assert body["data"]["occurred_at"] == "2023-11-14T22:13:20.123456Z"
    assert event.meta.attempt == 3
    assert event.meta.delivered_to == "https://example.test/hooks"
    assert event.data.payload.phone_numbers and event.data.payload.phone_numbers[0].phone_number


def test_signature_verifies_with_nacl_and_the_official_unwrap() -> None:
    key = new_signing_key(now_micros())
    body = orjson.dumps(envelope(claimed()))
    headers = signature_headers(key, 1_700_000_000, body)
    assert headers[TIMESTAMP_HEADER] == "1700000000"
    public = base64.b64decode(key.public_key)
    assert len(public) == 32 and key.key_id == fingerprint(public)
    signature = base64.b64decode(headers[SIGNATURE_HEADER])
    VerifyKey(public).verify(b"1700000000|" + body, signature)

    import time

    fresh = signature_headers(key, int(time.time()), body)
    unwrapped = CLIENT.webhooks.unwrap(body.decode(), headers=fresh, key=key.public_key)
    assert isinstance(unwrapped, NumberOrderStatusUpdateWebhookEvent)
    assert unwrapped.data.id == claimed().id
    with pytest.raises(ValueError, match="Signature verification failed"):
        CLIENT.webhooks.unwrap(body.decode() + " ", headers=fresh, key=key.public_key)
    other = new_signing_key(now_micros())
    with pytest.raises(ValueError, match="Signature verification failed"):
        CLIENT.webhooks.unwrap(body.decode(), headers=fresh, key=other.public_key)


@pytest.mark.parametrize("attempt", [1, 2, 5, 12, 80])
def test_backoff_is_full_jitter_under_a_capped_exponential(attempt: int) -> None:
    policy = DeliveryPolicy(backoff_base=1.0, backoff_cap=60.0)
    rng = random.Random(attempt)
    ceiling = min(60.0, 2.0 ** (attempt - 1)) * 1_000_000
    delays = [policy.backoff_micros(attempt, rng) for _ in range(2000)]
    assert all(0 <= d <= ceiling for d in delays)
    # Spread over the whole range, not bunched at the ceiling.
    assert min(delays) < ceiling * 0.05 and max(delays) > ceiling * 0.95


def result_of(event: ClaimedEvent, status: int | None) -> AttemptResult:
    return AttemptResult(event, "k", 0, 1, status, None if status else "ConnectError")


def test_next_step_delivers_on_2xx_retries_then_gives_up() -> None:
    policy = DeliveryPolicy(max_attempts=3, backoff_base=1.0, backoff_cap=10.0)
    rng = random.Random(1)
    now = 1_000_000_000
    assert next_step(result_of(claimed(1), 204), policy, now, rng).status == DELIVERED
    for status in (None, 301, 404, 500):
        step = next_step(result_of(claimed(2), status), policy, now, rng)
        assert step.status == PENDING and now <= step.next_attempt_at <= now + 2_000_000
    assert next_step(result_of(claimed(3), 500), policy, now, rng).status == DEAD
    # A redelivered event (base 3) starts a new round of three attempts.
    assert next_step(result_of(claimed(5, 3), 500), policy, now, rng).status == PENDING
    assert next_step(result_of(claimed(6, 3), 500), policy, now, rng).status == DEAD


@pytest.mark.parametrize(
    "url", ["https://hooks.example.com/x?y=1", "http://127.0.0.1:8080/hooks", "http://[::1]/h"]
)
def test_webhook_urls_accepted(url: str) -> None:
    assert check_webhook_url(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "",
        "ftp://example.com/",
        "example.com/hooks",
        "http:///nohost",
        "http://a b/",
        "http://h:99999/",
        "http://h/\x00",
        "https://" + "a" * 3000,
    ],
)
def test_webhook_urls_refused(url: str) -> None:
    assert check_webhook_url(url)
