"""retired webhook signing keys keep only their public half

Revision ID: 0008k
Revises: 0010g
"""

import sqlalchemy as sa
from alembic import op

revision = "0008k"
down_revision = "0010g"
branch_labels = None
depends_on = None

_ACTIVE = "ux_webhook_signing_keys_active"


def _set_private_key_nullable(nullable: bool) -> None:
    # SQLite rebuilds the table to change a column; the partial index is made again after.
    op.drop_index(_ACTIVE, table_name="webhook_signing_keys")
    with op.batch_alter_table("webhook_signing_keys") as batch:
        batch.alter_column("private_key", existing_type=sa.String(length=64), nullable=nullable)
    op.create_index(
        _ACTIVE,
        "webhook_signing_keys",
        ["account_id"],
        unique=True,
        sqlite_where=sa.text("retired_at IS NULL"),
        postgresql_where=sa.text("retired_at IS NULL"),
    )


def upgrade() -> None:
    _set_private_key_nullable(True)
    # A retired key only verifies earlier deliveries, which needs its public half alone.
    op.execute("UPDATE webhook_signing_keys SET private_key = NULL WHERE retired_at IS NOT NULL")


def downgrade() -> None:
    # The private halves are gone for good; retired keys get an empty one.
    op.execute("UPDATE webhook_signing_keys SET private_key = '' WHERE private_key IS NULL")
    _set_private_key_nullable(False)
