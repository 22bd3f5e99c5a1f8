"""Number reservations in the SQL store: each method one transaction. Holding numbers is
`holdings.py`'s; ending holds is `reserved_numbers.py`'s; the list is here.

Lock order, as for orders: holdings in phone-number order, then reservations' numbers
and rows, then tallies last.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Select, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from number_orders.domain.number_reservations import (
    EXPIRED,
    RESERVED,
    NumberReservation,
    ReservedNumber,
    decide,
    waiting,
)
from number_orders.domain.reservation_queries import ReservationQuery
from number_orders.storage import holdings, reserved_numbers
from number_orders.storage.interface import Extension
from number_orders.storage.lifecycle import retrying
from number_orders.storage.part import StorePart
from number_orders.storage.schema import (
    number_reservations,
    reservation_counts,
    reserved_phone_numbers,
)

r, n = number_reservations.c, reserved_phone_numbers.c


class SqlNumberReservations(StorePart):
    def create_number_reservation(
        self, account_id: str, reservation: NumberReservation, expires_at: int
    ) -> NumberReservation:
        def attempt() -> NumberReservation:
            with self.writing() as conn:
                refused = holdings.reserve_for_reservation(
                    conn,
                    account_id,
                    reservation.id,
                    waiting(reservation),
                    expires_at,
                    reservation.created_at,
                )
                decided = decide(reservation, refused, expires_at)
                _insert(conn, account_id, decided)
                _count(conn, account_id, decided.status)
                return decided

        return retrying(attempt)

    def list_number_reservations(
        self, account_id: str, query: ReservationQuery
    ) -> tuple[list[NumberReservation], int]:
        matching = _matching(account_id, query)
        with self.reading() as conn:
            total = _total(conn, account_id, query, matching)
            page = conn.execute(
                matching.order_by(r.created_at.desc(), r.id.desc())
                .limit(query.page.size)
                .offset(query.page.offset)
            ).all()
            return _with_numbers(conn, account_id, page), total

    def retrieve_number_reservation(
        self, account_id: str, reservation_id: str
    ) -> NumberReservation | None:
        with self.reading() as conn:
            return _read(conn, account_id, reservation_id)

    def extend_number_reservation(
        self, account_id: str, reservation_id: str, expires_at: int, now: int
    ) -> Extension | None:
        def attempt() -> Extension | None:
            with self.writing() as conn:
                before = _read(conn, account_id, reservation_id)
                if before is None:
                    return None
                held = [x.phone_number for x in before.numbers if x.state == RESERVED]
                extended = holdings.extend(conn, account_id, reservation_id, held, expires_at, now)
                if extended:
                    _extend_numbers(conn, account_id, reservation_id, extended, expires_at, now)
                after = _read(conn, account_id, reservation_id)
                assert after is not None
                return Extension(after, extended)

        return retrying(attempt)

    def expire_due_reservations(self, now: int, limit: int) -> int:
        def attempt() -> int:
            with self.writing() as conn:
                ended = holdings.expire_due(conn, now, limit)
                reserved_numbers.end(conn, ended, EXPIRED, now)
                return len(ended)

        return retrying(attempt)

    def next_reservation_expiry_at(self) -> int | None:
        with self.reading() as conn:
            return holdings.next_expiry_at(conn)


# -- writing ---------------------------------------------------------------------------


def _insert(conn: Connection, account_id: str, reservation: NumberReservation) -> None:
    conn.execute(
        insert(number_reservations).values(
            account_id=account_id,
            id=reservation.id,
            status=reservation.status,
            customer_reference=reservation.customer_reference,
            created_at=reservation.created_at,
            updated_at=reservation.updated_at,
        )
    )
    conn.execute(
        insert(reserved_phone_numbers),
        [
            {
                "account_id": account_id,
                "reservation_id": reservation.id,
                "position": position,
                "id": number.id,
                "phone_number": number.phone_number,
                "state": number.state,
                "expired_at": number.expired_at,
                "errors": number.errors,
                "created_at": number.created_at,
                "updated_at": number.updated_at,
            }
            for position, number in enumerate(reservation.numbers)
        ],
    )


def _count(conn: Connection, account_id: str, status: str) -> None:
    """Add the reservation to its account's tally, in the transaction that makes it."""
    dialect_insert = sqlite_insert if conn.dialect.name == "sqlite" else pg_insert
    statement = dialect_insert(reservation_counts).values(account_id=account_id, status=status, n=1)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["account_id", "status"],
            set_={"n": reservation_counts.c.n + statement.excluded.n},
        )
    )


def _extend_numbers(
    conn: Connection,
    account_id: str,
    reservation_id: str,
    extended: list[str],
    expires_at: int,
    now: int,
) -> None:
    conn.execute(
        update(reserved_phone_numbers)
        .where(
            n.account_id == account_id,
            n.reservation_id == reservation_id,
            n.phone_number.in_(extended),
            n.state == RESERVED,
        )
        .values(expired_at=expires_at, updated_at=reserved_numbers.later(n.updated_at, now))
    )
    conn.execute(
        update(number_reservations)
        .where(r.account_id == account_id, r.id == reservation_id)
        .values(updated_at=reserved_numbers.later(r.updated_at, now))
    )


# -- reading ---------------------------------------------------------------------------

_RESERVATION = (r.id, r.status, r.customer_reference, r.created_at, r.updated_at)
_NUMBER = (
    n.reservation_id,
    n.id,
    n.phone_number,
    n.state,
    n.expired_at,
    n.errors,
    n.created_at,
    n.updated_at,
)


def _read(conn: Connection, account_id: str, reservation_id: str) -> NumberReservation | None:
    row = conn.execute(
        select(*_RESERVATION).where(r.account_id == account_id, r.id == reservation_id)
    ).first()
    if row is None:
        return None
    (found,) = _with_numbers(conn, account_id, [row])
    return found


def _matching(account_id: str, query: ReservationQuery) -> Select[Any]:
    """The account's reservations that pass every filter, each along an index led by
    `account_id`."""
    statement = select(*_RESERVATION).where(r.account_id == account_id)
    if query.status is not None:
        statement = statement.where(r.status == query.status)
    if query.customer_reference is not None:
        statement = statement.where(r.customer_reference == query.customer_reference)
    if query.created_after is not None:
        statement = statement.where(r.created_at > query.created_after)
    if query.created_before is not None:
        statement = statement.where(r.created_at < query.created_before)
    if query.phone_numbers:
        having = select(n.reservation_id).where(
            n.account_id == account_id, n.phone_number.in_(query.phone_numbers)
        )
        statement = statement.where(r.id.in_(having))
    return statement


def _total(
    conn: Connection, account_id: str, query: ReservationQuery, matching: Select[Any]
) -> int:
    """From the tallies when only `status` filters; otherwise a count of the matching
    rows, bounded by what the reference, number or date range selects."""
    if not query.counted_by_tally:
        return int(conn.execute(select(func.count()).select_from(matching.subquery())).scalar_one())
    c = reservation_counts.c
    tallied = select(func.coalesce(func.sum(c.n), 0)).where(c.account_id == account_id)
    if query.status is not None:
        tallied = tallied.where(c.status == query.status)
    return int(conn.execute(tallied).scalar_one())


def _with_numbers(
    conn: Connection, account_id: str, rows: Sequence[Any]
) -> list[NumberReservation]:
    if not rows:
        return []
    numbers: dict[str, list[ReservedNumber]] = defaultdict(list)
    for x in conn.execute(
        select(*_NUMBER)
        .where(n.account_id == account_id, n.reservation_id.in_([row.id for row in rows]))
        .order_by(n.reservation_id, n.position)
    ):
        numbers[x.reservation_id].append(
            ReservedNumber(
                x.id, x.phone_number, x.state, x.created_at, x.updated_at, x.expired_at, x.errors
            )
        )
    return [
        NumberReservation(
            row.id,
            row.status,
            row.created_at,
            row.updated_at,
            tuple(numbers[row.id]),
            row.customer_reference,
        )
        for row in rows
    ]
