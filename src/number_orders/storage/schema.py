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
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    text,
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
    # When the fulfilment worker should next look at the order; NULL while it has nothing
    # to do (settled, or waiting for requirements). The order row is its own job, so a
    # worker's claim and an update lock the same row and cannot deadlock.
    Column("fulfil_at", BigInteger),
    # Set while settling the order fails: how many times in a row, and the last error. A
    # failing order is moved back on the queue (`fulfil_at`) instead of blocking it.
    Column("fulfil_failures", Integer),
    Column("fulfil_error", Text),
    # When the order's pending numbers fail for want of approved requirements (created,
    # or seeded, plus the requirement deadline); NULL for orders settled before it existed.
    Column("deadline_at", BigInteger),
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

# The worker's queue: only orders with work are in it. Deliberately not led by account:
# workers serve every account.
Index(
    "ix_orders_fulfil_at",
    number_orders.c.fulfil_at,
    sqlite_where=number_orders.c.fulfil_at.is_not(None),
    postgresql_where=number_orders.c.fulfil_at.is_not(None),
)

# The deadline worker's queue: pending orders by deadline, so it reads only due ones.
# Across accounts, like the fulfilment queue.
Index(
    "ix_orders_deadline_at",
    number_orders.c.deadline_at,
    sqlite_where=number_orders.c.status == "pending",
    postgresql_where=number_orders.c.status == "pending",
)

# An order's parts (its sub orders and its numbers) by their own ids: the order they
# belong to, so `/sub_number_orders/{id}` and `/number_order_phone_numbers/{id}` find it
# with one primary-key read. Written with the order, never changed.
order_parts = Table(
    "order_parts",
    metadata,
    Column("account_id", ID, nullable=False),
    Column("id", ID, nullable=False),
    Column("order_id", ID, nullable=False),
    Column("kind", String(16), nullable=False),
    PrimaryKeyConstraint("account_id", "id"),
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
# block of 32 days, and at every level of detail: `filters` says which of the three
# grouped columns a row keeps (`periods.STATUS | periods.MET | periods.COUNT`); a column it
# rolls up holds a neutral value (`periods.ROLLED_UP`). So whatever the list's filters, a
# period is one row, found by one seek: a `created_at` range sums a few dozen rows and a deep
# page walks one row per block, at any number of orders. A range counts whole blocks, then
# whole days, then the orders of at most two partial days; a deep page finds its period from
# these sums and skips rows only inside it.
order_period_counts = Table(
    "order_period_counts",
    metadata,
    Column("account_id", ID, nullable=False),
    Column("period_days", Integer, nullable=False),
    Column("filters", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("requirements_met", Boolean, nullable=False),
    Column("phone_numbers_count", Integer, nullable=False),
    Column("period_start", BigInteger, nullable=False),
    Column("n", BigInteger, nullable=False),
    PrimaryKeyConstraint(
        "account_id",
        "period_days",
        "filters",
        "status",
        "requirements_met",
        "phone_numbers_count",
        "period_start",
    ),
)

# Tally rows that count zero (their orders moved to other keys) are found along these
# small partial indexes and deleted by retention (`storage/retention.py`).
for _tally in (order_counts, order_reference_counts, order_period_counts):
    Index(
        f"ix_{_tally.name}_empty",
        _tally.c.account_id,
        sqlite_where=_tally.c.n == 0,
        postgresql_where=_tally.c.n == 0,
    )

# Requests admitted per API key and fixed one-minute window, shared by every server
# process. Processes lease blocks of tokens from `used` (one upsert per block), so the
# row is written once per block, not once per request; see `RateLimiter`.
rate_limit_counters = Table(
    "rate_limit_counters",
    metadata,
    Column("account_id", ID, nullable=False),
    Column("key_id", String(32), nullable=False),
    Column("window_start", BigInteger, nullable=False),  # Unix seconds, a multiple of 60
    Column("used", BigInteger, nullable=False),  # tokens leased so far; may pass the limit
    PrimaryKeyConstraint("account_id", "key_id", "window_start"),
)

# Who holds each phone number: one row per number, so two accounts reserving or ordering
# the same number race on one primary key and exactly one wins, on both engines. A number
# without a row is free. `reserved` by a number reservation until `expires_at` (an expired
# row holds nothing, even before the worker deletes it); `pending` in an order until the
# order settles it; then `owned`, or the row is deleted when the number fails. Deliberately
# keyed by number alone: a number is unique across accounts (see docs/ARCHITECTURE.md).
number_holdings = Table(
    "number_holdings",
    metadata,
    Column("phone_number", String(16), primary_key=True),
    Column("account_id", ID, nullable=False),
    Column("order_id", ID),  # `pending` and `owned`
    Column("reservation_id", ID),  # `reserved`
    Column("expires_at", BigInteger),  # `reserved`: when the reservation stops holding
    Column("state", String(16), nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)
# The expiry queue: only reservations are in it. Global like the fulfilment queue: one
# worker frees every account's due reservations.
Index(
    "ix_holdings_expires_at",
    number_holdings.c.expires_at,
    sqlite_where=number_holdings.c.expires_at.is_not(None),
    postgresql_where=number_holdings.c.expires_at.is_not(None),
)

# Idempotency keys of creates, per account, so a retried create returns the first order.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("account_id", ID, nullable=False),
    Column("idempotency_key", String(255), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("order_id", ID, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("account_id", "idempotency_key"),
)
# Expiry sweeps every account by age.
Index("ix_idempotency_keys_created_at", idempotency_keys.c.created_at)


# -- webhooks ----------------------------------------------------------------------------

# The server's own signing keys. They belong to no customer account, so they are filed
# under `SERVER_ACCOUNT_ID`, a constant: the table still leads with `account_id` like every
# other, and every query names that constant explicitly. At most one key is active (not
# retired); retired keys are kept, public half only, so earlier deliveries stay verifiable.
SERVER_ACCOUNT_ID = "00000000-0000-0000-0000-000000000000"

webhook_signing_keys = Table(
    "webhook_signing_keys",
    metadata,
    Column("account_id", ID, nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("public_key", String(64), nullable=False),
    # The active key's seed; NULL once retired, when only the public half is still needed.
    Column("private_key", String(64)),
    Column("created_at", BigInteger, nullable=False),
    Column("retired_at", BigInteger),
    PrimaryKeyConstraint("account_id", "key_id"),
)
Index(
    "ux_webhook_signing_keys_active",
    webhook_signing_keys.c.account_id,
    unique=True,
    sqlite_where=webhook_signing_keys.c.retired_at.is_(None),
    postgresql_where=webhook_signing_keys.c.retired_at.is_(None),
)

# The transactional outbox: one row per event, written in the transaction that causes it.
# `attempts` counts attempts ever made (it is `meta.attempt`); `attempt_base` is where the
# current round began (a redelivery starts a new round). A claim sets `locked_until` and
# `lease_token`; only the holder of the token may record the attempt's outcome.
webhook_events = Table(
    "webhook_events",
    metadata,
    Column("account_id", ID, nullable=False),
    Column("id", ID, nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("occurred_at", BigInteger, nullable=False),
    Column("payload", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("attempt_base", Integer, nullable=False),
    Column("next_attempt_at", BigInteger, nullable=False),
    Column("locked_until", BigInteger),
    Column("lease_token", String(32)),
    Column("last_status_code", Integer),
    Column("last_error", Text),
    Column("delivered_at", BigInteger),
    Column("created_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("account_id", "id"),
)
# The delivery loops' claim query scans only due, pending events.
Index("ix_webhook_events_due", webhook_events.c.status, webhook_events.c.next_attempt_at)
Index(
    "ix_webhook_events_recent",
    webhook_events.c.account_id,
    webhook_events.c.created_at,
    webhook_events.c.id,
)
# Events with a lease (in flight, or left by a loop that died): how many attempts each
# account has in flight, for the per-account limit of the claim.
Index(
    "ix_webhook_events_leased",
    webhook_events.c.locked_until,
    webhook_events.c.account_id,
    sqlite_where=webhook_events.c.locked_until.is_not(None),
    postgresql_where=webhook_events.c.locked_until.is_not(None),
)
# `events redeliver ID` names an event by its id alone.
Index("ix_webhook_events_id", webhook_events.c.id)

# One row per attempt: where it went, which key signed it, and what came back.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("account_id", ID, nullable=False),
    Column("event_id", ID, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("url", Text, nullable=False),
    Column("started_at", BigInteger, nullable=False),
    Column("duration_micros", BigInteger, nullable=False),
    Column("status_code", Integer),
    Column("error", Text),
    PrimaryKeyConstraint("account_id", "event_id", "attempt"),
)


# -- phone numbers -----------------------------------------------------------------------

# Owned phone numbers: one row per number an account has bought and not released. The
# number's `number_holdings` row (state `owned`) is what makes it the account's alone;
# this row is what the account sees and changes. `created_at` is `purchased_at`.
phone_numbers = Table(
    "phone_numbers",
    metadata,
    Column("account_id", ID, nullable=False),
    Column("id", String(19), nullable=False),
    Column("phone_number", String(16), nullable=False),
    Column("status", String(32), nullable=False),
    Column("country_iso_alpha2", String(2), nullable=False),
    Column("phone_number_type", String(16), nullable=False),
    Column("source_type", String(16), nullable=False),
    Column("customer_reference", Text),
    Column("connection_id", Text),
    Column("billing_group_id", Text),
    Column("tags", Text, nullable=False),  # a JSON array, as the record shows it
    Column("tagged", Boolean, nullable=False),  # tags is not empty: `filter[without_tags]`
    Column("external_pin", Text),
    Column("hd_voice_enabled", Boolean, nullable=False),
    Column("address_id", Text),
    Column("order_id", ID, nullable=False),
    Column("purchased_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("account_id", "id"),
)
# Page 1 of every sort is an index range scan: newest first by default, or by number.
# Filters on a country or a value with many values have an index each that yields their
# rows newest first (only rows that have a value: the query's `=` implies it); the five
# number types read the newest-first index and pass over the other types.
Index(
    "ux_phone_numbers_number",
    phone_numbers.c.account_id,
    phone_numbers.c.phone_number,
    unique=True,
)
Index(
    "ix_phone_numbers_recent",
    phone_numbers.c.account_id,
    phone_numbers.c.purchased_at,
    phone_numbers.c.id,
)
Index(
    "ix_phone_numbers_country_iso_alpha2",
    phone_numbers.c.account_id,
    phone_numbers.c.country_iso_alpha2,
    phone_numbers.c.purchased_at,
    phone_numbers.c.id,
)
for _column in ("customer_reference", "connection_id", "billing_group_id"):
    Index(
        f"ix_phone_numbers_{_column}",
        phone_numbers.c.account_id,
        phone_numbers.c[_column],
        phone_numbers.c.purchased_at,
        phone_numbers.c.id,
        sqlite_where=phone_numbers.c[_column].is_not(None),
        postgresql_where=phone_numbers.c[_column].is_not(None),
    )

# Each tag of each number, so `filter[tag]` reads the numbers of one tag newest first and
# counts only them.
phone_number_tags = Table(
    "phone_number_tags",
    metadata,
    Column("account_id", ID, nullable=False),
    Column("tag", Text, nullable=False),
    Column("purchased_at", BigInteger, nullable=False),
    Column("phone_number_id", String(19), nullable=False),
    PrimaryKeyConstraint("account_id", "tag", "purchased_at", "phone_number_id"),
)

# Exact totals without counting numbers: one row per combination of the filters with few
# values, and the same per value of a filter with many (`field` names the filter), kept in
# step by every transaction that writes a number.
PHONE_TALLY_KEYS = (
    "status",
    "country_iso_alpha2",
    "phone_number_type",
    "source_type",
    "tagged",
    "billing_grouped",
)


def _phone_tally() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("status", String(32), nullable=False),
        Column("country_iso_alpha2", String(2), nullable=False),
        Column("phone_number_type", String(16), nullable=False),
        Column("source_type", String(16), nullable=False),
        Column("tagged", Boolean, nullable=False),
        Column("billing_grouped", Boolean, nullable=False),
        Column("n", BigInteger, nullable=False),
    ]


phone_number_counts = Table(
    "phone_number_counts",
    metadata,
    Column("account_id", ID, nullable=False),
    *_phone_tally(),
    PrimaryKeyConstraint("account_id", *PHONE_TALLY_KEYS),
)
phone_number_value_counts = Table(
    "phone_number_value_counts",
    metadata,
    Column("account_id", ID, nullable=False),
    Column("field", String(32), nullable=False),
    Column("value", Text, nullable=False),
    *_phone_tally(),
    PrimaryKeyConstraint("account_id", "field", "value", *PHONE_TALLY_KEYS),
)
# -- number reservations -----------------------------------------------------------------

# One row per reservation. Its `status` is decided when it is made (each number is held or
# refused at once) and never changes: expiry and ordering end a number's hold, not the
# reservation's outcome.
number_reservations = Table(
    "number_reservations",
    metadata,
    Column("account_id", ID, nullable=False),
    Column("id", ID, nullable=False),
    Column("status", String(16), nullable=False),
    Column("customer_reference", Text),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("account_id", "id"),
)
# Newest first, per filter, as for orders: a page is an index range scan.
Index(
    "ix_reservations_recent",
    number_reservations.c.account_id,
    number_reservations.c.created_at,
    number_reservations.c.id,
)
for _column in ("status", "customer_reference"):
    Index(
        f"ix_reservations_{_column}",
        number_reservations.c.account_id,
        number_reservations.c[_column],
        number_reservations.c.created_at,
        number_reservations.c.id,
    )

# A reservation's numbers, in the order the request gave them (`position`). `state` is
# the number's life in the reservation: `reserved` (held until `expired_at`), `expired`,
# `ordered` (an order of the same account took it over at `expired_at`) or `failure`
# (never held; `errors` says why). The API's `status` derives from it.
reserved_phone_numbers = Table(
    "reserved_phone_numbers",
    metadata,
    Column("account_id", ID, nullable=False),
    Column("reservation_id", ID, nullable=False),
    Column("position", Integer, nullable=False),
    Column("id", ID, nullable=False),
    Column("phone_number", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("expired_at", BigInteger),
    Column("errors", Text),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("account_id", "reservation_id", "position"),
)
# `filter[phone_numbers.phone_number]`: the account's reservations of a number.
Index(
    "ix_reserved_phone_numbers_number",
    reserved_phone_numbers.c.account_id,
    reserved_phone_numbers.c.phone_number,
    reserved_phone_numbers.c.reservation_id,
)

# Exact list totals per (account, status), changed in the transaction that makes a
# reservation: the unfiltered and status-filtered lists read one or three rows.
reservation_counts = Table(
    "reservation_counts",
    metadata,
    Column("account_id", ID, nullable=False),
    Column("status", String(16), nullable=False),
    Column("n", BigInteger, nullable=False),
    PrimaryKeyConstraint("account_id", "status"),
)


# -- requirement groups and comments -----------------------------------------------------

# A requirement group: values for one (country, phone number type, action). Its values are
# only ever read and changed together with the group, so they live in it as JSON text
# (`[{requirement_id, field_type, field_value, status, created_at, updated_at}]`).
requirement_groups = Table(
    "requirement_groups",
    metadata,
    Column("account_id", ID, nullable=False),
    Column("id", ID, nullable=False),
    Column("country_code", String(2), nullable=False),
    Column("phone_number_type", String(16), nullable=False),
    Column("action", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("customer_reference", Text),
    Column("regulatory_requirements", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    # When it was last submitted for approval; NULL until then and after a changed value.
    Column("submitted_at", BigInteger),
    PrimaryKeyConstraint("account_id", "id"),
)
# The list, newest first.
Index(
    "ix_requirement_groups_recent",
    requirement_groups.c.account_id,
    requirement_groups.c.created_at,
    requirement_groups.c.id,
)
# The worker's review queue: submitted groups by submission time. Not led by account, like
# the order queue: the worker reviews every account's groups.
Index(
    "ix_requirement_groups_review",
    requirement_groups.c.status,
    requirement_groups.c.submitted_at,
)

# Comments on sub number orders and requirement groups, by users and by the regulator.
# `record_id` names a record of the same account.
comments = Table(
    "comments",
    metadata,
    Column("account_id", ID, nullable=False),
    Column("id", ID, nullable=False),
    Column("record_type", String(32), nullable=False),
    Column("record_id", ID, nullable=False),
    Column("body", Text, nullable=False),
    Column("commenter", String(255), nullable=False),
    Column("commenter_type", String(16), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("read_at", BigInteger),
    PrimaryKeyConstraint("account_id", "id"),
)
# A record's comments in the order they were written (record ids are UUIDs, unique across
# record types), and all of an account's.
Index(
    "ix_comments_record",
    comments.c.account_id,
    comments.c.record_id,
    comments.c.created_at,
    comments.c.id,
)
Index("ix_comments_recent", comments.c.account_id, comments.c.created_at, comments.c.id)


# -- the sandbox (`/_sandbox`) -----------------------------------------------------------

# The sandbox's shared state: one row, the server's, under `SERVER_ACCOUNT_ID`. Every
# process polls it while the sandbox is on: the clock's offset from the wall clock (copied
# into `domain.timestamps`), and how many times a reader has asked every process to write
# the journal entries it holds.
sandbox_clock = Table(
    "sandbox_clock",
    metadata,
    Column("account_id", ID, primary_key=True),
    Column("offset_micros", BigInteger, nullable=False),
    Column("journal_flushes", BigInteger, nullable=False),
)

# Injected faults, polled into every process like the clock. A fault for any account is
# filed under `SERVER_ACCOUNT_ID`. `remaining` counts down with a conditional update, so
# across processes exactly that many requests fail; NULL: until deleted.
sandbox_faults = Table(
    "sandbox_faults",
    metadata,
    Column("account_id", ID, nullable=False),
    Column("id", ID, nullable=False),
    Column("method", String(16)),
    Column("path", Text),
    Column("status", Integer),
    Column("remaining", Integer),
    Column("latency_ms", Integer),
    Column("created_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("account_id", "id"),
)
# An operator deletes a fault by its id alone.
Index("ix_sandbox_faults_id", sandbox_faults.c.id)

# The request journal: per account, newest first by `id` (a version-7 UUID of `at`), kept
# to a bound per account. Bodies are JSON text (see `domain.journal`).
sandbox_requests = Table(
    "sandbox_requests",
    metadata,
    Column("account_id", ID, nullable=False),
    Column("id", ID, nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("method", String(16), nullable=False),
    Column("path", Text, nullable=False),
    Column("query", Text, nullable=False),
    Column("status", Integer, nullable=False),
    Column("duration_micros", BigInteger, nullable=False),
    Column("request_body", Text),
    Column("response_body", Text),
    Column("idempotency_key", Text),
    PrimaryKeyConstraint("account_id", "id"),
)

# -- documents -----------------------------------------------------------------------------

# An uploaded document, its content beside its record. Reads that need only the record (the
# list, the review, a requirement's check) name their columns and never touch `content`.
documents = Table(
    "documents",
    metadata,
    Column("account_id", ID, nullable=False),
    Column("id", ID, nullable=False),
    Column("filename", String(255), nullable=False),
    # The filename case-folded, for `filter[filename][contains]`: the same match on both
    # engines (SQLite's lower() folds ASCII only).
    Column("filename_folded", Text, nullable=False),
    Column("content_type", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("customer_reference", Text),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("review_at", BigInteger, nullable=False),
    Column("content", LargeBinary, nullable=False),
    PrimaryKeyConstraint("account_id", "id"),
)
# The list, newest first.
Index("ix_documents_recent", documents.c.account_id, documents.c.created_at, documents.c.id)
# The review queue: pending documents by when their review is due. Global like the order
# queue: one worker reviews every account's documents; it holds only pending ones.
Index(
    "ix_documents_review",
    documents.c.review_at,
    sqlite_where=text("status = 'pending'"),
    postgresql_where=text("status = 'pending'"),
)
