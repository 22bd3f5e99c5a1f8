"""GET /v2/number_orders, against the seed spec and CONTRACT.md, on both engines."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from number_orders.config import Settings
from number_orders.domain.orders import NumberOrder, NumberOrderDetail
from number_orders.domain.timestamps import format_micros
from number_orders.seed.factory import OrderFactory
from number_orders.server import open_store
from tests.support.app import InProcess, new_key

AUTH_FAILED = {
    "errors": [
        {
            "code": "10009",
            "title": "Authentication failed",
            "detail": "Could not understand the provided credentials.",
            "meta": {"url": "https://developers.telnyx.com/docs/overview/errors/10009"},
        }
    ]
}


@dataclass
class Listing:
    app: InProcess
    key: str
    other_key: str
    orders: list[NumberOrder]  # the first account's, newest first
    other_orders: list[NumberOrder]

    def get(self, query: str = "", key: str | None = None) -> httpx.Response:
        with self.app.client(key or self.key) as client:
            return client.get("/number_orders" + (f"?{query}" if query else ""))


@pytest.fixture(scope="module")
def listing(module_database_url: str) -> Iterator[Listing]:
    url = module_database_url
    store = open_store(url)
    key, other_key = new_key(store, "acme"), new_key(store, "globex")
    mine = list(OrderFactory(seed=7).orders(450))
    theirs = list(OrderFactory(seed=8).orders(60))
    store.insert_number_orders(store.ensure_account("acme").account_id, mine)
    store.insert_number_orders(store.ensure_account("globex").account_id, theirs)
    settings = Settings(database_url=url, rate_limit=0, demo=False, run_worker=False)
    with InProcess(settings, store) as app:
        yield Listing(app, key, other_key, newest_first(mine), newest_first(theirs))
    store.close()


def newest_first(details: list[NumberOrderDetail]) -> list[NumberOrder]:
    return sorted((d.order for d in details), key=lambda o: (o.created_at, o.id), reverse=True)


def ids(response: httpx.Response) -> list[str]:
    return [item["id"] for item in response.json()["data"]]


# -- pages ------------------------------------------------------------------------------


def test_default_page_is_twenty_newest_first_with_exact_meta(listing: Listing) -> None:
    response = listing.get()
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert ids(response) == [o.id for o in listing.orders[:20]]
    assert body["meta"] == {
        "page_number": 1,
        "page_size": 20,
        "total_results": 450,
        "total_pages": 23,
    }


def test_items_have_the_seed_schema_fields(listing: Listing) -> None:
    item = listing.get("page[size]=1").json()["data"][0]
    order = listing.orders[0]
    assert item["record_type"] == "number_order"
    assert item["phone_numbers_count"] == order.phone_numbers_count == len(item["phone_numbers"])
    assert item["phone_numbers"] == [{"id": i, "phone_number": p} for i, p in order.phone_numbers]
    assert item["created_at"] == format_micros(order.created_at)
    assert item["created_at"].endswith("Z") and len(item["created_at"]) == 27
    for name in ("connection_id", "messaging_profile_id", "billing_group_id", "customer_reference"):
        assert item.get(name) == getattr(order, name)
        assert item.get(name, "") is not None


def test_every_page_in_turn_returns_every_order_exactly_once(listing: Listing) -> None:
    seen: list[str] = []
    for number in range(1, math.ceil(450 / 37) + 1):
        response = listing.get(f"page[size]=37&page[number]={number}")
        assert response.json()["meta"]["page_number"] == number
        seen += ids(response)
    assert seen == [o.id for o in listing.orders]


def test_a_page_past_the_last_is_empty_with_the_same_meta(listing: Listing) -> None:
    body = listing.get("page[size]=250&page[number]=3").json()
    assert body == {
        "data": [],
        "meta": {"page_number": 3, "page_size": 250, "total_results": 450, "total_pages": 2},
    }
    assert listing.get("page[number]=2147483647").json()["data"] == []


# -- filters ----------------------------------------------------------------------------


def expect(listing: Listing, query: str, keep: Callable[[NumberOrder], object]) -> None:
    wanted = [o.id for o in listing.orders if keep(o)]
    response = listing.get(f"{query}&page[size]=250")
    assert response.status_code == 200, response.text
    assert response.json()["meta"]["total_results"] == len(wanted)
    assert ids(response) == wanted[:250]


@pytest.mark.parametrize("status", ["pending", "success", "failure"])
def test_filter_status(listing: Listing, status: str) -> None:
    expect(listing, f"filter[status]={status}", lambda o: o.status == status)


@pytest.mark.parametrize("met", ["true", "false"])
def test_filter_requirements_met(listing: Listing, met: str) -> None:
    expect(
        listing, f"filter[requirements_met]={met}", lambda o: o.requirements_met == (met == "true")
    )


@pytest.mark.parametrize("count", [0, 1, 3, 10])
def test_filter_phone_numbers_count(listing: Listing, count: int) -> None:
    expect(
        listing, f"filter[phone_numbers_count]={count}", lambda o: o.phone_numbers_count == count
    )


def test_filter_customer_reference_is_exact_and_case_sensitive(listing: Listing) -> None:
    reference = next(o.customer_reference for o in listing.orders if o.customer_reference)
    expect(
        listing,
        f"filter[customer_reference]={reference}",
        lambda o: o.customer_reference == reference,
    )
    expect(listing, f"filter[customer_reference]={reference.upper()}", lambda o: False)
    expect(listing, f"filter[customer_reference]={reference[:-1]}", lambda o: False)


def test_created_at_bounds_are_strict(listing: Listing) -> None:
    pivot = listing.orders[100]
    stamp = format_micros(pivot.created_at)
    expect(listing, f"filter[created_at][gt]={stamp}", lambda o: o.created_at > pivot.created_at)
    expect(listing, f"filter[created_at][lt]={stamp}", lambda o: o.created_at < pivot.created_at)


def test_created_at_accepts_offsets_dates_and_long_fractions(listing: Listing) -> None:
    pivot = listing.orders[200].created_at
    utc = format_micros(pivot)  # e.g. 2025-03-01T10:20:30.123456Z
    shifted = format_micros(pivot + 2 * 3600 * 1_000_000)[:-1]
    expect(listing, f"filter[created_at][gt]={shifted}789%2B02:00", lambda o: o.created_at > pivot)
    expect(
        listing,
        f"filter[created_at][gt]={utc.replace('T', 't').replace('Z', 'z')}",
        lambda o: o.created_at > pivot,
    )
    day = utc[:10]
    from number_orders.domain.timestamps import parse_instant

    midnight = parse_instant(day)
    assert midnight is not None
    expect(listing, f"filter[created_at][lt]={day}", lambda o: o.created_at < midnight)


def test_filters_combine_with_and(listing: Listing) -> None:
    pivot = listing.orders[300].created_at
    expect(
        listing,
        f"filter[status]=success&filter[requirements_met]=true&filter[created_at][gt]={format_micros(pivot)}",
        lambda o: o.status == "success" and o.requirements_met and o.created_at > pivot,
    )


def test_brackets_may_be_percent_encoded_and_order_does_not_matter(listing: Listing) -> None:
    plain = listing.get("page[size]=5&filter[status]=success").json()
    encoded = listing.get("filter%5Bstatus%5D=success&page%5Bsize%5D=5").json()
    assert plain == encoded


def test_other_top_level_parameters_are_ignored(listing: Listing) -> None:
    assert ids(listing.get("sort=x&include=y&foo=1&foo=2")) == ids(listing.get())


# -- bad parameters ---------------------------------------------------------------------

BAD = [
    ("page[size]", "0"),
    ("page[size]", "251"),
    ("page[size]", "-1"),
    ("page[size]", "%2B5"),
    ("page[size]", "1.0"),
    ("page[size]", "%201"),
    ("page[size]", "%D9%A1"),  # ARABIC-INDIC DIGIT ONE
    ("page[size]", ""),
    ("page[number]", "0"),
    ("page[number]", "2147483648"),
    ("page[number]", "99999999999999999999999"),
    ("filter[status]", "done"),
    ("filter[status]", "Success"),
    ("filter[status]", ""),
    ("filter[created_at][gt]", "yesterday"),
    ("filter[created_at][gt]", "2024-02-30"),
    ("filter[created_at][gt]", "2024-01-01T00:00:60Z"),
    ("filter[created_at][gt]", "2024-01-01T00:00:00+01:00"),  # '+' unencoded is a space
    ("filter[created_at][lt]", "2024-01-01T00:00:00"),
    ("filter[created_at][lt]", "2024-01-01T00:00:00.Z"),
    ("filter[created_at][lt]", "2024-01-01T00:00:00.1234567890Z"),
    ("filter[created_at][lt]", "2024-01-01 00:00:00Z"),
    ("filter[phone_numbers_count]", "-1"),
    ("filter[phone_numbers_count]", "two"),
    ("filter[phone_numbers_count]", ""),
    ("filter[customer_reference]", ""),
    ("filter[customer_reference]", "a%00b"),
    ("filter[customer_reference]", "a%0Ab"),
    ("filter[customer_reference]", "%FF%FE"),
    ("filter[requirements_met]", "True"),
    ("filter[requirements_met]", "1"),
]


@pytest.mark.parametrize(("key", "value"), BAD)
def test_bad_values_are_400_naming_the_parameter(listing: Listing, key: str, value: str) -> None:
    response = listing.get(f"{key}={value}")
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert error["code"] == "10015"
    assert error["title"] == "Bad Request"
    assert error["source"] == {"parameter": key}
    assert error["meta"] == {"url": "https://developers.telnyx.com/docs/overview/errors/10015"}
    assert key in error["detail"]


def test_detail_says_what_is_allowed(listing: Listing) -> None:
    [error] = listing.get("page[size]=0").json()["errors"]
    assert error["detail"] == 'page[size] must be an integer from 1 to 250; got "0"'


UNKNOWN = [
    "filter",
    "page",
    "filter[created_at]",
    "filter[created_at][eq]",
    "filter[status][in]",
    "filter[foo]",
    "page[offset]",
    "filter[status",
    "filterx",
    "pages[size]",
]


@pytest.mark.parametrize("key", UNKNOWN)
def test_unsupported_filter_and_page_keys_are_400(listing: Listing, key: str) -> None:
    response = listing.get(f"{key}=1")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["source"] == {"parameter": key}
    assert "filter[status]" in error["detail"]  # names the supported keys


def test_a_repeated_parameter_is_400(listing: Listing) -> None:
    response = listing.get("page[size]=5&page[size]=5")
    assert response.status_code == 400
    assert [e["source"]["parameter"] for e in response.json()["errors"]] == ["page[size]"]


def test_several_bad_parameters_give_one_error_each_in_query_order(listing: Listing) -> None:
    response = listing.get("filter[status]=x&page[size]=0&sort=ok&filter[zzz]=1&page[number]=a")
    assert response.status_code == 400
    params = [e["source"]["parameter"] for e in response.json()["errors"]]
    assert params == ["filter[status]", "page[size]", "filter[zzz]", "page[number]"]


def test_hundreds_of_bad_parameters_list_the_first_hundred_and_count_the_rest(
    listing: Listing,
) -> None:
    query = "&".join(f"filter[x{i}]=1" for i in range(500))
    response = listing.get(query)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert len(errors) == 101
    assert [e["source"]["parameter"] for e in errors[:100]] == [f"filter[x{i}]" for i in range(100)]
    assert errors[100]["code"] == "10015" and "400 more" in errors[100]["detail"]


# -- authentication, routes, methods ----------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Basic abc", "Bearer KEYnotakey", "Token x"],
)
def test_bad_credentials_are_401_with_the_exact_body(listing: Listing, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    with listing.app.client() as client:
        response = client.get("/number_orders", headers=headers)
    assert response.status_code == 401
    assert response.json() == AUTH_FAILED


def test_an_unknown_well_formed_key_is_401(listing: Listing) -> None:
    forged = "KEY" + "0" * 32 + "_" + "A" * 43
    assert listing.get(key=forged).json() == AUTH_FAILED
    tampered = listing.key[:-1] + ("A" if listing.key[-1] != "A" else "B")
    assert listing.get(key=tampered).status_code == 401


def test_the_scheme_word_is_case_insensitive(listing: Listing) -> None:
    with listing.app.client() as client:
        response = client.get("/number_orders", headers={"Authorization": f"bearer {listing.key}"})
    assert response.status_code == 200


def test_authentication_comes_before_routing(listing: Listing) -> None:
    with listing.app.client() as anonymous:
        assert anonymous.get("/nope").status_code == 401
        assert anonymous.post("/number_orders/x/y").status_code == 401


def test_unknown_routes_and_trailing_slashes_are_404(listing: Listing) -> None:
    with listing.app.client(listing.key) as client:
        for path in ("/nope", "/number_orders/", "/number_orders/a/b"):
            response = client.get(path, follow_redirects=False)
            assert response.status_code == 404, path
            [error] = response.json()["errors"]
            assert error["code"] == "10005"
            assert error["title"] == "Resource not found"


def test_wrong_method_is_405_with_allow(listing: Listing) -> None:
    with listing.app.client(listing.key) as client:
        response = client.delete("/number_orders")
    assert response.status_code == 405
    assert "GET" in response.headers["allow"]
    assert response.json()["errors"][0]["code"] == "10015"


def test_head_answers_like_get_without_a_body(listing: Listing) -> None:
    with listing.app.client(listing.key) as client:
        response = client.head("/number_orders")
        get = client.get("/number_orders")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == get.headers["content-length"]


def test_accounts_never_see_each_other(listing: Listing) -> None:
    mine = listing.get("page[size]=250&page[number]=1").json()
    theirs = listing.get("page[size]=250", key=listing.other_key).json()
    assert theirs["meta"]["total_results"] == 60
    assert ids_of(theirs) == [o.id for o in listing.other_orders]
    assert not set(ids_of(mine)) & set(ids_of(theirs))


def ids_of(body: dict[str, Any]) -> list[str]:
    return [item["id"] for item in body["data"]]


def test_revoked_keys_stop_working(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'k.sqlite3'}")
    from number_orders.service import NumberOrdersService

    issued = NumberOrdersService(store).create_api_key("acme")
    settings = Settings(database_url="", rate_limit=0, demo=False, run_worker=False)
    with InProcess(settings, store) as app, app.client(issued.token) as client:
        assert client.get("/number_orders").status_code == 200
        assert store.revoke_api_key(issued.key_id, 1)
        assert client.get("/number_orders").json() == AUTH_FAILED
    store.close()
