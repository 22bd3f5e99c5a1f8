"""fulfilment failures recorded on the order

Revision ID: 0011f
Revises: 0010d
"""

import sqlalchemy as sa
from alembic import op

revision = "0011f"
down_revision = "0010d"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable without a default: instant on both engines, whatever the table's size.
    op.add_column("number_orders", sa.Column("fulfil_failures", sa.Integer(), nullable=True))
    op.add_column("number_orders", sa.Column("fulfil_error", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("number_orders") as batch:
        batch.drop_column("fulfil_error")
        batch.drop_column("fulfil_failures")
