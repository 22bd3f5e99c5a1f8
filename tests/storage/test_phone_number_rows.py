"""Owned numbers are written with their holdings and tallies in one transaction, by every
writer: loading (demo and seed), the worker's settlement, an update and a release. Both
engines."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from number_orders.domain.orders import SUCCESS
from number_orders.domain.phone_number_updates import PhoneNumberUpdate
from number_orders.domain.phone_numbers import PhoneNumber
from number_orders.seed.factory import OrderFactory
from number_orders.seed.rows import RowMaker
from number_orders.service import NumberOrdersService
from number_orders.storage.phone_number_rows import record_of, row_of
from number_orders.storage.sql_store import SqlStore
from tests.support.orders import assert_counts_exact
from tests.support.phone_numbers import assert_tallies_exact, holdings, records

NOW = 1_780_000_000_000_000


def test_loaded_orders_own_their_successful_numbers(store: SqlStore) -> None:
    acme = store.ensure_account("acme").account_id
    details = list(OrderFactory(seed=11).orders(60))
    store.insert_number_orders(acme, details)
    succeeded = {
        (n.phone_number, d.order.id): d for d in details for n in d.numbers if n.status == SUCCESS
    }
    owned = records(store, acme)
    assert {(r.phone_number, r.order_id) for r in owned} == set(succeeded)
    for record in owned:
        order = succeeded[record.phone_number, record.order_id].order
        assert record.customer_reference == order.customer_reference
        assert record.connection_id == order.connection_id
        assert record.purchased_at == order.updated_at and record.status == "active"
    assert_tallies_exact(store)
    assert_counts_exact(store)


def test_a_number_someone_holds_is_not_loaded_again(store: SqlStore) -> None:
    acme = store.ensure_account("acme").account_id
    globex = store.ensure_account("globex").account_id
    store.insert_number_orders(acme, OrderFactory(seed=12).orders(30))
    # The same orders again, for another account: every number is already owned.
    store.insert_number_orders(globex, OrderFactory(seed=12).orders(30))
    assert records(store, globex) == []
    assert len(records(store, acme)) == sum(1 for _ in holdings(store))
    assert_tallies_exact(store)


def test_seed_rows_load_with_holdings_and_tallies(store: SqlStore) -> None:
    acme = store.ensure_account("acme").account_id
    chunk = RowMaker(acme, NOW, 900).chunk(4, 0, 900)
    assert (
        store.load_order_rows(
            acme, [(chunk.rows, chunk.counts, chunk.numbers, chunk.number_counts)]
        )
        == 900
    )
    owned = records(store, acme)
    assert sorted(r.id for r in owned) == sorted(row[1] for row in chunk.numbers)
    assert_tallies_exact(store)
    # Loaded again for another account, the orders go in and the numbers stay acme's.
    globex = store.ensure_account("globex").account_id
    again = RowMaker(globex, NOW, 900).chunk(4, 0, 900)
    store.load_order_rows(globex, [(again.rows, again.counts, again.numbers, again.number_counts)])
    assert records(store, globex) == [] and len(records(store, acme)) == len(owned)
    assert_tallies_exact(store)


def test_the_worker_makes_records_in_the_settling_transaction(store: SqlStore) -> None:
    service = NumberOrdersService(store)
    acme = store.ensure_account("acme").account_id
    pending = [
        replace(d, numbers=[replace(n, status="pending") for n in d.numbers])
        for d in OrderFactory(seed=13).orders(20)
        if all(n.requirements_met for n in d.numbers)
    ]
    pending = [replace(d, order=replace(d.order, status="pending")) for d in pending]
    store.insert_number_orders(acme, pending)
    assert records(store, acme) == []
    while service.fulfil_due_orders(50):
        pass
    owned = records(store, acme)
    expected = {
        n.phone_number for d in pending for n in d.numbers if not n.phone_number.endswith("0000")
    }
    assert {r.phone_number for r in owned} == expected
    assert_tallies_exact(store)
    assert_counts_exact(store)


def test_updates_and_releases_move_the_tallies(store: SqlStore) -> None:
    service = NumberOrdersService(store)
    acme = store.ensure_account("acme").account_id
    store.insert_number_orders(acme, OrderFactory(seed=14).orders(40))
    first, second, third = records(store, acme)[:3]
    changes: list[tuple[PhoneNumber, dict[str, Any]]] = [
        (first, {"tags": ["vip", "eu"], "billing_group_id": "bg-1"}),
        (second, {"customer_reference": None, "connection_id": "c-9", "tags": ["vip"]}),
        (first, {"tags": ["eu"], "billing_group_id": None}),
    ]
    for record, body in changes:
        service.update_phone_number(acme, record.id, PhoneNumberUpdate.from_body(body))
        assert_tallies_exact(store)
    released = service.delete_phone_number(acme, second.id)
    assert released.status == "deleted" and released.tags == ("vip",)
    assert second.phone_number not in holdings(store)
    assert third.phone_number in holdings(store)
    assert_tallies_exact(store)


def test_a_seed_that_outgrows_its_number_shares_still_owns_each_number_once(
    store: SqlStore,
) -> None:
    # Ten thousand chunks: a share of a template is 90 numbers, so a chunk of 2,000
    # orders must offer some numbers twice, even within one order.
    acme = store.ensure_account("acme").account_id
    chunk = RowMaker(acme, NOW, 100_000_000).chunk(8, 0, 2_000)
    offered = [row[2] for row in chunk.numbers]
    assert len(set(offered)) < len(offered)
    store.load_order_rows(acme, [(chunk.rows, chunk.counts, chunk.numbers, chunk.number_counts)])
    owned = records(store, acme)
    assert {r.phone_number for r in owned} == set(offered)
    assert len(owned) == len(set(offered))
    assert_tallies_exact(store)


def test_a_row_reads_back_as_the_record_it_was_written_from() -> None:
    # Every field different from its default and from the others, so a column read
    # into the wrong field shows.
    record = PhoneNumber(
        id="1234567890123456789",
        phone_number="+13125550123",
        country_iso_alpha2="US",
        phone_number_type="local",
        order_id="order-1",
        purchased_at=1,
        updated_at=2,
        status="port-pending",
        source_type="port_request",
        customer_reference="ref",
        connection_id="conn",
        billing_group_id="billing",
        tags=("a", "b"),
        external_pin="1234",
        hd_voice_enabled=True,
        address_id="address",
    )
    assert record_of(row_of("acme", record)) == record
    assert record_of(row_of("acme", replace(record, tags=()))).tags == ()
