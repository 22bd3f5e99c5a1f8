"""count tallies per customer reference and per period; covering recent index

Revision ID: 0003p
Revises: 0005w
"""

import sqlalchemy as sa
from alembic import op

revision = "0003p"
down_revision = "0005w"
branch_labels = None
depends_on = None

_DAY = 86_400_000_000
_TALLY = ("status", "requirements_met", "phone_numbers_count")


def upgrade() -> None:
    op.create_table(
        "order_reference_counts",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("customer_reference", sa.Text(), nullable=False),
        *_tally_columns(),
        sa.PrimaryKeyConstraint("account_id", "customer_reference", *_TALLY),
    )
    op.create_table(
        "order_period_counts",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("period_days", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.BigInteger(), nullable=False),
        *_tally_columns(),
        sa.PrimaryKeyConstraint("account_id", "period_days", "period_start", *_TALLY),
    )
    op.drop_index("ix_orders_recent", table_name="number_orders")
    op.create_index(
        "ix_orders_recent",
        "number_orders",
        ["account_id", "created_at", "id", *_TALLY],
        unique=False,
    )
    _backfill()


def _tally_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requirements_met", sa.Boolean(), nullable=False),
        sa.Column("phone_numbers_count", sa.Integer(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
    ]


def _backfill() -> None:
    tally = ", ".join(_TALLY)
    op.execute(
        f"INSERT INTO order_reference_counts (account_id, customer_reference, {tally}, n) "
        f"SELECT account_id, customer_reference, {tally}, count(*) FROM number_orders "
        f"WHERE customer_reference IS NOT NULL GROUP BY account_id, customer_reference, {tally}"
    )
    for days in (1, 32):
        width = days * _DAY
        start = f"created_at - ((created_at % {width}) + {width}) % {width}"
        op.execute(
            f"INSERT INTO order_period_counts (account_id, period_days, period_start, {tally}, n) "
            f"SELECT account_id, {days}, {start}, {tally}, count(*) FROM number_orders "
            f"GROUP BY account_id, {start}, {tally}"
        )


def downgrade() -> None:
    op.drop_index("ix_orders_recent", table_name="number_orders")
    op.create_index("ix_orders_recent", "number_orders", ["account_id", "created_at", "id"])
    op.drop_table("order_period_counts")
    op.drop_table("order_reference_counts")
