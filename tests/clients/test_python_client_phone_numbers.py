"""The official Python client, unchanged and strict (every response must parse exactly
as its types say), on owned phone numbers, on both engines: a number ordered through the
client becomes owned; every filter and sort; update; release; and one owner per number
when two accounts order it at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from telnyx import NotFoundError, Telnyx

from number_orders.domain.phone_number_updates import PhoneNumberUpdate
from number_orders.domain.phone_numbers import PhoneNumber
from number_orders.domain.timestamps import format_micros
from number_orders.seed.factory import OrderFactory
from number_orders.service import NumberOrdersService
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import wait_until
from tests.support.app import new_key
from tests.support.clients import strict_client
from tests.support.live import LiveServer
from tests.support.orders import number
from tests.support.phone_numbers import assert_tallies_exact, holdings, records


@dataclass
class Owned:
    client: Telnyx
    other: Telnyx
    store: SqlStore
    account_id: str


@pytest.fixture
def owned(store: SqlStore, live: LiveServer) -> Iterator[Owned]:
    key, other_key = new_key(store, "acme"), new_key(store, "globex")
    account_id = store.ensure_account("acme").account_id
    store.insert_number_orders(account_id, OrderFactory(seed=31).orders(70))
    service = NumberOrdersService(store)
    for index, record in enumerate(records(store, account_id)):
        body: dict[str, Any] = {}
        if index % 3 == 0:
            body["tags"] = ["vip"]
        if index % 4 == 0:
            body["billing_group_id"] = "bg-1"
        if body:
            service.update_phone_number(account_id, record.id, PhoneNumberUpdate.from_body(body))
    with (
        strict_client(live.base_url, key) as client,
        strict_client(live.base_url, other_key) as other,
    ):
        yield Owned(client, other, store, account_id)


def settle(client: Telnyx, order_id: str) -> Any:
    return wait_until(
        lambda: (o := client.number_orders.retrieve(order_id).data) and o.status != "pending" and o
    )


def test_an_ordered_number_is_owned_with_the_orders_fields(owned: Owned) -> None:
    phone_number = number()
    order = owned.client.number_orders.create(
        phone_numbers=[{"phone_number": phone_number}],
        customer_reference="client-ref",
        connection_id="1521916448077776306",
    ).data
    assert order is not None and order.id is not None
    assert settle(owned.client, order.id).status == "success"
    (found,) = owned.client.phone_numbers.list(filter={"phone_number": phone_number})
    assert found.phone_number == phone_number and found.status == "active"
    assert (found.country_iso_alpha2, found.phone_number_type) == ("US", "local")
    assert (found.source_type, found.tags, found.deletion_lock_enabled) == (
        "number_order",
        [],
        False,
    )
    assert found.customer_reference == "client-ref"
    assert found.connection_id == "1521916448077776306"
    assert order.created_at is not None and found.created_at >= order.created_at
    retrieved = owned.client.phone_numbers.retrieve(found.id).data
    assert retrieved == found


Check = Callable[[PhoneNumber], bool]
# Each filter as the client takes it, and which records pass, given one record `s` that
# has a customer reference and a connection.
FILTERS: dict[str, Callable[[PhoneNumber], tuple[dict[str, Any], Check]]] = {
    "status": lambda s: ({"status": "active"}, lambda r: True),
    "country": lambda s: ({"country_iso_alpha2": "US"}, lambda r: r.country_iso_alpha2 == "US"),
    "countries": lambda s: (
        {"country_iso_alpha2": ["GB", "DE"]},
        lambda r: r.country_iso_alpha2 in ("GB", "DE"),
    ),
    "customer_reference": lambda s: (
        {"customer_reference": s.customer_reference},
        lambda r: r.customer_reference == s.customer_reference,
    ),
    "number_type": lambda s: (
        {"number_type": {"eq": "toll_free"}},
        lambda r: r.phone_number_type == "toll_free",
    ),
    "source": lambda s: ({"source": "purchased"}, lambda r: True),
    "connection_id": lambda s: (
        {"connection_id": s.connection_id},
        lambda r: r.connection_id == s.connection_id,
    ),
    "billing_group_id": lambda s: (
        {"billing_group_id": "bg-1"},
        lambda r: r.billing_group_id == "bg-1",
    ),
    "no billing group": lambda s: (
        {"billing_group_id": "null"},
        lambda r: r.billing_group_id is None,
    ),
    "tag": lambda s: ({"tag": "vip"}, lambda r: "vip" in r.tags),
    "without_tags": lambda s: ({"without_tags": "true"}, lambda r: not r.tags),
    "phone_number": lambda s: ({"phone_number": "201"}, lambda r: "201" in r.phone_number),
    "emergency_address_id": lambda s: ({"emergency_address_id": "null"}, lambda r: True),
    "voice.connection_name": lambda s: (
        {"voice_connection_name": {"contains": "office"}},
        lambda r: False,
    ),
    "voice.usage_payment_method": lambda s: (
        {"voice_usage_payment_method": "channel"},
        lambda r: False,
    ),
}


def newest(items: list[PhoneNumber]) -> list[str]:
    return [r.id for r in sorted(items, key=lambda r: (r.purchased_at, r.id), reverse=True)]


@pytest.mark.parametrize("name", list(FILTERS))
def test_each_filter(owned: Owned, name: str) -> None:
    everything = records(owned.store, owned.account_id)
    sample = next(r for r in everything if r.customer_reference and r.connection_id)
    given, check = FILTERS[name](sample)
    expected = newest([r for r in everything if check(r)])
    page = owned.client.phone_numbers.list(filter=given, page_size=9)  # type: ignore[arg-type]
    assert [r.id for r in page] == expected
    assert page.meta is not None and page.meta.to_dict()["total_results"] == len(expected)
    assert name.startswith("voice") or expected, "the data should give each filter something"


@pytest.mark.parametrize(
    "sort", ["purchased_at", "phone_number", "connection_name", "usage_payment_method"]
)
def test_each_sort(owned: Owned, sort: str) -> None:
    everything = records(owned.store, owned.account_id)
    if sort == "phone_number":
        expected = [r.id for r in sorted(everything, key=lambda r: r.phone_number)]
    else:
        expected = newest(everything)
    listed = owned.client.phone_numbers.list(sort=sort, page_size=25)  # type: ignore[arg-type]
    assert [r.id for r in listed] == expected


def test_update_changes_the_writable_fields(owned: Owned) -> None:
    before = records(owned.store, owned.account_id)[0]
    updated = owned.client.phone_numbers.update(
        before.id,
        customer_reference="updated-ref",
        tags=["a", "b"],
        connection_id="c-7",
        billing_group_id="bg-7",
        external_pin="9999",
        hd_voice_enabled=True,
        address_id="addr-7",
    ).data
    assert updated is not None
    assert (updated.customer_reference, updated.tags, updated.connection_id) == (
        "updated-ref",
        ["a", "b"],
        "c-7",
    )
    assert (updated.billing_group_id, updated.external_pin, updated.hd_voice_enabled) == (
        "bg-7",
        "9999",
        True,
    )
    assert updated.updated_at is not None and updated.updated_at > format_micros(before.updated_at)
    assert owned.client.phone_numbers.retrieve(before.id).data == updated
    assert_tallies_exact(owned.store)


def test_release_makes_the_number_orderable_by_another_account(owned: Owned) -> None:
    # A US number: it needs no requirements, so the other account's order settles at once.
    record = next(r for r in records(owned.store, owned.account_id) if r.country_iso_alpha2 == "US")
    refused = owned.other.number_orders.create(
        phone_numbers=[{"phone_number": record.phone_number}]
    )
    assert refused.data is not None and refused.data.id is not None
    assert settle(owned.other, refused.data.id).status == "failure"
    released = owned.client.phone_numbers.delete(record.id).data
    assert released is not None and released.status == "deleted"
    assert released.phone_number == record.phone_number
    with pytest.raises(NotFoundError):
        owned.client.phone_numbers.retrieve(record.id)
    assert record.id not in [r.id for r in owned.client.phone_numbers.list(page_size=250)]
    again = owned.other.number_orders.create(phone_numbers=[{"phone_number": record.phone_number}])
    assert again.data is not None and again.data.id is not None
    assert settle(owned.other, again.data.id).status == "success"
    (theirs,) = owned.other.phone_numbers.list(filter={"phone_number": record.phone_number})
    assert theirs.phone_number == record.phone_number
    assert_tallies_exact(owned.store)


def test_two_accounts_ordering_one_number_at_once_make_one_owner(owned: Owned) -> None:
    contested = [number() for _ in range(6)]
    clients = {"acme": owned.client, "globex": owned.other}
    orders: dict[tuple[str, str], str] = {}
    start = threading.Barrier(2)

    def order_all(name: str) -> None:
        for phone_number in contested:
            start.wait()
            created = clients[name].number_orders.create(
                phone_numbers=[{"phone_number": phone_number}]
            )
            assert created.data is not None and created.data.id is not None
            orders[name, phone_number] = created.data.id

    threads = [threading.Thread(target=order_all, args=(name,)) for name in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    held = holdings(owned.store)
    for phone_number in contested:
        outcomes = {
            name: settle(client, orders[name, phone_number]).status
            for name, client in clients.items()
        }
        assert sorted(outcomes.values()) == ["failure", "success"], outcomes
        (winner,) = [name for name, status in outcomes.items() if status == "success"]
        for name, client in clients.items():
            listed = client.phone_numbers.list(filter={"phone_number": phone_number}).data
            assert [n.phone_number for n in listed] == ([phone_number] if name == winner else [])
        held = holdings(owned.store)
        assert held[phone_number][1:] == (orders[winner, phone_number], "owned")
    assert_tallies_exact(owned.store)
