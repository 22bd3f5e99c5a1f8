"""The outbox and signing keys in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import update

from number_orders.domain.representation import detail_json
from number_orders.domain.signing import new_signing_key
from number_orders.domain.timestamps import now_micros
from number_orders.domain.webhooks import (
    DEAD,
    DELIVERED,
    NO_WEBHOOK_URL,
    PENDING,
    AttemptResult,
    NextStep,
)
from number_orders.storage import outbox
from number_orders.storage.schema import webhook_events
from number_orders.storage.sql_store import SqlStore
from tests.support.outbox import URL, account_with_url, orders, settle

LEASE = 30_000_000


def test_an_event_exists_only_if_its_transaction_commits(store: SqlStore) -> None:
    account_id = account_with_url(store)
    [kept, dropped] = orders(store, account_id, 2)
    with pytest.raises(RuntimeError), store.writing() as conn:
        outbox.enqueue_order_complete(conn, account_id, dropped)
        raise RuntimeError("the settling transaction fails after the enqueue")
    event_id = settle(store, account_id, kept)
    [event] = store.list_webhook_events(account_id, None, 10)
    assert (event.id, event.status, event.attempts) == (event_id, PENDING, 0)
    assert event.occurred_at == kept.order.updated_at
    [claimed] = store.claim_webhook_events(now_micros(), 10, LEASE, "t1")
    assert claimed.payload == detail_json(kept)
    assert (claimed.account_id, claimed.url, claimed.attempt) == (account_id, URL, 1)


def test_a_lease_hides_an_event_until_it_expires_then_it_is_the_next_attempt(
    store: SqlStore,
) -> None:
    account_id = account_with_url(store)
    settle(store, account_id, orders(store, account_id, 1)[0])
    now = now_micros()
    [first] = store.claim_webhook_events(now, 10, LEASE, "t1")
    assert store.claim_webhook_events(now + LEASE - 1, 10, LEASE, "t2") == []
    # The first claimer "crashed": after its lease the event is taken again, as attempt 2.
    [second] = store.claim_webhook_events(now + LEASE, 10, LEASE, "t2")
    assert (second.id, second.attempt) == (first.id, 2)
    late = AttemptResult(first, "k", now, 10, 200, None)
    assert store.finish_webhook_attempts([(late, NextStep(DELIVERED, now))]) == 0
    current = AttemptResult(second, "k", now, 10, 503, "HTTP 503")
    assert store.finish_webhook_attempts([(current, NextStep(PENDING, now + 5))]) == 1
    [event] = store.list_webhook_events(account_id, None, 10)
    assert (event.status, event.attempts, event.last_status_code) == (PENDING, 2, 503)
    attempts = store.list_webhook_attempts(account_id, first.id)
    assert [(a.attempt, a.status_code) for a in attempts] == [(1, 200), (2, 503)]


def test_concurrent_claims_never_share_an_event(store: SqlStore) -> None:
    account_id = account_with_url(store)
    for detail in orders(store, account_id, 60):
        settle(store, account_id, detail)
    now = now_micros()

    def claim(i: int) -> list[str]:
        taken: list[str] = []
        while batch := store.claim_webhook_events(now, 4, LEASE, f"t{i}"):
            taken += [e.id for e in batch]
        return taken

    with ThreadPoolExecutor(6) as pool:
        claims = list(pool.map(claim, range(6)))
    everything = [event_id for taken in claims for event_id in taken]
    assert len(everything) == len(set(everything)) == 60


def test_events_of_an_account_without_a_url_are_kept_as_dead(store: SqlStore) -> None:
    account_id = store.ensure_account("nourl").account_id
    event_id = settle(store, account_id, orders(store, account_id, 1)[0])
    assert store.claim_webhook_events(now_micros(), 10, LEASE, "t") == []
    event = store.find_webhook_event(event_id)
    assert event and (event.status, event.attempts, event.last_error) == (DEAD, 0, NO_WEBHOOK_URL)
    store.set_webhook_url(account_id, URL)
    assert store.redeliver_webhook_event(account_id, event_id, now_micros())
    [claimed] = store.claim_webhook_events(now_micros(), 10, LEASE, "t")
    assert (claimed.id, claimed.attempt, claimed.attempt_base) == (event_id, 1, 0)


def test_redelivery_starts_a_new_round_but_not_during_an_attempt(store: SqlStore) -> None:
    account_id = account_with_url(store)
    settle(store, account_id, orders(store, account_id, 1)[0])
    now = now_micros()
    [claimed] = store.claim_webhook_events(now, 10, LEASE, "t")
    assert not store.redeliver_webhook_event(account_id, claimed.id, now)
    store.finish_webhook_attempts(
        [(AttemptResult(claimed, "k", now, 1, 500, "x"), NextStep(DEAD, now))]
    )
    assert store.redeliver_webhook_event(account_id, claimed.id, now)
    [again] = store.claim_webhook_events(now, 10, LEASE, "t")
    assert (again.attempt, again.attempt_base) == (2, 1)


def test_one_active_signing_key_even_when_started_together(store: SqlStore) -> None:
    with ThreadPoolExecutor(4) as pool:
        keys = list(
            pool.map(lambda _: store.ensure_signing_key(new_signing_key(now_micros())), range(8))
        )
    assert len({k.key_id for k in keys}) == 1
    first = keys[0]
    rotated = new_signing_key(now_micros())
    store.rotate_signing_key(rotated)
    assert store.active_signing_key() == rotated
    listed = store.list_signing_keys()
    assert [k.key_id for k in listed] == [rotated.key_id, first.key_id]
    assert listed[1].retired_at is not None and listed[0].retired_at is None


def test_no_account_has_more_attempts_in_flight_than_its_share(store: SqlStore) -> None:
    busy = account_with_url(store, "busy")
    quiet = account_with_url(store, "quiet")
    for detail in orders(store, busy, 10):
        settle(store, busy, detail)  # due first, so they lead the queue
    quiet_events = {settle(store, quiet, d) for d in orders(store, quiet, 2, seed=2)}
    now = now_micros()
    first = store.claim_webhook_events(now, 16, LEASE, "t1", per_account=4)
    assert sorted(e.account_id == busy for e in first) == [False] * 2 + [True] * 4
    assert {e.id for e in first if e.account_id == quiet} == quiet_events
    # Over every claimer together: the busy account's four are still in flight.
    assert store.claim_webhook_events(now, 16, LEASE, "t2", per_account=4) == []
    # One finishes: one more of its events may go.
    done = first[-1] if first[-1].account_id == busy else first[0]
    result = AttemptResult(done, "k", now, 1, 200, None)
    store.finish_webhook_attempts([(result, NextStep(DELIVERED, now))])
    [next_one] = store.claim_webhook_events(now, 16, LEASE, "t3", per_account=4)
    assert next_one.account_id == busy
    # Leases that ran out (a loop that died) no longer count.
    later = store.claim_webhook_events(now + LEASE, 16, LEASE, "t4", per_account=4)
    assert sorted(e.account_id == busy for e in later) == [False] * 2 + [True] * 4


def test_an_event_whose_payload_cannot_be_read_is_set_aside_and_the_rest_are_claimed(
    store: SqlStore,
) -> None:
    account_id = account_with_url(store)
    broken, *good = [settle(store, account_id, d) for d in orders(store, account_id, 3)]
    with store.writing() as conn:
        conn.execute(
            update(webhook_events).where(webhook_events.c.id == broken).values(payload="{oops")
        )
    claimed = store.claim_webhook_events(now_micros(), 10, LEASE, "t")
    assert sorted(e.id for e in claimed) == sorted(good)
    dead = store.find_webhook_event(broken)
    assert dead is not None and dead.status == DEAD
    assert "payload cannot be read" in (dead.last_error or "")
