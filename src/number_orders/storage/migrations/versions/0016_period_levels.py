"""period tallies at every level of detail

Revision ID: 0016p
Revises: 0015o

`order_period_counts` gains `filters` (which of status, `requirements_met` and
`phone_numbers_count` a row keeps; the others hold a neutral value), and the key puts
`period_start` last, so a list reads one row per period whatever its filters. The rows of
each level are summed from the existing full-detail rows.
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0016p"
down_revision = "0015o"
branch_labels = None
depends_on = None

_TABLE = "order_period_counts"
_NEW = "order_period_counts_next"
_OLD = "order_period_counts_previous"
_EMPTY = "ix_order_period_counts_empty"
# (bit of `filters`, column, the value a row that rolls the column up holds)
_GROUPED = (
    (1, "status", "''"),
    (2, "requirements_met", "false"),
    (4, "phone_numbers_count", "0"),
)


def _columns(with_filters: bool) -> list[sa.Column[Any]]:
    filters = [sa.Column("filters", sa.Integer(), nullable=False)] if with_filters else []
    return [
        sa.Column("account_id", sa.String(36), nullable=False),
        sa.Column("period_days", sa.Integer(), nullable=False),
        *filters,
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requirements_met", sa.Boolean(), nullable=False),
        sa.Column("phone_numbers_count", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.BigInteger(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        _NEW,
        *_columns(with_filters=True),
        sa.PrimaryKeyConstraint(
            "account_id",
            "period_days",
            "filters",
            "status",
            "requirements_met",
            "phone_numbers_count",
            "period_start",
        ),
    )
    for level in range(8):
        kept = [column for bit, column, _ in _GROUPED if level & bit]
        values = [column if level & bit else neutral for bit, column, neutral in _GROUPED]
        group = ", ".join(["account_id", "period_days", *kept, "period_start"])
        op.execute(
            f"INSERT INTO {_NEW} (account_id, period_days, filters, status, requirements_met, "
            f"phone_numbers_count, period_start, n) SELECT account_id, period_days, {level}, "
            f"{', '.join(values)}, period_start, sum(n) FROM {_TABLE} "
            f"GROUP BY {group} HAVING sum(n) <> 0"
        )
    _replace(_NEW)


def downgrade() -> None:
    op.create_table(
        _OLD,
        *_columns(with_filters=False),
        sa.PrimaryKeyConstraint(
            "account_id",
            "period_days",
            "period_start",
            "status",
            "requirements_met",
            "phone_numbers_count",
        ),
    )
    op.execute(
        f"INSERT INTO {_OLD} (account_id, period_days, period_start, status, requirements_met, "
        f"phone_numbers_count, n) SELECT account_id, period_days, period_start, status, "
        f"requirements_met, phone_numbers_count, n FROM {_TABLE} WHERE filters = 7"
    )
    _replace(_OLD)


def _replace(table: str) -> None:
    """`table` takes the place of `order_period_counts`, with its index of empty rows."""
    op.drop_index(_EMPTY, table_name=_TABLE)
    op.drop_table(_TABLE)
    op.rename_table(table, _TABLE)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {_TABLE} RENAME CONSTRAINT {table}_pkey TO {_TABLE}_pkey")
    op.create_index(
        _EMPTY,
        _TABLE,
        ["account_id"],
        sqlite_where=sa.text("n = 0"),
        postgresql_where=sa.text("n = 0"),
    )
