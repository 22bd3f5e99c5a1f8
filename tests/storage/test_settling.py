"""Settling due orders in batches, on both engines: one statement per kind of change for
the whole batch, the same answers as settling the orders one by one (a number freed by
an order is there for the orders after it), and a statement that fails for one order
found by settling them one at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, func, insert, select

from number_orders.domain.fulfilment import Settlement, settle
from number_orders.domain.orders import FAILURE, NumberOrderDetail
from number_orders.domain.phone_numbers import phone_number_id
from number_orders.domain.timestamps import now_micros
from number_orders.service import NumberOrdersService
from number_orders.storage.schema import phone_numbers, webhook_events
from number_orders.storage.sql_store import SqlStore
from tests.support.orders import assert_counts_exact, new_order, number
from tests.support.phone_numbers import assert_tallies_exact, holdings, records


@contextmanager
def statements(store: SqlStore) -> Iterator[list[str]]:
    """The statements sent to the database meanwhile (an `executemany` is one)."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def created(service: NumberOrdersService, account_id: str, count: int) -> list[str]:
    """Orders of one number each, due at once; their ids."""
    return [
        service.create_number_order(account_id, new_order(number())).order.id for _ in range(count)
    ]


def settle_now(
    store: SqlStore, limit: int = 50, failing: Callable[[NumberOrderDetail], bool] | None = None
) -> list[Any]:
    """Settle what is due; orders `failing` names lose every number they try."""
    now = now_micros()

    def settling(detail: NumberOrderDetail, take: Callable[[str], bool]) -> Settlement:
        if failing is not None and failing(detail):
            return settle(detail, lambda _number: False, now)
        return settle(detail, take, now)

    return store.fulfil_due_orders(now, limit, settling)


def test_a_batch_takes_as_many_statements_as_one_order(store: SqlStore) -> None:
    service = NumberOrdersService(store)
    account_id = service.create_api_key("acme").account.account_id
    created(service, account_id, 1)
    with statements(store) as one:
        (done,) = settle_now(store)
    ids = created(service, account_id, 20)
    with statements(store) as twenty:
        fulfilled = settle_now(store)
    assert done.settled and sorted(f.detail.order.id for f in fulfilled) == sorted(ids)
    assert all(f.settled and f.detail.order.status == "success" for f in fulfilled)
    assert len(twenty) == len(one)
    # Each settled order has its event, its number its record, and the tallies agree.
    with store.reading() as conn:
        events = conn.scalar(select(func.count()).select_from(webhook_events))
    assert events == 21
    assert len(records(store, account_id)) == 21
    assert_tallies_exact(store)
    assert_counts_exact(store)


def test_a_number_one_order_of_the_batch_frees_goes_to_a_later_one(store: SqlStore) -> None:
    """As one by one: the first order fails the number it held, the second (of another
    account, created while the first held it) then takes it, in the same batch."""
    service = NumberOrdersService(store)
    first_account = service.create_api_key("acme").account.account_id
    second_account = service.create_api_key("globex").account.account_id
    shared, own = number(), number()
    first = service.create_number_order(first_account, new_order(shared, own))
    second = service.create_number_order(second_account, new_order(shared))
    assert holdings(store)[shared][1] == first.order.id  # the first holds it

    fulfilled = settle_now(store, failing=lambda d: d.order.id == first.order.id)

    by_id = {f.detail.order.id: f.detail for f in fulfilled}
    assert [n.status for n in by_id[first.order.id].numbers] == [FAILURE, FAILURE]
    assert by_id[second.order.id].order.status == "success"
    assert holdings(store)[shared][1:] == (second.order.id, "owned")
    assert own not in holdings(store)  # freed, and nobody else wanted it
    assert [r.phone_number for r in records(store, second_account)] == [shared]
    assert records(store, first_account) == []
    assert_tallies_exact(store)
    assert_counts_exact(store)


def test_a_statement_failing_for_one_order_is_found_by_settling_one_at_a_time(
    store: SqlStore,
) -> None:
    service = NumberOrdersService(store)
    account_id = service.create_api_key("acme").account.account_id
    blocked, *others = [
        service.create_number_order(account_id, new_order(number())) for _ in range(4)
    ]
    # The record the first order's number would become exists already: inserting the
    # batch's records fails, without saying for which order.
    (ordered,) = blocked.numbers
    with store.writing() as conn:
        conn.execute(
            insert(phone_numbers).values(
                account_id=account_id,
                id=phone_number_id(ordered.id),
                phone_number=number(),
                status="active",
                country_iso_alpha2="US",
                phone_number_type="local",
                source_type="number_order",
                tags="[]",
                tagged=False,
                hd_voice_enabled=False,
                order_id=blocked.order.id,
                purchased_at=1,
                updated_at=1,
            )
        )
    settled_ids: set[str] = set()
    for _ in range(10):
        settled_ids |= {f.detail.order.id for f in settle_now(store)}
    assert settled_ids == {o.order.id for o in others}
    [failing] = store.failing_orders(10)
    assert failing.order_id == blocked.order.id and "IntegrityError" in failing.error
    assert_counts_exact(store)


def test_an_order_waiting_for_requirements_in_a_batch_stays_pending_off_the_queue(
    store: SqlStore,
) -> None:
    service = NumberOrdersService(store)
    account_id = service.create_api_key("acme").account.account_id
    # Its US number settles; its GB one waits for an address, so the order stays pending.
    waits = service.create_number_order(account_id, new_order(number(), number("GB")))
    plain = service.create_number_order(account_id, new_order(number(), number()))
    fulfilled = {f.detail.order.id: f for f in settle_now(store)}
    assert not fulfilled[waits.order.id].settled
    assert fulfilled[waits.order.id].detail.order.status == "pending"
    assert [n.status for n in fulfilled[waits.order.id].detail.numbers] == ["success", "pending"]
    assert fulfilled[plain.order.id].detail.order.status == "success"
    assert settle_now(store) == []
    assert service.retrieve_number_order(account_id, waits.order.id) == (
        fulfilled[waits.order.id].detail
    )
    assert_counts_exact(store)
