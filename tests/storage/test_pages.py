"""Which list reads may run on the event loop (`Store.list_is_quick`): only a first page on
SQLite whose total and page both have a proven bound; never on PostgreSQL."""

from __future__ import annotations

import pytest

from number_orders.domain.listing import ListQuery
from number_orders.storage.sql_store import SqlStore


def query(**params: str) -> ListQuery:
    return ListQuery.from_params(list(params.items()))


BOUNDED = [
    {},
    {"filter[status]": "pending"},
    {"filter[requirements_met]": "true"},
    {"filter[phone_numbers_count]": "3"},
    {"filter[customer_reference]": "ref"},
    {"page[size]": "250"},
]
UNBOUNDED = [
    {"page[number]": "2"},
    {"filter[created_at][gt]": "2024-01-01"},
    {"filter[customer_reference]": "ref", "filter[created_at][lt]": "2024-01-01"},
    {"filter[status]": "failure", "filter[requirements_met]": "false"},
    {"filter[customer_reference]": "ref", "filter[status]": "pending"},
]


@pytest.mark.parametrize("params", BOUNDED)
def test_a_first_page_of_one_index_is_quick_on_sqlite_only(
    store: SqlStore, params: dict[str, str]
) -> None:
    assert store.list_is_quick(query(**params)) == store.sqlite


@pytest.mark.parametrize("params", UNBOUNDED)
def test_deeper_pages_ranges_and_combined_filters_are_never_quick(
    store: SqlStore, params: dict[str, str]
) -> None:
    assert not store.list_is_quick(query(**params))
