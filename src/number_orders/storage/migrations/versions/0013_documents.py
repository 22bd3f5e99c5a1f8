"""documents: uploaded files with their content, and the review queue

Revision ID: 0013d
Revises: 0012n
"""

import sqlalchemy as sa
from alembic import op

revision = "0013d"
down_revision = "0012n"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("filename_folded", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("customer_reference", sa.Text(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("review_at", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "id"),
    )
    op.create_index("ix_documents_recent", "documents", ["account_id", "created_at", "id"])
    op.create_index(
        "ix_documents_review",
        "documents",
        ["review_at"],
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index("ix_documents_review", table_name="documents")
    op.drop_index("ix_documents_recent", table_name="documents")
    op.drop_table("documents")
