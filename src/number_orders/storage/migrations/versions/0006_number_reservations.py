"""number reservations; holdings: `pending` for orders, `reserved` with an expiry

Revision ID: 0007r
Revises: 0004h
"""

import sqlalchemy as sa
from alembic import op

revision = "0007r"
down_revision = "0004h"
branch_labels = None
depends_on = None

_ID = sa.String(length=36)


def upgrade() -> None:
    # What orders held was called `reserved`; that word now means a number reservation.
    op.execute("UPDATE number_holdings SET state = 'pending' WHERE state = 'reserved'")
    with op.batch_alter_table("number_holdings", schema=None) as batch_op:
        batch_op.alter_column("order_id", existing_type=_ID, nullable=True)
        batch_op.add_column(sa.Column("reservation_id", _ID, nullable=True))
        batch_op.add_column(sa.Column("expires_at", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_holdings_expires_at",
        "number_holdings",
        ["expires_at"],
        unique=False,
        sqlite_where=sa.text("expires_at IS NOT NULL"),
        postgresql_where=sa.text("expires_at IS NOT NULL"),
    )
    _create_reservation_tables()


def _create_reservation_tables() -> None:
    op.create_table(
        "number_reservations",
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("id", _ID, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("customer_reference", sa.Text(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "id"),
    )
    op.create_index(
        "ix_reservations_recent", "number_reservations", ["account_id", "created_at", "id"]
    )
    for column in ("status", "customer_reference"):
        op.create_index(
            f"ix_reservations_{column}",
            "number_reservations",
            ["account_id", column, "created_at", "id"],
        )
    op.create_table(
        "reserved_phone_numbers",
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("reservation_id", _ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", _ID, nullable=False),
        sa.Column("phone_number", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("expired_at", sa.BigInteger(), nullable=True),
        sa.Column("errors", sa.Text(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "reservation_id", "position"),
    )
    op.create_index(
        "ix_reserved_phone_numbers_number",
        "reserved_phone_numbers",
        ["account_id", "phone_number", "reservation_id"],
    )
    op.create_table(
        "reservation_counts",
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "status"),
    )


def downgrade() -> None:
    op.drop_table("reservation_counts")
    op.drop_index("ix_reserved_phone_numbers_number", table_name="reserved_phone_numbers")
    op.drop_table("reserved_phone_numbers")
    for name in ("ix_reservations_customer_reference", "ix_reservations_status"):
        op.drop_index(name, table_name="number_reservations")
    op.drop_index("ix_reservations_recent", table_name="number_reservations")
    op.drop_table("number_reservations")
    op.drop_index("ix_holdings_expires_at", table_name="number_holdings")
    # Without reservations a reserved number is simply free again.
    op.execute("DELETE FROM number_holdings WHERE state = 'reserved'")
    with op.batch_alter_table("number_holdings", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
        batch_op.drop_column("reservation_id")
        batch_op.alter_column("order_id", existing_type=_ID, nullable=False)
    op.execute("UPDATE number_holdings SET state = 'reserved' WHERE state = 'pending'")
