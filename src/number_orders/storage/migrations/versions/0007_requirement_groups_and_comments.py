"""requirement groups and comments

Revision ID: 0010g
Revises: 0004h
"""

import sqlalchemy as sa
from alembic import op

revision = "0010g"
down_revision = "0007r"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "requirement_groups",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("phone_number_type", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("customer_reference", sa.Text(), nullable=True),
        sa.Column("regulatory_requirements", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("submitted_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("account_id", "id"),
    )
    op.create_index(
        "ix_requirement_groups_recent",
        "requirement_groups",
        ["account_id", "created_at", "id"],
    )
    op.create_index(
        "ix_requirement_groups_review", "requirement_groups", ["status", "submitted_at"]
    )
    op.create_table(
        "comments",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("record_type", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("commenter", sa.String(length=255), nullable=False),
        sa.Column("commenter_type", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("read_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("account_id", "id"),
    )
    op.create_index(
        "ix_comments_record", "comments", ["account_id", "record_id", "created_at", "id"]
    )
    op.create_index("ix_comments_recent", "comments", ["account_id", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_comments_recent", table_name="comments")
    op.drop_index("ix_comments_record", table_name="comments")
    op.drop_table("comments")
    op.drop_index("ix_requirement_groups_review", table_name="requirement_groups")
    op.drop_index("ix_requirement_groups_recent", table_name="requirement_groups")
    op.drop_table("requirement_groups")
