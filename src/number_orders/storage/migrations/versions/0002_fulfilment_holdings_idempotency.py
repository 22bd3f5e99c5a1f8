"""fulfilment queue, number holdings, idempotency keys

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("number_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fulfil_at", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_orders_fulfil_at",
        "number_orders",
        ["fulfil_at"],
        unique=False,
        sqlite_where=sa.text("fulfil_at IS NOT NULL"),
        postgresql_where=sa.text("fulfil_at IS NOT NULL"),
    )
    op.create_table(
        "number_holdings",
        sa.Column("phone_number", sa.String(length=16), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("phone_number"),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "idempotency_key"),
    )
    op.create_index(
        "ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_created_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_table("number_holdings")
    op.drop_index("ix_orders_fulfil_at", table_name="number_orders")
    with op.batch_alter_table("number_orders", schema=None) as batch_op:
        batch_op.drop_column("fulfil_at")
