"""The console's number pages in a real browser (headless Chromium), on both engines:
search and order, reserve then order, edit and release an owned number, extend a
reservation, an API error in words, and every page at a phone's width. Screenshots go to
tests/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, expect

from number_orders.seed.factory import OrderFactory
from number_orders.service import NumberOrdersService
from number_orders.storage.sql_store import SqlStore
from tests.support.browser import LAPTOP, PHONE, Watched, chromium
from tests.support.console import Console, overflow, sign_in
from tests.support.live import LiveServer, client_for
from tests.support.orders import settled

AREA = "312"  # Chicago: US numbers, reservable, no requirements


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def console(live: LiveServer, store: SqlStore, engine_name: str) -> Iterator[Console]:
    issued = NumberOrdersService(store).create_api_key("acme")
    store.insert_number_orders(issued.account.account_id, OrderFactory(seed=11).orders(12))
    with client_for(live, issued.token) as client:
        console = Console(live, issued.token, client, engine_name)
        # The first search of a country builds its catalogues, once per process (seconds):
        # before the browser looks, so no page waits for it.
        available(console, 1)
        yield console


@pytest.fixture
def page(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport=LAPTOP)
    yield Watched(context.new_page())
    context.close()


def available(console: Console, limit: int = 2, **filters: str) -> list[str]:
    params = {"filter[national_destination_code]": AREA, "filter[limit]": str(limit)}
    params |= {f"filter[{k}]": v for k, v in filters.items()}
    answer = console.client.get("/available_phone_numbers", params=params)
    assert answer.status_code == 200, answer.text
    return [n["phone_number"] for n in answer.json()["data"]]


def owned(console: Console, phone_number: str) -> list[dict[str, Any]]:
    params = {"filter[phone_number]": phone_number}
    data: list[dict[str, Any]] = console.client.get("/phone_numbers", params=params).json()["data"]
    return [n for n in data if n["phone_number"] == phone_number]


def bought(console: Console) -> dict[str, Any]:
    """A number the account owns, ordered through the API from the search."""
    phone_number = available(console, 1)[0]
    body = {"phone_numbers": [{"phone_number": phone_number}]}
    order = console.client.post("/number_orders", json=body).json()["data"]
    assert settled(console.client, order["id"])["status"] == "success"
    (record,) = owned(console, phone_number)
    return record


def found_numbers(p: Page) -> list[str]:
    numbers: list[str] = p.locator("tr[data-phone-number]").evaluate_all(
        "rows => rows.map(r => r.dataset.phoneNumber)"
    )
    return numbers


def listed(p: Page, **query: str) -> None:
    """Waits until the list asked for with these filters (typed ones re-list after a
    pause) is shown, so that a click lands on it rather than on the list before."""
    for name, value in query.items():
        expect(p).to_have_url(re.compile(rf"[?&]{name}={re.escape(quote(value))}(&|$)"))
    expect(p.locator(".results")).not_to_have_attribute("aria-busy", "true")


ORDER_PAGE = re.compile(r"/console/orders/([0-9a-f-]{36})$")


def settled_order_page(p: Page) -> str:
    """The order the console opened, once its page shows it settled: its id."""
    expect(p).to_have_url(ORDER_PAGE)
    match = ORDER_PAGE.search(p.url)
    assert match is not None
    expect(p.get_by_role("heading", level=1)).to_contain_text(match[1])
    expect(p.locator(".facts dd").first).to_have_text("success", timeout=20_000)
    return match[1]


def test_search_pick_by_keyboard_and_order_then_the_number_is_owned(
    console: Console, page: Watched
) -> None:
    p = page.page
    p.goto(console.url("/console/new"))
    sign_in(p, console)
    expect(p.get_by_role("heading", level=1)).to_have_text("New order")
    expect(p.get_by_role("link", name="New order")).to_have_attribute("aria-current", "page")
    p.get_by_label("Area code").fill(AREA)
    p.get_by_label("voice", exact=True).check()
    p.get_by_label("How many").fill("5")
    p.get_by_label("How many").press("Enter")
    expect(p.locator("#found-heading")).to_have_text("5 available numbers")
    assert f"area={AREA}" in p.url and "features=voice" in p.url
    numbers = found_numbers(p)
    assert all(n.startswith(f"+1{AREA}") for n in numbers)
    row = p.locator(f'tr[data-phone-number="{numbers[0]}"]')
    expect(row.locator('td[data-label="Region"]')).to_contain_text("Chicago")
    expect(row.locator('td[data-label="Features"]')).to_contain_text("voice")
    expect(row.locator('td[data-label="Reservable"]')).to_have_text("yes")

    box = p.get_by_role("checkbox", name=f"Pick {numbers[0]}")
    box.focus()
    p.keyboard.press("Space")
    expect(box).to_be_checked()
    expect(p.locator(".picked")).to_have_text("1 picked")
    expect(p.get_by_role("list", name="Picked numbers")).to_have_text(f"{numbers[0]} ✕")
    p.get_by_label("Customer reference", exact=True).fill("console-order")
    page.screenshot(f"{console.engine}-new-order")
    p.get_by_role("button", name="Order picked").focus()
    p.keyboard.press("Enter")

    order_id = settled_order_page(p)
    expect(p.locator("tr[data-number-id]")).to_have_count(1)
    expect(p.locator("tr[data-number-id] td").first).to_have_text(numbers[0])
    order = console.client.get(f"/number_orders/{order_id}").json()["data"]
    assert order["customer_reference"] == "console-order"
    assert [n["phone_number"] for n in order["phone_numbers"]] == [numbers[0]]

    p.get_by_role("link", name="Numbers", exact=True).click()
    p.get_by_label("Phone number").fill(numbers[0].removeprefix("+"))
    expect(p.locator(".results .pager .total")).to_have_text("1 number")
    shown = p.locator(f'tr[data-phone-number="{numbers[0]}"]')
    expect(shown.locator('td[data-label="Status"]')).to_have_text("active")
    expect(shown.locator('td[data-label="Type"]')).to_have_text("local")
    assert owned(console, numbers[0])[0]["status"] == "active"
    assert not page.problems


def test_reserve_then_order_takes_the_reservation_over(console: Console, page: Watched) -> None:
    p = page.page
    p.goto(console.url(f"/console/new?area={AREA}&limit=4"))  # the search in the address
    sign_in(p, console)
    expect(p.locator("#found-heading")).to_have_text("4 available numbers")
    expect(p.get_by_label("Area code")).to_have_value(AREA)
    first, second = found_numbers(p)[:2]
    p.get_by_role("checkbox", name=f"Pick {first}").check()
    p.get_by_role("checkbox", name=f"Pick {second}").check()
    expect(p.locator(".picked")).to_have_text("2 picked")
    p.get_by_role("button", name="Reserve picked").click()
    card = p.locator(".reservation")
    for number in (first, second):
        held = card.locator(f'li[data-phone-number="{number}"]')
        expect(held.locator(".badge")).to_have_text("success")
        expect(held).to_contain_text("held until")
    reservation_id = card.get_attribute("data-reservation-id")
    reservation = console.client.get(f"/number_reservations/{reservation_id}").json()["data"]
    assert reservation["status"] == "success"
    assert sorted(n["phone_number"] for n in reservation["phone_numbers"]) == sorted(
        [first, second]
    )
    page.screenshot(f"{console.engine}-new-order-reserved")

    p.get_by_role("button", name="Order picked").click()
    order_id = settled_order_page(p)
    order = console.client.get(f"/number_orders/{order_id}").json()["data"]
    assert sorted(n["phone_number"] for n in order["phone_numbers"]) == sorted([first, second])
    assert all(n["status"] == "success" for n in order["phone_numbers"])
    after = console.client.get(f"/number_reservations/{reservation_id}").json()["data"]
    # The order took the numbers over: their holds ended when it was made.
    assert all(n["expired_at"] <= order["updated_at"] for n in after["phone_numbers"])
    assert not page.problems


def test_edit_a_numbers_tags_and_reference_then_release_it(console: Console, page: Watched) -> None:
    record = bought(console)
    number = record["phone_number"]
    p = page.page
    p.goto(console.url("/console/numbers"))
    sign_in(p, console)
    p.get_by_label("Phone number").fill(number[-7:])
    listed(p, phone_number=number[-7:])
    expect(p.locator(".results .pager .total")).to_have_text("1 number")
    row = p.locator(f'tr[data-phone-number="{number}"]')
    expect(row).to_have_count(1)

    row.get_by_role("button", name=f"Edit {number}").click()
    tags = p.get_by_label(f"Tags of {number}")
    expect(tags).to_be_focused()
    tags.fill("blue, sales")
    reference = p.get_by_label(f"Customer reference of {number}")
    reference.fill("desk-7")
    reference.press("Enter")
    expect(row.get_by_role("status")).to_have_text("Saved.")
    expect(row.locator('td[data-label="Tags"] li')).to_have_text(["blue", "sales"])
    expect(row.locator('td[data-label="Customer reference"]')).to_have_text("desk-7")
    expect(row.get_by_role("button", name=f"Edit {number}")).to_be_focused()
    stored = console.client.get(f"/phone_numbers/{record['id']}").json()["data"]
    assert (stored["tags"], stored["customer_reference"]) == (["blue", "sales"], "desk-7")

    # Each filter the API has, re-listed as it changes, keeps the number.
    p.get_by_label("Phone number").fill("")
    p.get_by_label("Tag", exact=True).fill("sales")
    expect(p.locator(".results .pager .total")).to_have_text("1 number")
    p.get_by_label("Tag", exact=True).fill("")
    p.get_by_label("Customer reference", exact=True).fill("desk-7")
    p.get_by_label("Status", exact=True).select_option("active")
    p.get_by_label("Number type").select_option("local")
    p.get_by_label("Country", exact=True).fill("US")
    expect(p.locator(".results .pager .total")).to_have_text("1 number")
    expect(row).to_have_count(1)
    p.get_by_label("Country", exact=True).fill("GB")
    expect(p.locator(".results .empty")).to_have_text("No numbers match these filters.")
    p.get_by_label("Country", exact=True).fill("US")
    listed(p, country="US")
    expect(row).to_have_count(1)
    page.screenshot(f"{console.engine}-numbers-edited")

    row.get_by_role("button", name=f"Release {number}").click()
    confirm = row.get_by_role("group", name="Confirm release")
    expect(confirm).to_contain_text("Release this number?")
    row.get_by_role("button", name="Keep it").click()  # changing one's mind keeps it
    expect(confirm).to_have_count(0)
    row.get_by_role("button", name=f"Release {number}").click()
    yes = row.get_by_role("button", name=f"Yes, release {number}")
    expect(yes).to_be_focused()
    page.screenshot(f"{console.engine}-numbers-release")
    p.keyboard.press("Enter")
    expect(row.get_by_role("status")).to_have_text(f"Released {number}.")
    expect(row).to_have_count(0)  # the list again, as the API has it
    expect(p.locator(".results .empty")).to_be_visible()
    assert console.client.get(f"/phone_numbers/{record['id']}").status_code == 404
    assert owned(console, number) == []

    # Free again: the search finds it.
    p.goto(console.url(f"/console/new?area={AREA}&digits={number[-7:]}"))
    expect(p.locator(f'tr[data-phone-number="{number}"]')).to_have_count(1)
    assert not page.problems


def test_the_reservations_page_extends_one_and_says_why_it_cannot(
    console: Console, page: Watched
) -> None:
    number = available(console, 1)[0]
    body = {"phone_numbers": [{"phone_number": number}], "customer_reference": "hold-me"}
    created = console.client.post("/number_reservations", json=body).json()["data"]
    before = created["phone_numbers"][0]["expired_at"]
    p = page.page
    p.goto(console.url("/console/reservations?status=success"))
    sign_in(p, console)
    expect(p.get_by_label("Status", exact=True)).to_have_value("success")
    row = p.locator(f'tr[data-reservation-id="{created["id"]}"]')
    expect(row.locator('td[data-label="Status"]')).to_have_text("success")
    expect(row.locator('td[data-label="Customer reference"]')).to_have_text("hold-me")
    expect(row.locator('td[data-label="Numbers"]')).to_contain_text(f"{number} success held until")
    p.get_by_label("Status", exact=True).select_option("failure")
    expect(row).to_have_count(0)
    p.get_by_label("Status", exact=True).select_option("")
    p.get_by_label("Phone number").fill(number)
    listed(p, phone_number=number)
    expect(p.locator(".results .pager .total")).to_have_text("1 reservation")

    row.get_by_role("button", name=f"Extend reservation {created['id']}").click()
    expect(row.get_by_role("status")).to_contain_text("Extended: held until")
    after = console.client.get(f"/number_reservations/{created['id']}").json()["data"]
    assert after["phone_numbers"][0]["expired_at"] > before
    page.screenshot(f"{console.engine}-reservations")

    # Once ordered, the reservation holds nothing: the API's refusal, in words.
    order = {"phone_numbers": [{"phone_number": number}]}
    assert console.client.post("/number_orders", json=order).status_code == 200
    answer = console.client.post(f"/number_reservations/{created['id']}/actions/extend")
    problem = answer.json()["errors"][0]
    row.get_by_role("button", name=f"Extend reservation {created['id']}").click()
    alert = row.get_by_role("alert")
    expect(alert).to_contain_text("Not extended.")
    expect(alert).to_contain_text(f"{problem['title']} ({problem['code']}): {problem['detail']}")
    assert not page.problems


def test_a_bad_search_filter_is_shown_in_words(console: Console, page: Watched) -> None:
    p = page.page
    p.goto(console.url("/console/new"))
    sign_in(p, console)
    p.get_by_label("Area code").fill("31x")
    p.get_by_role("button", name="Search").click()
    answer = console.client.get(
        "/available_phone_numbers", params={"filter[national_destination_code]": "31x"}
    )
    assert answer.status_code == 400
    problem = answer.json()["errors"][0]
    alert = p.get_by_role("alert")
    expect(alert).to_contain_text("Could not search.")
    expect(alert).to_contain_text(
        f"{problem['title']} ({problem['code']}): {problem['detail']}"
        " [filter[national_destination_code]]"
    )
    page.screenshot(f"{console.engine}-new-order-error")
    assert not page.problems


def test_on_a_phone_the_number_pages_fit_the_screen(console: Console, browser: Browser) -> None:
    bought(console)
    number = available(console, 1)[0]
    console.client.post("/number_reservations", json={"phone_numbers": [{"phone_number": number}]})
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = Watched(context.new_page())
    try:
        p = page.page
        p.goto(console.url(f"/console/new?area={AREA}&limit=3"))
        sign_in(p, console)
        expect(p.locator("tr[data-phone-number]")).to_have_count(3)
        p.get_by_role("checkbox", name=f"Pick {found_numbers(p)[0]}").check()
        assert overflow(p) <= 0
        page.screenshot(f"{console.engine}-new-order-phone", full_page=False)
        for path, rows in (
            ("numbers", "tr[data-phone-number]"),
            ("reservations", "tr[data-reservation-id]"),
        ):
            p.get_by_role("link", name=path.title(), exact=True).click()
            expect(p.locator(rows)).not_to_have_count(0)
            p.locator(rows).first.get_by_role("button").first.click()  # Edit; Extend
            assert overflow(p) <= 0, path
            page.screenshot(f"{console.engine}-{path}-phone", full_page=False)
        assert not page.problems
    finally:
        context.close()
