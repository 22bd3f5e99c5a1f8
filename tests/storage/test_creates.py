"""Creates in groups, on both engines: a group's creates commit together, and one that
fails for a reason of its own (a key used before, a key used twice in the group, an id
taken) leaves the others committed, each caller with its own answer."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

from sqlalchemy import select

from number_orders.config import Settings
from number_orders.domain.creating import build_order
from number_orders.domain.idempotency import IdempotencyKey, PriorRequest
from number_orders.domain.listing import ListQuery
from number_orders.domain.timestamps import now_micros
from number_orders.storage.interface import StoredOrder
from number_orders.storage.schema import number_holdings
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import wait_until
from tests.support.orders import new_order, number

RULES = Settings().requirement_rules


def stored(*numbers: str, order_id: str | None = None) -> StoredOrder:
    detail = build_order(new_order(*numbers), RULES, now_micros())
    if order_id is not None:
        detail = dataclasses.replace(detail, order=dataclasses.replace(detail.order, id=order_id))
    return StoredOrder(detail, None)


def holder(store: SqlStore, phone_number: str) -> str | None:
    with store.reading() as conn:
        found: str | None = conn.scalar(
            select(number_holdings.c.order_id).where(number_holdings.c.phone_number == phone_number)
        )
    return found


def create_in_one_group(
    store: SqlStore, creates: dict[str, tuple[str, StoredOrder, IdempotencyKey | None]]
) -> dict[str, Any]:
    """Each named create from a thread of its own, all queued (in the order given) before
    the first runs; what each caller got (None, the key's earlier use, or the exception
    it raised)."""
    answers: dict[str, Any] = {}

    def create(name: str) -> None:
        try:
            answers[name] = store.create_number_order(*creates[name])
        except Exception as error:
            answers[name] = error

    groups = store.create_groups
    before = groups.groups
    threads = [threading.Thread(target=create, args=(name,)) for name in creates]
    with groups.turn:
        for count, thread in enumerate(threads, start=1):
            thread.start()  # queued in the order given
            wait_until(lambda count=count: groups.queued == count, timeout=10)  # type: ignore[misc]
    for thread in threads:
        thread.join()
    assert groups.groups == before + 1  # one group, whatever ran again alone inside it
    return answers


def test_a_group_commits_every_create_but_the_one_that_fails_for_its_own_reason(
    store: SqlStore,
) -> None:
    mine = store.ensure_account("acme").account_id
    theirs = store.ensure_account("other").account_id
    held_number = number()
    earlier = stored(number())
    assert store.create_number_order(mine, earlier, IdempotencyKey("used", "body-1")) is None
    theirs_first = stored(held_number)
    assert store.create_number_order(theirs, theirs_first, None) is None

    plain, on_held, twin = stored(number()), stored(held_number), stored(number())
    answers = create_in_one_group(
        store,
        {
            "plain": (mine, plain, None),
            "on a held number": (mine, on_held, None),
            "key used before": (mine, stored(number()), IdempotencyKey("used", "body-2")),
            "key first": (mine, twin, IdempotencyKey("twice", "body-3")),
            "key again": (mine, stored(number()), IdempotencyKey("twice", "body-3")),
            "id taken": (mine, stored(number(), order_id=earlier.detail.order.id), None),
            "other account": (theirs, stored(number()), None),
        },
    )

    assert answers["plain"] is None and answers["on a held number"] is None
    assert answers["key used before"] == PriorRequest("body-1", earlier.detail.order.id)
    assert answers["key first"] is None
    assert answers["key again"] == PriorRequest("body-3", twin.detail.order.id)
    assert isinstance(answers["id taken"], Exception)
    assert answers["other account"] is None
    # Committed: the orders, their holdings (a held number stays with its holder) and
    # counts; nothing of the creates that stored nothing.
    for order in (plain, on_held, twin):
        found = store.retrieve_number_order(mine, order.detail.order.id)
        assert found is not None and found.numbers == order.detail.numbers
    assert store.retrieve_number_order(mine, earlier.detail.order.id) == earlier.detail
    assert holder(store, plain.detail.numbers[0].phone_number) == plain.detail.order.id
    assert holder(store, held_number) == theirs_first.detail.order.id
    assert store.list_number_orders(mine, ListQuery.from_params([]))[1] == 4
    assert store.list_number_orders(theirs, ListQuery.from_params([]))[1] == 2


def test_two_creates_of_one_number_in_a_group_leave_it_to_the_first(store: SqlStore) -> None:
    mine = store.ensure_account("acme").account_id
    theirs = store.ensure_account("other").account_id
    shared = number()
    first, second = stored(shared, number()), stored(shared)
    answers = create_in_one_group(
        store, {"first": (mine, first, None), "second": (theirs, second, None)}
    )
    assert answers == {"first": None, "second": None}
    assert holder(store, shared) == first.detail.order.id
    assert store.retrieve_number_order(theirs, second.detail.order.id) is not None
