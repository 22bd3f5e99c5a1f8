"""rate limit counters

Revision ID: 0004h
Revises: 0003p
"""

import sqlalchemy as sa
from alembic import op

revision = "0004h"
down_revision = "0003p"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_counters",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("used", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "key_id", "window_start"),
    )


def downgrade() -> None:
    op.drop_table("rate_limit_counters")
