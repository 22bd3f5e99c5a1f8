"""partial indexes on tally rows that count zero, for retention

Revision ID: 0009t
Revises: 0008k
"""

import sqlalchemy as sa
from alembic import op

revision = "0009t"
down_revision = "0008k"
branch_labels = None
depends_on = None

_TALLIES = ("order_counts", "order_reference_counts", "order_period_counts")


def upgrade() -> None:
    for table in _TALLIES:
        op.create_index(
            f"ix_{table}_empty",
            table,
            ["account_id"],
            sqlite_where=sa.text("n = 0"),
            postgresql_where=sa.text("n = 0"),
        )


def downgrade() -> None:
    for table in _TALLIES:
        op.drop_index(f"ix_{table}_empty", table_name=table)
