"""Which numbers a search may offer, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, or_, select

from number_orders.domain.timestamps import now_micros
from number_orders.storage.holdings import RESERVED
from number_orders.storage.schema import number_holdings


def held_numbers(
    conn: Connection,
    account_id: str,
    numbers: Sequence[str],
    include_own_reservations: bool,
    now: int | None = None,
) -> set[str]:
    """Which of `numbers` are not free for the account: every number anyone holds,
    except the account's own reservations (it may still order those) unless
    `include_own_reservations`, and except reservations expired by `now` (the clock
    unless given), which hold nothing even before the worker deletes them.

    One statement, a primary-key lookup per number, whatever the size of the table.
    A holding belongs to one account but decides for all of them (a number has one
    owner), so the lookup is deliberately not limited to the caller's rows.
    """
    if not numbers:
        return set()
    h = number_holdings.c
    at = now_micros() if now is None else now
    query = select(h.phone_number).where(
        h.phone_number.in_(numbers), or_(h.state != RESERVED, h.expires_at > at)
    )
    if not include_own_reservations:
        query = query.where(or_(h.account_id != account_id, h.state != RESERVED))
    return set(conn.scalars(query))
