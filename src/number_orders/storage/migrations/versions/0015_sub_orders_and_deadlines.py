"""order parts by id, and requirement deadlines

Revision ID: 0015o
Revises: 0014s
"""

import json
import time
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0015o"
down_revision = "0014s"
branch_labels = None
depends_on = None

_DAY = 86_400 * 1_000_000
_DEADLINE = 30 * _DAY  # the default requirement deadline
_BATCH = 1_000


def upgrade() -> None:
    op.add_column("number_orders", sa.Column("deadline_at", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_orders_deadline_at",
        "number_orders",
        ["deadline_at"],
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "order_parts",
        sa.Column("account_id", sa.String(36), nullable=False),
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("order_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "id"),
    )
    _backfill()


def _backfill() -> None:
    """Orders made before this revision: their parts by id, and deadlines counted from
    now for pending ones (as a seed's are), from creation for settled ones."""
    conn = op.get_bind()
    now = time.time_ns() // 1000
    op.execute(
        f"UPDATE number_orders SET deadline_at = CASE WHEN status = 'pending' "
        f"THEN {now + _DEADLINE} ELSE created_at + {_DEADLINE} END"
    )
    insert = sa.text(
        "INSERT INTO order_parts (account_id, id, order_id, kind) "
        "VALUES (:account_id, :id, :order_id, :kind)"
    )
    rows = conn.execute(
        sa.text("SELECT account_id, id, phone_numbers, sub_number_orders_ids FROM number_orders")
    )
    parts = []
    for row in rows:
        parts += _parts(row)
        if len(parts) >= _BATCH:
            conn.execute(insert, parts)
            parts = []
    if parts:
        conn.execute(insert, parts)


def _parts(row: Any) -> list[dict[str, str]]:
    base = {"account_id": row.account_id, "order_id": row.id}
    subs = [
        {**base, "id": i, "kind": "sub_number_order"} for i in json.loads(row.sub_number_orders_ids)
    ]
    numbers = [
        {**base, "id": n["id"], "kind": "phone_number"} for n in json.loads(row.phone_numbers)
    ]
    return subs + numbers


def downgrade() -> None:
    op.drop_table("order_parts")
    op.drop_index("ix_orders_deadline_at", table_name="number_orders")
    with op.batch_alter_table("number_orders") as batch:
        batch.drop_column("deadline_at")
