"""A reservation's numbers whose hold has ended, inside the caller's transaction.

Whoever ends a hold in `number_holdings` (the expiry worker, an order that takes over its
own reservation, anyone taking an expired reservation's number) records it here in the
same transaction, so a reservation never shows a number as held that it no longer holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, case, update

from number_orders.domain.number_reservations import ORDERED, RESERVED
from number_orders.storage.schema import number_reservations, reserved_phone_numbers


@dataclass(frozen=True, slots=True, order=True)
class Ended:
    """A reservation's hold on a number that has just ended."""

    account_id: str
    reservation_id: str
    phone_number: str


def end(conn: Connection, ended: Iterable[Ended], state: str, now: int) -> None:
    """Mark each number `state` (`expired` or `ordered`) in its reservation and move the
    reservation's `updated_at`. An ordered number's `expired_at` becomes now: its hold
    ended then; an expired one keeps the instant it expired at.

    Reservations go in key order, so two transactions ending holds of the same
    reservations wait for each other in one order only.
    """
    by_reservation: dict[tuple[str, str], list[str]] = defaultdict(list)
    for e in ended:
        by_reservation[e.account_id, e.reservation_id].append(e.phone_number)
    n, r = reserved_phone_numbers.c, number_reservations.c
    changes = {"state": state, "updated_at": now}
    if state == ORDERED:
        changes["expired_at"] = now
    for (account_id, reservation_id), numbers in sorted(by_reservation.items()):
        conn.execute(
            update(reserved_phone_numbers)
            .where(
                n.account_id == account_id,
                n.reservation_id == reservation_id,
                n.phone_number.in_(numbers),
                n.state == RESERVED,
            )
            .values(changes)
        )
        conn.execute(
            update(number_reservations)
            .where(r.account_id == account_id, r.id == reservation_id)
            .values(updated_at=later(r.updated_at, now))
        )


def later(column: ColumnElement[int], now: int) -> ColumnElement[int]:
    """`now`, or one microsecond after the column's value if that is not earlier: every
    change moves `updated_at` forward, even two in the same microsecond."""
    return case((column >= now, column + 1), else_=now)
