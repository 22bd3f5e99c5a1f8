"""The phone-number migration gives every number settled before it its record, with
tallies, on both engines."""

from __future__ import annotations

from dataclasses import replace

from alembic import command
from alembic.config import Config
from sqlalchemy import insert

from number_orders.domain.orders import SUCCESS
from number_orders.domain.phone_numbers import phone_number_id
from number_orders.seed.factory import OrderFactory
from number_orders.server import open_store
from number_orders.storage import queries
from number_orders.storage.database import make_engine
from number_orders.storage.schema import number_holdings, number_orders
from tests.storage.test_migrations import MIGRATIONS
from tests.support.phone_numbers import assert_tallies_exact, records


def test_numbers_owned_before_the_migration_get_their_records(database_url: str) -> None:
    engine = make_engine(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0004h")
    details = [
        replace(d, order=replace(d.order, connection_id="c-1"))
        for d in OrderFactory(seed=51).orders(12)
    ]
    owned = [(d, n) for d in details for n in d.numbers if n.status == SUCCESS]
    with engine.begin() as conn:
        # The rows as that revision had them: `deadline_at` came later.
        rows = [queries.order_row("acct", d) for d in details]
        conn.execute(
            insert(number_orders),
            [{k: v for k, v in r.items() if k != "deadline_at"} for r in rows],
        )
        conn.execute(
            insert(number_holdings),
            [
                {
                    "phone_number": n.phone_number,
                    "account_id": "acct",
                    "order_id": d.order.id,
                    "state": "owned",
                    "updated_at": d.order.updated_at,
                }
                for d, n in owned
            ],
        )
    engine.dispose()
    store = open_store(database_url)  # upgrades to the head
    try:
        found = {r.phone_number: r for r in records(store, "acct")}
        assert len(found) == len(owned) > 5
        for detail, number in owned:
            record = found[number.phone_number]
            assert record.id == phone_number_id(number.id)
            assert (record.country_iso_alpha2, record.phone_number_type) == (
                number.country_code,
                number.phone_number_type,
            )
            assert record.customer_reference == detail.order.customer_reference
            assert record.connection_id == "c-1" and record.order_id == detail.order.id
            assert record.purchased_at == detail.order.updated_at
        assert_tallies_exact(store)
    finally:
        store.close()
