"""Alembic runs migrations on the connection the caller hands it (see `database.upgrade`)."""

from alembic import context

from number_orders.storage.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
