"""Pages of owned numbers and their totals, for every filter and sort, against the
records filtered and ordered in Python. Both engines."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from number_orders.domain.phone_number_listing import PhoneNumberQuery
from number_orders.domain.phone_number_updates import PhoneNumberUpdate
from number_orders.domain.phone_numbers import PhoneNumber
from number_orders.seed.factory import OrderFactory
from number_orders.server import open_store
from number_orders.service import NumberOrdersService
from number_orders.storage.sql_store import SqlStore
from tests.support.phone_numbers import assert_tallies_exact, records

Check = Callable[[PhoneNumber], bool]


@pytest.fixture(scope="module")
def owned(module_database_url: str) -> Iterator[tuple[SqlStore, str, list[PhoneNumber]]]:
    store = open_store(module_database_url)
    service = NumberOrdersService(store)
    acme = store.ensure_account("acme").account_id
    store.insert_number_orders(acme, OrderFactory(seed=21).orders(160))
    store.insert_number_orders(
        store.ensure_account("globex").account_id, OrderFactory(seed=22).orders(60)
    )
    for index, record in enumerate(records(store, acme)):
        body: dict[str, object] = {}
        if index % 3 == 0:
            body["tags"] = ["vip", "eu"] if index % 2 else ["vip"]
        if index % 4 == 0:
            body["billing_group_id"] = f"bg-{index % 3}"
        if index % 5 == 0:
            body["connection_id"] = "shared-connection"
        if body:
            service.update_phone_number(acme, record.id, PhoneNumberUpdate.from_body(body))
    assert_tallies_exact(store)
    yield store, acme, records(store, acme)
    store.close()


def listed(store: SqlStore, account: str, pairs: list[tuple[str, str]]) -> tuple[list[str], int]:
    """Every page of the query, walked with the smallest pages the shape allows."""
    ids: list[str] = []
    page, total = 1, -1
    while True:
        query = PhoneNumberQuery.from_params(
            [*pairs, ("page[size]", "7"), ("page[number]", str(page))]
        )
        found, total = store.list_phone_numbers(account, query)
        ids += [r.id for r in found]
        if page >= query.total_pages(total):
            return ids, total
        page += 1


def newest(items: list[PhoneNumber]) -> list[str]:
    return [r.id for r in sorted(items, key=lambda r: (r.purchased_at, r.id), reverse=True)]


CASES: dict[str, tuple[list[tuple[str, str]], Check]] = {
    "none": ([], lambda r: True),
    "status active": ([("filter[status]", "active")], lambda r: True),
    "status deleted": ([("filter[status]", "deleted")], lambda r: False),
    "country": ([("filter[country_iso_alpha2]", "GB")], lambda r: r.country_iso_alpha2 == "GB"),
    "countries": (
        [("filter[country_iso_alpha2]", "gb,DE"), ("filter[country_iso_alpha2]", "FR")],
        lambda r: r.country_iso_alpha2 in ("GB", "DE", "FR"),
    ),
    "type": ([("filter[number_type][eq]", "mobile")], lambda r: r.phone_number_type == "mobile"),
    "purchased": ([("filter[source]", "purchased")], lambda r: True),
    "ported": ([("filter[source]", "ported")], lambda r: False),
    "reference": (
        [("filter[customer_reference]", "initech-015")],
        lambda r: r.customer_reference == "initech-015",
    ),
    "connection": (
        [("filter[connection_id]", "shared-connection")],
        lambda r: r.connection_id == "shared-connection",
    ),
    "billing group": (
        [("filter[billing_group_id]", "bg-1")],
        lambda r: r.billing_group_id == "bg-1",
    ),
    "no billing group": (
        [("filter[billing_group_id]", "null")],
        lambda r: r.billing_group_id is None,
    ),
    "tag": ([("filter[tag]", "eu")], lambda r: "eu" in r.tags),
    "without tags": ([("filter[without_tags]", "true")], lambda r: not r.tags),
    "without tags false": ([("filter[without_tags]", "false")], lambda r: True),
    "digits": ([("filter[phone_number]", "555")], lambda r: "555" in r.phone_number),
    "e164 digits": (
        [("filter[phone_number]", "+44121")],
        lambda r: "44121" in r.phone_number,
    ),
    "non-digits": ([("filter[phone_number]", "55a")], lambda r: False),
    "emergency null": ([("filter[emergency_address_id]", "null")], lambda r: True),
    "emergency id": ([("filter[emergency_address_id]", "91021609")], lambda r: False),
    "connection name": ([("filter[voice.connection_name][eq]", "office")], lambda r: False),
    "payment method": ([("filter[voice.usage_payment_method]", "channel")], lambda r: False),
    "tag and country": (
        [("filter[tag]", "vip"), ("filter[country_iso_alpha2]", "US")],
        lambda r: "vip" in r.tags and r.country_iso_alpha2 == "US",
    ),
    "two values": (
        [("filter[connection_id]", "shared-connection"), ("filter[billing_group_id]", "bg-0")],
        lambda r: r.connection_id == "shared-connection" and r.billing_group_id == "bg-0",
    ),
    "value and few": (
        [
            ("filter[billing_group_id]", "bg-2"),
            ("filter[number_type][eq]", "local"),
            ("filter[without_tags]", "true"),
        ],
        lambda r: r.billing_group_id == "bg-2" and r.phone_number_type == "local" and not r.tags,
    ),
    "no group, tagged, country": (
        [
            ("filter[billing_group_id]", "null"),
            ("filter[tag]", "vip"),
            ("filter[country_iso_alpha2]", "US,CA"),
        ],
        lambda r: (
            r.billing_group_id is None and "vip" in r.tags and r.country_iso_alpha2 in ("US", "CA")
        ),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_filter_pages_and_counts_exactly(
    owned: tuple[SqlStore, str, list[PhoneNumber]], case: str
) -> None:
    store, account, everything = owned
    pairs, check = CASES[case]
    expected = newest([r for r in everything if check(r)])
    assert listed(store, account, pairs) == (expected, len(expected))


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("purchased_at", None),
        ("connection_name", None),
        ("usage_payment_method", None),
        ("phone_number", lambda r: r.phone_number),
    ],
)
def test_each_sort(
    owned: tuple[SqlStore, str, list[PhoneNumber]],
    sort: str,
    key: Callable[[PhoneNumber], str] | None,
) -> None:
    store, account, everything = owned
    expected = newest(everything) if key is None else [r.id for r in sorted(everything, key=key)]
    assert listed(store, account, [("sort", sort)])[0] == expected
    tagged = [r for r in everything if "vip" in r.tags]
    expected = newest(tagged) if key is None else [r.id for r in sorted(tagged, key=key)]
    assert listed(store, account, [("sort", sort), ("filter[tag]", "vip")])[0] == expected


def test_pages_past_the_end_are_empty_with_the_total(
    owned: tuple[SqlStore, str, list[PhoneNumber]],
) -> None:
    store, account, everything = owned
    query = PhoneNumberQuery.from_params([("page[number]", "1000"), ("page[size]", "250")])
    assert store.list_phone_numbers(account, query) == ([], len(everything))
    assert store.list_phone_numbers("no-such-account", PhoneNumberQuery()) == ([], 0)
