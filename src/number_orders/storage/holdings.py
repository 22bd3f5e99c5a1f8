"""Who holds each phone number, inside the caller's transaction.

One row per number (primary key `phone_number`); a number without a row is free. A
number is `reserved` by a number reservation until `expires_at`, `pending` in an order
until the order settles it, then `owned`. An expired reservation holds nothing: whoever
wants its number takes the row over (and records in the reservation that its hold ended)
even before the expiry worker deletes it.

Rows go in with `INSERT ... ON CONFLICT DO NOTHING RETURNING phone_number`, in phone-number
order, so when two accounts race for a number exactly one row goes in: on PostgreSQL the
second insert waits for the first transaction and then does nothing; on SQLite writers
are serialised anyway. RETURNING, not the row count, says which rows went in (psycopg can
report -1 for such an insert).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select, update

from number_orders.domain.number_reservations import EXPIRED, ORDERED
from number_orders.storage import reserved_numbers
from number_orders.storage.reserved_numbers import Ended
from number_orders.storage.schema import number_holdings

RESERVED, PENDING, OWNED = "reserved", "pending", "owned"

h = number_holdings.c
_HOLDER = (h.phone_number, h.account_id, h.order_id, h.reservation_id, h.state, h.expires_at)
_COLUMNS = (
    "phone_number", "account_id", "order_id", "reservation_id", "expires_at", "state", "updated_at"
)  # fmt: skip


def reserve(
    conn: Connection, account_id: str, order_id: str, phone_numbers: Iterable[str], now: int
) -> None:
    """Hold an order's numbers as `pending`: free ones, the account's own reservations
    (the order consumes them) and expired reservations. A number held otherwise stays
    with its holder, and the order's claim of it fails when the order settles (`take`)."""
    reserve_orders(conn, [OrderClaim(account_id, order_id, tuple(phone_numbers), now)])


@dataclass(frozen=True, slots=True)
class OrderClaim:
    """A new order's numbers, to hold for it as of `now`."""

    account_id: str
    order_id: str
    phone_numbers: tuple[str, ...]
    now: int


def reserve_orders(conn: Connection, claims: Sequence[OrderClaim]) -> None:
    """`reserve` for many new orders (of any accounts) at once: one insert of every free
    number, in phone-number order across the orders, so the lock order is the same as for
    one order. Only an order with a number already held (by anyone, an earlier order of
    the same batch included) looks further, number by number, as `reserve` always did:
    the first to hold a number keeps it, whether or not it is in this batch."""
    rows = sorted(
        (_row(p, c.account_id, PENDING, c.now, order_id=c.order_id) for c in claims
         for p in c.phone_numbers),
        key=lambda r: r["phone_number"],
    )  # fmt: skip
    taken = _insert_holders(conn, rows)
    for claim in claims:
        left = sorted(p for p in claim.phone_numbers if (p, claim.order_id) not in taken)
        if left:
            rows = [_row(p, claim.account_id, PENDING, claim.now, order_id=claim.order_id)
                    for p in left]  # fmt: skip
            _hold(conn, claim.account_id, rows, claim.now, consume_own=True)


def reserve_for_reservation(
    conn: Connection,
    account_id: str,
    reservation_id: str,
    phone_numbers: Iterable[str],
    expires_at: int,
    now: int,
) -> dict[str, bool]:
    """Hold free (or expired) numbers for a reservation until `expires_at`; the refused
    ones, each to whether the account itself is what holds it."""
    rows = [
        _row(p, account_id, RESERVED, now, reservation_id=reservation_id, expires_at=expires_at)
        for p in sorted(phone_numbers)
    ]
    return _hold(conn, account_id, rows, now, consume_own=False)


def take(conn: Connection, account_id: str, order_id: str, phone_number: str, now: int) -> bool:
    """Make the number this order's for good: True if it was held for the order, free, or
    held by an expired reservation; False if anyone else holds it.

    A number held elsewhere is only read, never locked, so settling an order that lost
    a number waits for nobody.
    """
    holder = conn.execute(select(*_HOLDER).where(h.phone_number == phone_number)).first()
    if holder is not None and _expired(holder, now):
        row = _row(phone_number, account_id, OWNED, now, order_id=order_id)
        ended = _take_over(conn, holder, row, due_by=now)
        reserved_numbers.end(conn, ended, EXPIRED, now)
        return bool(ended)
    if holder is not None and (holder.account_id, holder.order_id) != (account_id, order_id):
        return False
    if holder is not None:
        conn.execute(
            update(number_holdings)
            .where(h.phone_number == phone_number, h.order_id == order_id)
            .values(state=OWNED, updated_at=now)
        )
        return True
    # Orders loaded in bulk (seeding) reserve nothing up front; claim the number now.
    row = _row(phone_number, account_id, OWNED, now, order_id=order_id)
    return bool(_insert(conn, [row]))


def release(conn: Connection, account_id: str, order_id: str, phone_number: str) -> None:
    """Free a failed number, if this order held it."""
    conn.execute(
        delete(number_holdings).where(
            h.phone_number == phone_number,
            h.order_id == order_id,
            h.account_id == account_id,
            h.state == PENDING,
        )
    )


def holders_of(conn: Connection, phone_numbers: Iterable[str]) -> dict[str, Any]:
    """Who holds each of the numbers that is held, read without locking (as `take` reads),
    in chunks that keep within the engines' limits on parameters."""
    wanted = sorted(set(phone_numbers))
    found: dict[str, Any] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        for holder in conn.execute(select(*_HOLDER).where(h.phone_number.in_(chunk))):
            found[holder.phone_number] = holder
    return found


def holds(holder: Any, account_id: str, order_id: str, now: int) -> bool | None:
    """What `take` would answer from the holder alone: True when the order holds the
    number, False when anyone else does; None when the number is free or held by an
    expired reservation, for `take` itself to decide."""
    if holder is None or _expired(holder, now):
        return None
    return (holder.account_id, holder.order_id) == (account_id, order_id)


def own_all(conn: Connection, pairs: Sequence[tuple[str, str]], now: int) -> None:
    """`take` for (phone number, order id) pairs that `holds` said the order holds: one
    statement with a row of parameters each, in phone-number order (the lock order)."""
    if pairs:
        conn.execute(_OWN, [{"b_number": p, "b_order": o, "b_now": now} for p, o in sorted(pairs)])


def release_all(conn: Connection, triples: Sequence[tuple[str, str, str]]) -> None:
    """`release` of (phone number, account id, order id) triples, in phone-number order."""
    if triples:
        conn.execute(
            _RELEASE,
            [{"b_number": p, "b_account": a, "b_order": o} for p, a, o in sorted(triples)],
        )


_CHUNK = 5_000
_OWN = (
    update(number_holdings)
    .where(h.phone_number == bindparam("b_number"), h.order_id == bindparam("b_order"))
    .values(state=OWNED, updated_at=bindparam("b_now"))
)
_RELEASE = delete(number_holdings).where(
    h.phone_number == bindparam("b_number"),
    h.order_id == bindparam("b_order"),
    h.account_id == bindparam("b_account"),
    h.state == PENDING,
)


# -- reservations that end -----------------------------------------------------------


def release_owned(conn: Connection, account_id: str, phone_number: str) -> None:
    """Free a number the account owns (a released phone number): free for everyone."""
    conn.execute(
        delete(number_holdings).where(
            h.phone_number == phone_number, h.account_id == account_id, h.state == OWNED
        )
    )


def expire_due(conn: Connection, now: int, limit: int) -> list[Ended]:
    """Delete up to `limit` reservation holds due by `now` that no other worker holds,
    and say which ended. SKIP LOCKED lets expiry workers share the queue on PostgreSQL;
    SQLite admits one writer at a time anyway."""
    due = conn.execute(
        select(h.phone_number, h.account_id, h.reservation_id)
        .where(h.expires_at.is_not(None), h.expires_at <= now)
        .order_by(h.expires_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not due:
        return []
    conn.execute(
        delete(number_holdings).where(
            h.phone_number.in_([d.phone_number for d in due]), h.state == RESERVED
        )
    )
    return [Ended(d.account_id, d.reservation_id, d.phone_number) for d in due]


def next_expiry_at(conn: Connection) -> int | None:
    value: int | None = conn.execute(
        select(func.min(h.expires_at)).where(h.expires_at.is_not(None))
    ).scalar_one()
    return value


def extend(
    conn: Connection,
    account_id: str,
    reservation_id: str,
    phone_numbers: Sequence[str],
    expires_at: int,
    now: int,
) -> list[str]:
    """Move the expiry of the reservation's numbers that it still holds (not expired by
    the clock) to `expires_at`; the numbers extended."""
    if not phone_numbers:
        return []
    extended = conn.execute(
        update(number_holdings)
        .where(
            h.phone_number.in_(sorted(phone_numbers)),
            h.account_id == account_id,
            h.reservation_id == reservation_id,
            h.state == RESERVED,
            h.expires_at > now,
        )
        .values(expires_at=expires_at, updated_at=now)
        .returning(h.phone_number)
    )
    return sorted(extended.scalars())


# -- holding numbers -------------------------------------------------------------------


def _hold(
    conn: Connection, account_id: str, rows: list[dict[str, Any]], now: int, consume_own: bool
) -> dict[str, bool]:
    """Insert `rows` (sorted by number) where free; take over expired reservations, and
    with `consume_own` the account's own live ones. The numbers refused, each to whether
    the account holds it. A holder that vanishes between the insert and the look at it
    (a reservation that expired, an order that failed) leaves the number free: try once
    more."""
    wanted = {r["phone_number"]: r for r in rows}
    refused: dict[str, bool] = {}
    for _attempt in range(2):
        taken = _insert(conn, list(wanted.values()))
        ended: dict[str, list[Ended]] = {EXPIRED: [], ORDERED: []}
        for holder in _lock_holders(conn, [p for p in wanted if p not in taken]):
            row = wanted.pop(holder.phone_number)
            how = _ending(holder, account_id, now, consume_own)
            due_by = now if how == EXPIRED else None
            moved = _take_over(conn, holder, row, due_by) if how is not None else []
            if how is not None and moved:
                ended[how] += moved
            else:
                refused[holder.phone_number] = holder.account_id == account_id
        # Reservations' rows after every holding: the lock order is holdings first.
        for state, items in ended.items():
            reserved_numbers.end(conn, items, state, now)
        wanted = {p: r for p, r in wanted.items() if p not in taken}
        if not wanted:
            return refused
    return refused | dict.fromkeys(wanted, False)


def _ending(holder: Any, account_id: str, now: int, consume_own: bool) -> str | None:
    """How a reservation's hold ends if the number is taken over: `expired` by the clock,
    `ordered` by its own account (with `consume_own`), or None: it is not to be taken."""
    if holder.state != RESERVED:
        return None
    if holder.expires_at <= now:
        return EXPIRED
    return ORDERED if consume_own and holder.account_id == account_id else None


def _insert(conn: Connection, rows: list[dict[str, Any]]) -> set[str]:
    return {phone_number for phone_number, _order in _insert_holders(conn, rows)}


def _insert_holders(conn: Connection, rows: list[dict[str, Any]]) -> set[tuple[str, str | None]]:
    """Insert the rows whose number is free; (number, order) of those that went in. Plain
    SQL: SQLAlchemy compiles a many-row insert anew on every call (about 1 ms), and this
    runs on every create. A number twice in `rows` goes in once, for its first row."""
    if not rows:
        return set()
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    one = "(" + ", ".join([mark] * len(_COLUMNS)) + ")"
    found = conn.exec_driver_sql(
        f"INSERT INTO number_holdings ({', '.join(_COLUMNS)}) VALUES "
        f"{', '.join([one] * len(rows))} "
        "ON CONFLICT (phone_number) DO NOTHING RETURNING phone_number, order_id",
        tuple(row[name] for row in rows for name in _COLUMNS),
    )
    return {(phone_number, order_id) for phone_number, order_id in found}


def _lock_holders(conn: Connection, phone_numbers: list[str]) -> Sequence[Any]:
    if not phone_numbers:
        return []
    return conn.execute(
        select(*_HOLDER)
        .where(h.phone_number.in_(phone_numbers))
        .order_by(h.phone_number)
        .with_for_update()
    ).all()


def _take_over(
    conn: Connection, holder: Any, row: dict[str, Any], due_by: int | None
) -> list[Ended]:
    """Give a reservation's number to `row`'s holder, if the reservation still holds it
    (and, with `due_by`, is still due by then: an extension in between keeps it)."""
    statement = update(number_holdings).where(
        h.phone_number == holder.phone_number,
        h.reservation_id == holder.reservation_id,
        h.state == RESERVED,
    )
    if due_by is not None:
        statement = statement.where(h.expires_at <= due_by)
    changes = {k: v for k, v in row.items() if k != "phone_number"}
    moved = conn.execute(statement.values(changes).returning(h.phone_number)).first()
    if moved is None:
        return []
    return [Ended(holder.account_id, holder.reservation_id, holder.phone_number)]


def _expired(holder: Any, now: int) -> bool:
    return bool(holder.state == RESERVED and holder.expires_at <= now)


def _row(
    phone_number: str,
    account_id: str,
    state: str,
    now: int,
    order_id: str | None = None,
    reservation_id: str | None = None,
    expires_at: int | None = None,
) -> dict[str, Any]:
    return {
        "phone_number": phone_number,
        "account_id": account_id,
        "order_id": order_id,
        "reservation_id": reservation_id,
        "expires_at": expires_at,
        "state": state,
        "updated_at": now,
    }
