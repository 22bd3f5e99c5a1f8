"""Webhook delivery end to end: the application's own delivery loop, a real receiver on a
loopback port, and the official client verifying every delivery. Both engines."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import telnyx
from telnyx.types import NumberOrderStatusUpdateWebhookEvent

from number_orders.config import Settings
from number_orders.domain.representation import detail_json
from number_orders.domain.webhooks import DEAD, DELIVERED
from number_orders.service import NumberOrdersService
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import Answer, Delivery, WebhookReceiver, wait_until
from tests.support.app import InProcess
from tests.support.outbox import account_with_url, delivery_loop, orders, settle

CLIENT = telnyx.Telnyx(api_key="KEYunused", base_url="http://127.0.0.1:9/v2")


def verify(delivery: Delivery, public_key: str) -> telnyx.types.UnwrapWebhookEvent:
    return CLIENT.webhooks.unwrap(delivery.body, headers=delivery.headers, key=public_key)


@pytest.fixture
def fast(settings: Settings) -> Settings:
    """Retries within milliseconds, so a test sees a whole retry schedule quickly."""
    return settings.with_changes(
        webhook_backoff_base=0.05,
        webhook_backoff_cap=0.2,
        webhook_poll_interval=0.05,
        webhook_timeout=1.0,
        webhook_max_attempts=4,
    )


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


def event_status(store: SqlStore, event_id: str) -> str | None:
    event = store.find_webhook_event(event_id)
    return event.status if event else None


def attempts(store: SqlStore, event_id: str) -> int:
    event = store.find_webhook_event(event_id)
    return event.attempts if event else 0


def test_every_delivery_verifies_with_the_official_client_and_tampering_fails(
    fast: Settings, store: SqlStore, receiver: WebhookReceiver
) -> None:
    account_id = account_with_url(store, url=receiver.url)
    details = orders(store, account_id, 3)
    with InProcess(fast, store):
        public_key = NumberOrdersService(store).ensure_signing_key().public_key
        ids = {settle(store, account_id, d): d for d in details}
        deliveries = receiver.wait_for(3)
        wait_until(lambda: all(event_status(store, i) == DELIVERED for i in ids))
    assert {d.event_id for d in deliveries} == set(ids)
    for delivery in deliveries:
        assert delivery.headers["content-type"] == "application/json"
        assert abs(int(delivery.headers["telnyx-timestamp"]) - time.time()) < 60
        event = verify(delivery, public_key)
        assert isinstance(event, NumberOrderStatusUpdateWebhookEvent)
        assert event.data.event_type == "number_order.complete"
        body = delivery.json
        assert body["data"]["payload"] == detail_json(ids[body["data"]["id"]])
        assert body["data"]["record_type"] == "event"
        assert body["meta"] == {"attempt": 1, "delivered_to": receiver.url}
        tampered = delivery.body.replace('"attempt":1', '"attempt":2')
        assert tampered != delivery.body
        with pytest.raises(ValueError, match="Signature verification failed"):
            CLIENT.webhooks.unwrap(tampered, headers=delivery.headers, key=public_key)
        shifted = {
            **delivery.headers,
            "telnyx-timestamp": str(int(delivery.headers["telnyx-timestamp"]) + 1),
        }
        with pytest.raises(ValueError, match="Signature verification failed"):
            CLIENT.webhooks.unwrap(delivery.body, headers=shifted, key=public_key)


def test_a_receiver_that_fails_its_first_attempts_gets_the_event_later(
    fast: Settings, store: SqlStore, receiver: WebhookReceiver
) -> None:
    account_id = account_with_url(store, url=receiver.url)
    receiver.answer(Answer(500), Answer(200, delay=2.0), Answer(404))  # error, timeout, error
    with InProcess(fast, store):
        event_id = settle(store, account_id, orders(store, account_id, 1)[0])
        deliveries = receiver.wait_for(4)
        wait_until(lambda: event_status(store, event_id) == DELIVERED)
        public_key = NumberOrdersService(store).ensure_signing_key().public_key
    assert [(d.event_id, d.attempt) for d in deliveries] == [(event_id, n) for n in (1, 2, 3, 4)]
    for delivery in deliveries:
        verify(delivery, public_key)
    attempts = store.list_webhook_attempts(account_id, event_id)
    assert [a.status_code for a in attempts] == [500, None, 404, 200]
    assert "Timeout" in (attempts[1].error or "")


def test_events_are_kept_while_the_receiver_is_down_and_delivered_when_it_is_back(
    fast: Settings, store: SqlStore, receiver: WebhookReceiver
) -> None:
    account_id = account_with_url(store, url=receiver.url)
    receiver.stop()
    patient = fast.with_changes(webhook_max_attempts=1000)
    with InProcess(patient, store):
        event_id = settle(store, account_id, orders(store, account_id, 1)[0])
        wait_until(lambda: attempts(store, event_id) >= 5)
        receiver.restart()
        [delivery] = receiver.wait_for(1)
        wait_until(lambda: event_status(store, event_id) == DELIVERED)
    assert delivery.attempt >= 5
    errors = [a.error for a in store.list_webhook_attempts(account_id, event_id)]
    assert all("ConnectError" in (e or "") for e in errors[:-1]) and errors[-1] is None


def test_past_the_attempt_limit_an_event_is_dead_and_can_be_redelivered(
    fast: Settings, store: SqlStore, receiver: WebhookReceiver
) -> None:
    account_id = account_with_url(store, url=receiver.url)
    receiver.stop()
    with InProcess(fast, store):
        event_id = settle(store, account_id, orders(store, account_id, 1)[0])
        wait_until(lambda: event_status(store, event_id) == DEAD)
        [dead] = store.list_webhook_events(account_id, DEAD, 10)
        assert dead.attempts == fast.webhook_max_attempts
        receiver.restart()
        NumberOrdersService(store).redeliver_webhook_event(event_id)
        [delivery] = receiver.wait_for(1)
        wait_until(lambda: event_status(store, event_id) == DELIVERED)
    assert delivery.attempt == fast.webhook_max_attempts + 1


def test_rotation_signs_new_deliveries_with_the_new_key_and_old_ones_stay_verifiable(
    fast: Settings, store: SqlStore, receiver: WebhookReceiver
) -> None:
    account_id = account_with_url(store, url=receiver.url)
    [first, second] = orders(store, account_id, 2)
    service = NumberOrdersService(store)
    with InProcess(fast, store):
        old = service.ensure_signing_key()
        settle(store, account_id, first)
        [before] = receiver.wait_for(1)
        new = service.rotate_signing_key()
        settle(store, account_id, second)
        after = receiver.wait_for(2)[1]
        wait_until(lambda: len(store.list_webhook_events(account_id, DELIVERED, 10)) == 2)
    verify(before, old.public_key)
    verify(after, new.public_key)
    with pytest.raises(ValueError):
        verify(after, old.public_key)
    with pytest.raises(ValueError):
        verify(before, new.public_key)
    signed_by = {
        d.event_id: store.list_webhook_attempts(account_id, d.event_id)[0].key_id
        for d in (before, after)
    }
    assert signed_by == {before.event_id: old.key_id, after.event_id: new.key_id}
    assert [k.key_id for k in store.list_signing_keys()] == [new.key_id, old.key_id]


def test_a_new_webhook_url_applies_without_a_restart(
    fast: Settings, store: SqlStore, receiver: WebhookReceiver
) -> None:
    account_id = account_with_url(store, url=receiver.url)
    [first, second] = orders(store, account_id, 2)
    with WebhookReceiver() as other, InProcess(fast, store):
        settle(store, account_id, first)
        receiver.wait_for(1)
        NumberOrdersService(store).set_webhook_url("acme", other.url)
        settle(store, account_id, second)
        [moved] = other.wait_for(1)
    assert moved.json["meta"]["delivered_to"] == other.url
    assert len(receiver.deliveries) == 1


def test_several_delivery_loops_never_send_the_same_attempt_twice(
    fast: Settings, store: SqlStore, receiver: WebhookReceiver
) -> None:
    account_id = account_with_url(store, url=receiver.url)
    events = [settle(store, account_id, d) for d in orders(store, account_id, 120)]
    with delivery_loop(fast), delivery_loop(fast), delivery_loop(fast):
        receiver.wait_for(len(events), timeout=60)
        wait_until(lambda: len(store.list_webhook_events(account_id, DELIVERED, 500)) == 120, 30)
    sent = Counter((d.event_id, d.attempt) for d in receiver.deliveries)
    assert max(sent.values()) == 1
    assert {event_id for event_id, _ in sent} == set(events)


def test_a_wake_up_delivers_without_waiting_for_the_next_poll(
    fast: Settings, store: SqlStore, receiver: WebhookReceiver
) -> None:
    account_id = account_with_url(store, url=receiver.url)
    slow_poll = fast.with_changes(webhook_poll_interval=30.0)
    with delivery_loop(slow_poll) as delivery:
        time.sleep(0.3)  # the loop has looked once and is now waiting out its poll
        settle(store, account_id, orders(store, account_id, 1)[0])
        delivery.wake()
        receiver.wait_for(1, timeout=5)


def test_a_receiver_that_never_answers_holds_only_its_accounts_share_of_slots(
    fast: Settings, store: SqlStore, receiver: WebhookReceiver
) -> None:
    patient = fast.with_changes(webhook_timeout=15.0, webhook_max_attempts=100)
    with WebhookReceiver() as black_hole:
        black_hole.answer(*[Answer(200, delay=30.0)] * 100)
        stuck = account_with_url(store, "stuck", black_hole.url)
        for detail in orders(store, stuck, 20):  # more than the loop's 16 slots, due first
            settle(store, stuck, detail)
        fine = account_with_url(store, "fine", receiver.url)
        events = {settle(store, fine, d) for d in orders(store, fine, 3, seed=2)}
        with delivery_loop(patient):
            delivered = receiver.wait_for(3, timeout=12.0)  # well before any attempt times out
            assert len(black_hole.deliveries) <= patient.webhook_account_concurrency
        assert {d.event_id for d in delivered} == events


class Collected(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def claims_refused(store: SqlStore) -> Iterator[None]:
    """Every claim fails with an error of the database that is no outage (a trigger
    refuses the lease), until the block ends."""
    if store.sqlite:
        create = (
            "CREATE TRIGGER refuse_lease BEFORE UPDATE OF lease_token ON webhook_events "
            "WHEN NEW.lease_token IS NOT NULL BEGIN SELECT RAISE(ABORT, 'lease refused'); END"
        )
        drop = ["DROP TRIGGER refuse_lease"]
    else:
        create = (
            "CREATE FUNCTION refuse_lease() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF NEW.lease_token IS NOT NULL THEN RAISE EXCEPTION 'lease refused'; END IF; "
            "RETURN NEW; END $$; CREATE TRIGGER refuse_lease BEFORE UPDATE ON webhook_events "
            "FOR EACH ROW EXECUTE FUNCTION refuse_lease()"
        )
        drop = ["DROP TRIGGER refuse_lease ON webhook_events", "DROP FUNCTION refuse_lease()"]
    with store.writing() as conn:
        conn.exec_driver_sql(create)
    try:
        yield
    finally:
        with store.writing() as conn:
            for statement in drop:
                conn.exec_driver_sql(statement)


def test_a_claim_that_fails_for_no_outage_is_logged_as_an_error_and_delivery_goes_on(
    fast: Settings, store: SqlStore, receiver: WebhookReceiver
) -> None:
    account_id = account_with_url(store, url=receiver.url)
    logger, collected = logging.getLogger("number_orders.webhooks"), Collected()
    logger.addHandler(collected)
    try:
        with delivery_loop(fast):
            with claims_refused(store):
                first = settle(store, account_id, orders(store, account_id, 1)[0])
                wait_until(lambda: len([r for r in collected.records if r.exc_info]) >= 2)
                assert receiver.deliveries == []
            # The same loop, still running, delivers once claims work again.
            [delivery] = receiver.wait_for(1)
        errors = [r for r in collected.records if r.levelno == logging.ERROR]
        assert errors and all("claiming events failed" in r.getMessage() for r in errors)
        assert "lease refused" in str(errors[0].exc_info[1])  # type: ignore[index]
        assert not any("unavailable" in r.getMessage() for r in collected.records)
    finally:
        logger.removeHandler(collected)
    assert delivery.event_id == first
