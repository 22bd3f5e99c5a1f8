"""An order's parts in the SQL store: `order_parts` finds a part's order by the part's
id (one primary-key read); the lists read the account's newest orders along
`ix_orders_recent`; the deadline queue is `ix_orders_deadline_at`."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, literal, select

from number_orders.domain.orders import NumberOrderDetail
from number_orders.storage import lifecycle, queries
from number_orders.storage.interface import Change, CountKey, FulfilledOrder, OrderPart
from number_orders.storage.part import StorePart
from number_orders.storage.schema import number_orders, order_parts


class SqlOrderParts(StorePart):
    def find_order_part(self, account_id: str, part_id: str) -> OrderPart | None:
        p = order_parts.c
        with self.reading() as conn:
            row = conn.execute(
                select(p.order_id, p.kind).where(p.account_id == account_id, p.id == part_id)
            ).first()
        return OrderPart(row.order_id, row.kind) if row else None

    def recent_number_orders(
        self, account_id: str, limit: int, pending_only: bool = False
    ) -> list[NumberOrderDetail]:
        c = number_orders.c
        statement = select(*lifecycle.DETAIL_COLUMNS).where(c.account_id == account_id)
        if pending_only:
            statement = statement.where(lifecycle.PENDING_ORDER)
        statement = statement.order_by(c.created_at.desc(), c.id.desc()).limit(limit)
        with self.reading() as conn:
            rows = conn.execute(statement).all()
        return [lifecycle.stored_from_row(row).detail for row in rows]

    def fail_overdue_orders(self, now: int, limit: int, expire: Change) -> list[FulfilledOrder]:
        c = number_orders.c
        due = select(literal(1)).where(lifecycle.PENDING_ORDER, c.deadline_at <= now).limit(1)
        with self.reading() as conn:
            if conn.execute(due).first() is None:
                return []

        def attempt() -> list[FulfilledOrder]:
            with self.writing() as conn:
                done: list[FulfilledOrder] = []
                moves: dict[str, Counter[CountKey]] = {}
                for row in conn.execute(lifecycle.overdue(now, limit)).all():
                    stored = lifecycle.stored_from_row(row)
                    changed = expire(stored)
                    if changed is None:
                        continue
                    move = lifecycle.commit_change(conn, row.account_id, stored, changed)
                    moves.setdefault(row.account_id, Counter()).update(move)
                    settled = changed.detail.order.status != stored.detail.order.status
                    done.append(FulfilledOrder(row.account_id, changed.detail, settled))
                # Counts last and in one sorted statement per account.
                for account_id, counted in sorted(moves.items()):
                    queries.add_counts(conn, account_id, counted)
                return done

        return lifecycle.retrying(attempt)

    def next_deadline_at(self) -> int | None:
        c = number_orders.c
        # Along the deadline queue's partial index of pending orders.
        earliest = select(func.min(c.deadline_at)).where(lifecycle.PENDING_ORDER)
        with self.reading() as conn:
            value = conn.execute(earliest).scalar()
        return None if value is None else int(value)
