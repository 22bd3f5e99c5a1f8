"""Number reservations through the official Python client, unchanged and with strict
response validation, on both engines: the whole life of a reservation, one owner per
number across accounts, and expiry by the worker."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, cast

import pytest
from sqlalchemy import select
from telnyx import NotFoundError, Omit, Telnyx, UnprocessableEntityError, omit
from telnyx.types import NumberReservation, ReservedPhoneNumber

from number_orders.config import Settings
from number_orders.domain.timestamps import format_micros
from number_orders.storage.schema import number_holdings, reserved_phone_numbers
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import wait_until
from tests.support.app import new_key
from tests.support.clients import strict_client
from tests.support.live import LiveServer
from tests.support.orders import number

UNKNOWN = "0b1e5a7c-2f4d-4e8a-9c3b-5d6e7f8a9b0c"


def strict(live: LiveServer, token: str) -> Telnyx:
    return strict_client(live.base_url, token)


@contextmanager
def two_accounts(settings: Settings, store: SqlStore) -> Iterator[tuple[Telnyx, Telnyx]]:
    with (
        LiveServer(settings, store) as live,
        strict(live, new_key(store, "acme")) as acme,
        strict(live, new_key(store, "globex")) as globex,
    ):
        yield acme, globex


def reserve(client: Telnyx, *numbers: str, reference: str | Omit = omit) -> NumberReservation:
    created = client.number_reservations.create(
        phone_numbers=[{"phone_number": n} for n in numbers], customer_reference=reference
    ).data
    assert created is not None and created.id is not None and created.phone_numbers is not None
    return created


def ident(reservation: NumberReservation) -> str:
    assert reservation.id is not None
    return reservation.id


def numbers_of(reservation: NumberReservation | None) -> list[ReservedPhoneNumber]:
    assert reservation is not None and reservation.phone_numbers is not None
    return reservation.phone_numbers


def order_status(client: Telnyx, order_id: str) -> str:
    def settled() -> str | None:
        data = client.number_orders.retrieve(order_id).data
        assert data is not None
        return data.status if data.status != "pending" else None

    result: str = wait_until(settled)
    return result


def test_create_list_with_each_filter_retrieve_and_extend(
    settings: Settings, store: SqlStore
) -> None:
    reference = f"py-{time.time_ns()}"
    first, second, refused = number(), number(), number("GB")
    with two_accounts(settings, store) as (acme, _globex):
        made = reserve(acme, first, second, refused, reference=reference)
        assert made.status == "failure" and made.customer_reference == reference
        numbers = numbers_of(made)
        assert [n.status for n in numbers] == ["success", "success", "failure"]
        assert numbers[2].errors and numbers[0].expired_at and numbers[2].expired_at is None
        other = reserve(acme, number())
        assert other.status == "success"
        assert acme.number_reservations.retrieve(ident(made)).data == made

        def listed(**filters: Any) -> list[str | None]:
            page = acme.number_reservations.list(filter=cast(Any, filters), page_size=250)
            assert page.meta is not None and page.meta.total_pages <= 1
            assert getattr(page.meta, "total_results") == len(page.data)  # noqa: B009
            return [r.id for r in page.data]

        ids = (ident(made), ident(other))
        assert listed()[:2] == [ids[1], ids[0]]
        assert listed(customer_reference=reference) == [ids[0]]
        assert listed(status="failure") == [ids[0]]
        assert ids[1] in listed(status="success") and ids[0] not in listed(status="success")
        assert listed(phone_numbers_phone_number=second) == [ids[0]]
        assert listed(created_at={"gt": format_micros(_micros(made))}) == [ids[1]]
        before_other = listed(created_at={"lt": format_micros(_micros(other))})
        assert ids[0] in before_other and ids[1] not in before_other
        automatic = [r.id for r in acme.number_reservations.list(page_size=1)]
        assert automatic[:2] == [ids[1], ids[0]]

        extended = acme.number_reservations.actions.extend(ids[0]).data
        assert extended is not None and extended.updated_at and made.updated_at
        assert _later(numbers_of(extended)[0].expired_at, numbers[0].expired_at)
        assert extended.updated_at > made.updated_at


def _micros(reservation: NumberReservation) -> int:
    moment = reservation.created_at
    assert moment is not None
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


def _later(one: datetime | None, other: datetime | None) -> bool:
    return one is not None and other is not None and one > other


def test_errors_arrive_as_the_clients_exceptions(settings: Settings, store: SqlStore) -> None:
    with two_accounts(settings, store) as (acme, globex):
        theirs = ident(reserve(globex, number()))
        for reservation_id in (UNKNOWN, theirs):
            with pytest.raises(NotFoundError):
                acme.number_reservations.retrieve(reservation_id)
            with pytest.raises(NotFoundError):
                acme.number_reservations.actions.extend(reservation_id)
        with pytest.raises(UnprocessableEntityError) as raised:
            acme.number_reservations.create(phone_numbers=[{"phone_number": "12345"}])
        assert raised.value.body["errors"][0]["code"] == "10016"  # type: ignore[index]


def test_the_owners_order_consumes_the_reservation_and_others_fail(
    settings: Settings, store: SqlStore
) -> None:
    wanted = number()
    with two_accounts(settings, store) as (acme, globex):
        held = reserve(acme, wanted)
        # Another account: its reservation fails at once, its order when it settles.
        rival = reserve(globex, wanted)
        assert rival.status == "failure"
        assert (numbers_of(rival)[0].errors or "").startswith("Number is already on hold")
        their_order = globex.number_orders.create(phone_numbers=[{"phone_number": wanted}]).data
        assert their_order is not None and their_order.id is not None
        assert order_status(globex, their_order.id) == "failure"
        # The owner's order takes the number over and gets it.
        mine = acme.number_orders.create(phone_numbers=[{"phone_number": wanted}]).data
        assert mine is not None and mine.id is not None
        assert order_status(acme, mine.id) == "success"
        consumed = acme.number_reservations.retrieve(ident(held)).data
        assert consumed is not None and consumed.status == "success"
        assert numbers_of(consumed)[0].status == "success"
        # Its hold ended when the order took it over, long before it would have expired.
        assert _later(numbers_of(held)[0].expired_at, numbers_of(consumed)[0].expired_at)
        with pytest.raises(UnprocessableEntityError):
            acme.number_reservations.actions.extend(ident(held))
        # Owned now: nobody reserves it, the owner included.
        assert reserve(globex, wanted).status == "failure"
        assert reserve(acme, wanted).status == "failure"
    assert _holding(store, wanted) == "owned"


def test_two_accounts_reserving_the_same_numbers_at_once_one_gets_each(
    settings: Settings, store: SqlStore
) -> None:
    wanted = [number() for _ in range(8)]
    results: dict[tuple[int, str], str | None] = {}
    with two_accounts(settings, store) as clients:
        barrier = threading.Barrier(2 * len(clients))

        def race(account: int, numbers: list[str]) -> None:
            barrier.wait()
            for phone_number in numbers:
                results[account, phone_number] = reserve(clients[account], phone_number).status

        # Two threads per account, in opposite orders, so reservations of a number coincide.
        jobs = [(a, half) for a in (0, 1) for half in (wanted[::2], wanted[1::2][::-1])]
        threads = [threading.Thread(target=race, args=job) for job in jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert len(results) == 2 * len(wanted)
    for phone_number in wanted:
        outcome = sorted(str(results[a, phone_number]) for a in (0, 1))
        assert outcome == ["failure", "success"], phone_number


def test_the_worker_expires_reservations_and_frees_their_numbers(
    settings: Settings, store: SqlStore
) -> None:
    wanted = number()
    with two_accounts(settings.with_changes(reservation_seconds=1), store) as (acme, globex):
        held = reserve(acme, wanted)
        wait_until(lambda: _holding(store, wanted) is None, timeout=10)
        assert _reserved_state(store, wanted) == "expired"
        ended = acme.number_reservations.retrieve(ident(held)).data
        assert ended is not None and ended.updated_at and held.updated_at
        assert numbers_of(ended)[0].status == "success"
        assert numbers_of(ended)[0].expired_at == numbers_of(held)[0].expired_at
        assert ended.updated_at > held.updated_at
        with pytest.raises(UnprocessableEntityError):
            acme.number_reservations.actions.extend(ident(held))
        assert reserve(globex, wanted).status == "success"


def test_an_expired_reservation_is_free_to_others_before_the_worker_ran(
    settings: Settings, store: SqlStore
) -> None:
    wanted = number()
    idle = settings.with_changes(reservation_seconds=1, run_worker=False)
    with two_accounts(idle, store) as (acme, globex):
        held = reserve(acme, wanted)
        expiry = numbers_of(held)[0].expired_at
        assert expiry is not None
        wait_until(lambda: time.time() > expiry.timestamp(), timeout=5)
        assert reserve(globex, wanted).status == "success"
        with pytest.raises(UnprocessableEntityError):
            acme.number_reservations.actions.extend(ident(held))
    assert _reserved_state(store, wanted) == "expired"


def _holding(store: SqlStore, phone_number: str) -> str | None:
    h = number_holdings.c
    with store.reading() as conn:
        state: str | None = conn.scalar(select(h.state).where(h.phone_number == phone_number))
    return state


def _reserved_state(store: SqlStore, phone_number: str) -> str | None:
    """The state of the number in the earliest reservation that asked for it."""
    n = reserved_phone_numbers.c
    with store.reading() as conn:
        state: str | None = conn.scalar(
            select(n.state).where(n.phone_number == phone_number).order_by(n.created_at).limit(1)
        )
    return state
