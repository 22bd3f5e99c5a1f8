"""Tables, as SQLAlchemy Core metadata shared by the store and the migrations.

Every table carries `account_id` and leads its keys with it, so the schema shards by
account on distributed PostgreSQL without change. Instants are integer microseconds
(`domain.timestamps`). An order's phone numbers are stored inside it as JSON text.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

metadata = MetaData()

ID = String(36)

accounts = Table(
    "accounts",
    metadata,
    Column("account_id", ID, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("webhook_url", Text),
    Column("created_at", BigInteger, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),
    Column("account_id", ID, nullable=False, index=True),
    Column("secret_hash", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger),
)

number_orders = Table(
    "number_orders",
    metadata,
    Column("account_id", ID, nullable=False),
    Column("id", ID, nullable=False),
    Column("status", String(16), nullable=False),
    Column("requirements_met", Boolean, nullable=False),
    Column("phone_numbers_count", Integer, nullable=False),
    Column("customer_reference", Text),
    Column("connection_id", Text),
    Column("messaging_profile_id", Text),
    Column("billing_group_id", Text),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    # `[{id, phone_number}]` as the list shows it: fixed at creation, embedded as is.
    Column("phone_numbers", Text, nullable=False),
    Column("sub_number_orders_ids", Text, nullable=False),
    # The full phone-number objects. An order's numbers are only ever read and changed
    # together with the order, so they live in it rather than in a table of their own.
    Column("phone_number_details", Text, nullable=False),
    PrimaryKeyConstraint("account_id", "id"),
)

# Each list filter has an index that also yields rows newest first, so a page is an
# index range scan that stops after `page_size` rows. The unfiltered one also carries the
# low-cardinality filter columns, so counting or skipping rows inside a time range (the
# edges of a tallied range, a deep-page seek) reads the index alone.
Index(
    "ix_orders_recent",
    number_orders.c.account_id,
    number_orders.c.created_at,
    number_orders.c.id,
    number_orders.c.status,
    number_orders.c.requirements_met,
    number_orders.c.phone_numbers_count,
)
for _column in ("status", "customer_reference", "requirements_met", "phone_numbers_count"):
    Index(
        f"ix_orders_{_column}",
        number_orders.c.account_id,
        number_orders.c[_column],
        number_orders.c.created_at,
        number_orders.c.id,
    )

# Exact counts without scanning orders: one row per combination of the filters that
# have few distinct values, kept in step by every transaction that writes an order.
order_counts = Table(
    "order_counts",
    metadata,
    Column("account_id", ID, nullable=False),
    Column("status", String(16), nullable=False),
    Column("requirements_met", Boolean, nullable=False),
    Column("phone_numbers_count", Integer, nullable=False),
    Column("n", BigInteger, nullable=False),
    PrimaryKeyConstraint("account_id", "status", "requirements_met", "phone_numbers_count"),
)

# The same counts per customer reference: `filter[customer_reference]` (alone or with the
# filters above) sums the few rows of one reference instead of counting its orders.
order_reference_counts = Table(
    "order_reference_counts",
    metadata,
    Column("account_id", ID, nullable=False),
    Column("customer_reference", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("requirements_met", Boolean, nullable=False),
    Column("phone_numbers_count", Integer, nullable=False),
    Column("n", BigInteger, nullable=False),
    PrimaryKeyConstraint(
        "account_id", "customer_reference", "status", "requirements_met", "phone_numbers_count"
    ),
)

# The same counts per period of `created_at`, at two widths (`storage.periods`): a day and a
# block of 32 days. A `created_at` range counts whole blocks, then whole days, then the
# orders of at most two partial days; a deep page finds its period from these sums and
# skips rows only inside it.
order_period_counts = Table(
    "order_period_counts",
    metadata,
    Column("account_id", ID, nullable=False),
    Column("period_days", Integer, nullable=False),
    Column("period_start", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("requirements_met", Boolean, nullable=False),
    Column("phone_numbers_count", Integer, nullable=False),
    Column("n", BigInteger, nullable=False),
    PrimaryKeyConstraint(
        "account_id",
        "period_days",
        "period_start",
        "status",
        "requirements_met",
        "phone_numbers_count",
    ),
)
