"""Requirement deadlines and checks on both engines: the worker's deadline step fails and
frees pending numbers past their deadline (only those: the queue holds pending orders by
deadline), seeded orders count their deadline from the seed, and a supplied value is
under review until the review delay ends."""

from __future__ import annotations

import time

from sqlalchemy import select

from number_orders.domain.comments import CommentsQuery
from number_orders.domain.fulfilment import settle
from number_orders.domain.order_parts import SUB_NUMBER_ORDER
from number_orders.domain.regulatory import requirement_id
from number_orders.domain.requirements_status import DAY
from number_orders.domain.timestamps import now_micros
from number_orders.domain.updating import OrderUpdate
from number_orders.seed.loading import seed_orders
from number_orders.service import NumberOrdersService
from number_orders.storage.schema import number_holdings, number_orders, webhook_events
from number_orders.storage.sql_store import SqlStore
from number_orders.worker.deadlines import fail_overdue_orders
from tests.support.orders import assert_counts_exact, new_order, number

DE_ADDRESS = requirement_id("DE", "address")
TINY = 1e-9  # days: about 86 microseconds


def held(store: SqlStore, phone_number: str) -> bool:
    h = number_holdings.c
    with store.engine.connect() as conn:
        row = conn.execute(select(h.state).where(h.phone_number == phone_number)).first()
    return row is not None


def event_types(store: SqlStore) -> list[str]:
    with store.engine.connect() as conn:
        return list(conn.execute(select(webhook_events.c.event_type)).scalars())


def test_past_its_deadline_a_pending_number_fails_and_is_free(store: SqlStore) -> None:
    account = store.ensure_account("acme").account_id
    hurried = NumberOrdersService(store, deadline_days=TINY)
    patient = NumberOrdersService(store)
    de, us, later = number("DE"), number("US"), number("DE")
    overdue = hurried.create_number_order(account, new_order(de, us))
    waiting = patient.create_number_order(account, new_order(later))
    assert overdue.order.deadline is not None
    assert overdue.order.deadline - overdue.order.created_at == int(TINY * DAY)
    assert held(store, de)
    time.sleep(0.01)

    expired = fail_overdue_orders(hurried)
    assert [e.detail.order.id for e in expired] == [overdue.order.id]
    (done,) = expired
    assert done.settled and done.detail.order.status == "failure"
    assert [n.status for n in done.detail.numbers] == ["failure", "failure"]
    assert not held(store, de) and not held(store, us) and held(store, later)
    assert event_types(store) == ["number_order.complete"]
    assert patient.retrieve_number_order(account, waiting.order.id).order.status == "pending"
    assert fail_overdue_orders(hurried) == []  # nothing more is due
    assert_counts_exact(store)


def test_seeded_pending_orders_count_their_deadline_from_the_seed(store: SqlStore) -> None:
    service = NumberOrdersService(store)
    account = store.ensure_account("seeded").account_id
    now = now_micros()
    assert seed_orders(service, account, 300, seed=5, now=now, processes=1) == 300
    c = number_orders.c
    with store.engine.connect() as conn:
        rows = conn.execute(select(c.status, c.created_at, c.deadline_at)).all()
    pending = [r for r in rows if r.status == "pending"]
    assert pending and all(r.deadline_at == now + service.deadline_period for r in pending)
    assert all(
        r.deadline_at == r.created_at + service.deadline_period
        for r in rows
        if r.status != "pending"
    )
    assert fail_overdue_orders(service) == []
    # Every part of a seeded order finds its order by its id.
    (detail,) = store.recent_number_orders(account, 1)
    for sub_id in detail.order.sub_number_orders_ids:
        part = store.find_order_part(account, sub_id)
        assert part is not None and part.order_id == detail.order.id
        assert part.kind == SUB_NUMBER_ORDER
    found = service.retrieve_number_order_phone_number(account, detail.numbers[-1].id)
    assert found.number == detail.numbers[-1]
    assert store.find_order_part(store.ensure_account("other").account_id, sub_id) is None


def test_a_value_is_under_review_until_the_delay_ends(store: SqlStore) -> None:
    service = NumberOrdersService(store, fulfilment_delay=60.0)
    account = store.ensure_account("acme").account_id
    created = service.create_number_order(account, new_order(number("DE"), number("DE")))
    sub_id = created.order.sub_number_orders_ids[0]
    approved = OrderUpdate.requirements_from_body(
        {"regulatory_requirements": [{"requirement_id": DE_ADDRESS, "field_value": "addr"}]}
    )
    updated = service.update_sub_number_order(account, sub_id, approved)
    assert {n.requirements_status for n in updated.sub.numbers} == {"requirement-info-under-review"}
    assert not updated.sub.requirements_met and not updated.detail.order.requirements_met
    declined = OrderUpdate.requirements_from_body(
        {"regulatory_requirements": [{"requirement_id": DE_ADDRESS, "field_value": "decline"}]}
    )
    service.update_number_order_phone_number(account, created.numbers[1].id, declined)

    # Nothing is due before the checks end; after them, both are decided in one pass.
    assert store.fulfil_due_orders(now_micros(), 50, lambda d, t: settle(d, t, 0)) == []
    later = now_micros() + 61_000_000
    (done,) = store.fulfil_due_orders(later, 50, lambda d, take: settle(d, take, later))
    first, second = done.detail.numbers
    assert first.status == "success" and first.requirements_status == "approved"
    assert second.status == "pending"
    assert second.requirements_status == "requirement-info-exception"
    (comment,) = service.list_comments(account, CommentsQuery(record_id=sub_id))
    assert comment.commenter_type == "admin" and second.phone_number in comment.body
    assert_counts_exact(store)
