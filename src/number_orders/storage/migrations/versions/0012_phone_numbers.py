"""owned phone numbers, their tags and tallies; a record for every number already owned

Revision ID: 0012n
Revises: 0011f
"""

import json

import sqlalchemy as sa
from alembic import op

from number_orders.domain.phone_numbers import phone_number_id

revision = "0012n"
down_revision = "0011f"
branch_labels = None
depends_on = None

_ID = sa.String(length=36)
_TALLY = (
    "status",
    "country_iso_alpha2",
    "phone_number_type",
    "source_type",
    "tagged",
    "billing_grouped",
)
_VALUED = ("customer_reference", "connection_id", "billing_group_id")


def upgrade() -> None:
    op.create_table(
        "phone_numbers",
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("id", sa.String(length=19), nullable=False),
        sa.Column("phone_number", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("country_iso_alpha2", sa.String(length=2), nullable=False),
        sa.Column("phone_number_type", sa.String(length=16), nullable=False),
        sa.Column("source_type", sa.String(length=16), nullable=False),
        sa.Column("customer_reference", sa.Text(), nullable=True),
        sa.Column("connection_id", sa.Text(), nullable=True),
        sa.Column("billing_group_id", sa.Text(), nullable=True),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("tagged", sa.Boolean(), nullable=False),
        sa.Column("external_pin", sa.Text(), nullable=True),
        sa.Column("hd_voice_enabled", sa.Boolean(), nullable=False),
        sa.Column("address_id", sa.Text(), nullable=True),
        sa.Column("order_id", _ID, nullable=False),
        sa.Column("purchased_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "id"),
    )
    op.create_index(
        "ux_phone_numbers_number", "phone_numbers", ["account_id", "phone_number"], unique=True
    )
    op.create_index(
        "ix_phone_numbers_recent", "phone_numbers", ["account_id", "purchased_at", "id"]
    )
    op.create_index(
        "ix_phone_numbers_country_iso_alpha2",
        "phone_numbers",
        ["account_id", "country_iso_alpha2", "purchased_at", "id"],
    )
    for column in _VALUED:
        op.create_index(
            f"ix_phone_numbers_{column}",
            "phone_numbers",
            ["account_id", column, "purchased_at", "id"],
            sqlite_where=sa.text(f"{column} IS NOT NULL"),
            postgresql_where=sa.text(f"{column} IS NOT NULL"),
        )
    op.create_table(
        "phone_number_tags",
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("tag", sa.Text(), nullable=False),
        sa.Column("purchased_at", sa.BigInteger(), nullable=False),
        sa.Column("phone_number_id", sa.String(length=19), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "tag", "purchased_at", "phone_number_id"),
    )
    op.create_table(
        "phone_number_counts",
        sa.Column("account_id", _ID, nullable=False),
        *_tally_columns(),
        sa.PrimaryKeyConstraint("account_id", *_TALLY),
    )
    op.create_table(
        "phone_number_value_counts",
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        *_tally_columns(),
        sa.PrimaryKeyConstraint("account_id", "field", "value", *_TALLY),
    )
    _backfill()


def _tally_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("country_iso_alpha2", sa.String(length=2), nullable=False),
        sa.Column("phone_number_type", sa.String(length=16), nullable=False),
        sa.Column("source_type", sa.String(length=16), nullable=False),
        sa.Column("tagged", sa.Boolean(), nullable=False),
        sa.Column("billing_grouped", sa.Boolean(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
    ]


_OWNED = sa.text(
    "SELECT h.phone_number, h.account_id, h.order_id, h.updated_at, o.customer_reference, "
    "o.connection_id, o.phone_number_details FROM number_holdings h JOIN number_orders o "
    "ON o.account_id = h.account_id AND o.id = h.order_id WHERE h.state = 'owned'"
)
_INSERT = sa.text(
    "INSERT INTO phone_numbers (account_id, id, phone_number, status, country_iso_alpha2, "
    "phone_number_type, source_type, customer_reference, connection_id, tags, tagged, "
    "hd_voice_enabled, order_id, purchased_at, updated_at) VALUES (:account_id, :id, "
    ":phone_number, 'active', :country, :type, 'number_order', :reference, :connection, '[]', "
    ":no, :no, :order_id, :at, :at)"
)
_KEYS = "status, country_iso_alpha2, phone_number_type, source_type, tagged"
_GROUPED = "billing_group_id IS NOT NULL"


def _backfill() -> None:
    """Numbers settled before this revision: the record their order would make now,
    bought when their holding last changed; then the tallies, counted from the rows."""
    conn = op.get_bind()
    records = []
    for row in conn.execute(_OWNED):
        details = {d["phone_number"]: d for d in json.loads(row.phone_number_details)}
        number = details.get(row.phone_number)
        if number is None:
            continue  # the holding names a number its order does not have: nothing to show
        records.append(
            {
                "account_id": row.account_id,
                "id": phone_number_id(number["id"]),
                "phone_number": row.phone_number,
                "country": number["country_code"],
                "type": number["phone_number_type"],
                "reference": row.customer_reference,
                "connection": row.connection_id,
                "no": False,
                "order_id": row.order_id,
                "at": row.updated_at,
            }
        )
    if records:
        conn.execute(_INSERT, records)
    op.execute(
        f"INSERT INTO phone_number_counts (account_id, {_KEYS}, billing_grouped, n) "
        f"SELECT account_id, {_KEYS}, {_GROUPED}, count(*) FROM phone_numbers "
        f"GROUP BY account_id, {_KEYS}, {_GROUPED}"
    )
    for field in _VALUED:
        op.execute(
            f"INSERT INTO phone_number_value_counts (account_id, field, value, {_KEYS}, "
            f"billing_grouped, n) SELECT account_id, '{field}', {field}, {_KEYS}, {_GROUPED}, "
            f"count(*) FROM phone_numbers WHERE {field} IS NOT NULL "
            f"GROUP BY account_id, {field}, {_KEYS}, {_GROUPED}"
        )


def downgrade() -> None:
    op.drop_table("phone_number_value_counts")
    op.drop_table("phone_number_counts")
    op.drop_table("phone_number_tags")
    op.drop_table("phone_numbers")
