"""Which numbers a search may offer: `number_holdings` read inside the search's transaction.

A number with no holding is free. A holding takes its number away from every account,
except a reservation, which leaves the number to its own account (unless it asks to
hide its reservations) and holds nothing once its time is up, even before the worker
deletes it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from sqlalchemy import ColumnElement, Connection, and_, not_, or_, select

from number_orders.domain.available_numbers import HeldNumbers
from number_orders.storage.holdings import RESERVED
from number_orders.storage.interface.available_numbers import Found
from number_orders.storage.part import StorePart
from number_orders.storage.schema import number_holdings

# The states of holdings that a number reservation makes, which its account may still
# order. Orders' holdings (`holdings.PENDING` until the order settles, then
# `holdings.OWNED`) are not among them: an ordered number is gone for everyone.
RESERVATION_STATES: tuple[str, ...] = (RESERVED,)


class SqlAvailableNumbers(StorePart):
    def search_available_numbers(
        self, account_id: str, now: int, search: Callable[[HeldNumbers], Found]
    ) -> Found:
        # One snapshot for the whole search (REPEATABLE READ on PostgreSQL), so every
        # batch of candidates is judged against the same holdings.
        with self.reading() as conn:
            return search(partial(held_numbers, conn, account_id, now=now))


def held_numbers(
    conn: Connection,
    account_id: str,
    numbers: Sequence[str],
    include_own_reservations: bool,
    now: int,
) -> set[str]:
    """Which of `numbers` are not free for the account at `now`: every number with a
    holding, except lapsed reservations, and the account's own reservations unless
    `include_own_reservations`.

    One statement, a primary-key lookup per number, whatever the size of the table.
    A holding belongs to one account but decides for all of them (a number has one
    owner), so the lookup is deliberately not limited to the caller's rows.
    """
    if not numbers:
        return set()
    h = number_holdings.c
    leaves_free = [lapsed_reservation(now)]
    if not include_own_reservations:
        leaves_free.append(own_reservation(account_id))
    query = select(h.phone_number).where(h.phone_number.in_(numbers), not_(or_(*leaves_free)))
    return set(conn.scalars(query))


def own_reservation(account_id: str) -> ColumnElement[bool]:
    """A holding that is the account's own reservation."""
    h = number_holdings.c
    return and_(h.account_id == account_id, h.state.in_(RESERVATION_STATES))


def lapsed_reservation(now: int) -> ColumnElement[bool]:
    """A reservation whose time is up at `now`: it holds nothing for anyone, even before
    the expiry worker deletes it."""
    h = number_holdings.c
    return and_(h.state == RESERVED, h.expires_at <= now)
