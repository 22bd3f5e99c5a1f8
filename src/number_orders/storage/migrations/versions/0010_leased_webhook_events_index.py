"""partial index of leased webhook events, for the per-account delivery limit

Revision ID: 0010d
Revises: 0009t
"""

import sqlalchemy as sa
from alembic import op

revision = "0010d"
down_revision = "0009t"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_webhook_events_leased",
        "webhook_events",
        ["locked_until", "account_id"],
        sqlite_where=sa.text("locked_until IS NOT NULL"),
        postgresql_where=sa.text("locked_until IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_webhook_events_leased", table_name="webhook_events")
