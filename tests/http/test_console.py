"""The web console in a real browser (headless Chromium), on both engines: sign in,
list and filter orders, page, open an order by deep link, supply a requirement, sign
out, the list pages by deep link, and errors from the API shown in words. Screenshots go
to tests/screenshots/. Numbers, ordering and reservations: test_console_numbers.py."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from number_orders.domain.accounts import split_api_key
from number_orders.domain.timestamps import now_micros
from number_orders.seed.factory import OrderFactory
from number_orders.service import NumberOrdersService
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import Answer, WebhookReceiver, wait_until
from tests.support.browser import LAPTOP, PHONE, Watched, chromium
from tests.support.console import Console, overflow, sign_in, stored
from tests.support.live import LiveServer, client_for
from tests.support.orders import number, order_body, quiet, settled
from tests.support.sandbox import ADMIN_TOKEN, LiveSandbox

ADDRESS = "45f45a04-b4be-4592-95b1-9306b9db2b21"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def serving_console(server: LiveServer, store: SqlStore, engine: str) -> Iterator[Console]:
    issued = NumberOrdersService(store).create_api_key("acme")
    store.insert_number_orders(issued.account.account_id, OrderFactory(seed=7).orders(26))
    with client_for(server, issued.token) as client:
        failing = client.post("/number_orders", json=order_body(number(suffix="0000"))).json()
        settled(client, failing["data"]["id"])
        yield Console(server, issued.token, client, engine)


@pytest.fixture
def console(live: LiveServer, store: SqlStore, engine_name: str) -> Iterator[Console]:
    yield from serving_console(live, store, engine_name)


@pytest.fixture
def sandboxed(sandbox: LiveSandbox, store: SqlStore, engine_name: str) -> Iterator[Console]:
    """The console on a server with the sandbox on (its admin token: `ADMIN_TOKEN`)."""
    yield from serving_console(sandbox.server, store, engine_name)


@pytest.fixture
def page(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport=LAPTOP)
    yield Watched(context.new_page())
    context.close()


def shown_ids(page: Page) -> list[str]:
    ids: list[str] = page.locator("tr[data-order-id]").evaluate_all(
        "rows => rows.map(r => r.dataset.orderId)"
    )
    return ids


def test_sign_in_with_enter_then_filter_by_status_at_once_and_page(
    console: Console, page: Watched
) -> None:
    p = page.page
    p.goto(console.url("/console"))
    expect(p.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(p.get_by_label("API key", exact=True)).to_have_count(1)
    expect(p.get_by_role("navigation", name="Console")).to_be_hidden()
    page.screenshot(f"{console.engine}-sign-in")
    sign_in(p, console)

    expect(p.get_by_role("heading", name="Orders", exact=True)).to_be_visible()
    first, total = console.order_ids(size=20)
    expect(p.locator("tr[data-order-id]")).to_have_count(len(first))
    assert shown_ids(p) == first  # newest first, as the API lists them
    expect(p.locator(".pager .total")).to_have_text(f"{total} orders")
    row = p.locator(f'tr[data-order-id="{first[0]}"]')
    for column in ("Created", "Status", "Numbers", "Requirements met", "Customer reference"):
        expect(row.locator(f'td[data-label="{column}"]')).not_to_be_empty()
    page.screenshot(f"{console.engine}-orders")

    status = p.get_by_label("Status", exact=True)
    assert status.evaluate("node => node.tagName") == "SELECT"
    status.select_option("failure")  # no Apply: the list follows the choice
    failed, failed_total = console.order_ids(status="failure", size=20)
    assert failed_total >= 1
    expect(p.locator(".pager .total")).to_have_text(f"{failed_total} orders")
    expect(p.locator("tr[data-order-id]")).to_have_count(len(failed))
    assert shown_ids(p) == failed
    expect(p.locator('tr[data-order-id] td[data-label="Status"]')).to_have_text(
        ["failure"] * len(failed)
    )
    assert p.get_by_role("button", name="Apply").count() == 0
    assert "status=failure" in p.url
    p.reload()  # the filter is in the address: a reload lists the same
    expect(p.get_by_label("Status", exact=True)).to_have_value("failure")
    expect(p.locator("tr[data-order-id]")).to_have_count(len(failed))
    page.screenshot(f"{console.engine}-orders-failure")

    status.select_option("")
    p.get_by_label("Per page").select_option("10")
    pages = -(-total // 10)
    expect(p.locator(".pager .page")).to_have_text(f"Page 1 of {pages}")
    p.get_by_role("button", name="Next").click()
    expect(p.locator(".pager .page")).to_have_text(f"Page 2 of {pages}")
    second, _ = console.order_ids(size=10, number=2)
    expect(p.locator("tr[data-order-id]")).to_have_count(len(second))
    assert shown_ids(p) == second

    # A row's link opens the order from the keyboard.
    p.locator(f'tr[data-order-id="{second[0]}"] a').focus()
    p.keyboard.press("Enter")
    expect(p.get_by_role("heading", level=1)).to_contain_text(second[0])
    assert console.key not in p.url
    assert stored(p)["local"] == 0
    assert not page.problems


def test_an_order_by_deep_link_survives_a_reload_and_completes_after_its_requirement(
    console: Console, page: Watched
) -> None:
    created = console.client.post(
        "/number_orders", json=order_body(number("GB"), number(), customer_reference="console")
    ).json()["data"]
    quiet(console.client, created["id"])
    p = page.page
    deep_link = console.url(f"/console/orders/{created['id']}")
    p.goto(deep_link)
    sign_in(p, console)  # signing in keeps the address asked for
    heading = p.get_by_role("heading", level=1)
    expect(heading).to_contain_text(created["id"])
    p.reload()
    expect(heading).to_contain_text(created["id"])
    expect(p.get_by_label("API key", exact=True)).to_have_count(0)

    numbers = p.locator("tr[data-number-id]")
    expect(numbers).to_have_count(2)
    gb = numbers.filter(has_text="+44")
    expect(gb.locator('td[data-label="Status"]')).to_have_text("pending")
    expect(gb.locator('td[data-label="Type"]')).to_have_text("local")
    expect(gb.locator('td[data-label="Requirements"]')).to_have_text("address: missing")
    expect(gb.locator('td[data-label="Deadline"]')).not_to_be_empty()
    expect(p.locator("#sub-orders-heading + *")).to_contain_text(
        created["sub_number_orders_ids"][0][:8]
    )
    expect(p.locator("#events-heading + *")).not_to_be_empty()
    page.screenshot(f"{console.engine}-order-pending")

    p.get_by_label("Address for GB numbers").fill(ADDRESS)
    p.get_by_role("button", name="Save").click()
    expect(p.locator(".outcome")).to_contain_text("Saved.")
    summary_status = p.locator(".facts dd").first
    expect(summary_status).to_have_text("success", timeout=20_000)  # the worker settled it
    expect(gb.locator('td[data-label="Requirements"]')).to_have_text(f"address: {ADDRESS}")
    after = console.client.get(f"/number_orders/{created['id']}").json()["data"]
    assert after["status"] == "success"
    page.screenshot(f"{console.engine}-order-complete")

    p.get_by_role("button", name="Sign out").click()
    expect(p.get_by_role("heading", name="Sign in")).to_be_visible()
    assert stored(p)["session"] == {}
    p.goto(deep_link)
    expect(p.get_by_role("heading", name="Sign in")).to_be_visible()
    assert not page.problems


def test_a_bad_key_is_refused_in_words_and_not_kept(console: Console, page: Watched) -> None:
    p = page.page
    p.goto(console.url("/console/orders"))
    bad = "KEY0123456789ABCDEF0123456789ABCDEF_not-a-real-secret"
    key_field = p.get_by_label("API key", exact=True)
    expect(key_field).to_be_focused()  # the page opens ready to type
    p.keyboard.press("Tab")
    expect(p.get_by_label("Admin token")).to_be_focused()
    p.keyboard.press("Tab")
    expect(p.get_by_role("button", name="Sign in")).to_be_focused()
    sign_in(p, console, bad)
    alert = p.get_by_role("alert")
    expect(alert).to_contain_text("Sign-in failed.")
    expect(alert).to_contain_text(
        "Authentication failed (10009): Could not understand the provided credentials."
    )
    assert stored(p)["session"] == {}
    assert bad not in p.url
    expect(p.get_by_role("navigation", name="Console")).to_be_hidden()
    page.screenshot(f"{console.engine}-sign-in-refused")
    assert not page.problems


def test_a_key_revoked_while_signed_in_returns_to_sign_in_saying_why(
    console: Console, page: Watched, store: SqlStore
) -> None:
    p = page.page
    p.goto(console.url("/console"))
    sign_in(p, console)
    expect(p.locator("tr[data-order-id]")).not_to_have_count(0)
    parts = split_api_key(console.key)
    assert parts is not None and store.revoke_api_key(parts[0], now_micros())
    p.get_by_label("Status", exact=True).select_option("success")
    expect(p.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(p.get_by_role("alert")).to_contain_text(
        "Authentication failed (10009): Could not understand the provided credentials."
    )
    assert stored(p)["session"] == {}
    assert not page.problems


def test_an_orders_webhook_event_shows_its_attempts_and_is_redelivered(
    console: Console, page: Watched, store: SqlStore
) -> None:
    with WebhookReceiver() as receiver:
        NumberOrdersService(store).set_webhook_url("acme", receiver.url)
        receiver.answer(Answer(503))  # the first attempt fails, the retry succeeds
        created = console.client.post("/number_orders", json=order_body(number())).json()["data"]
        settled(console.client, created["id"])
        event_id = receiver.wait_for(2)[0].event_id
        delivery = f"/webhook_deliveries/{event_id}"
        wait_until(lambda: console.client.get(delivery).json()["data"]["status"] == "delivered")

        p = page.page
        p.goto(console.url(f"/console/orders/{created['id']}"))
        sign_in(p, console)
        card = p.locator(f'details.delivery[data-delivery-id="{event_id}"]')
        summary = card.locator("summary").first
        expect(summary).to_contain_text("number_order.complete")
        expect(summary.locator(".badge")).to_have_text("delivered")
        expect(summary).to_contain_text("2 attempts")
        expect(summary).to_contain_text("last response 200")
        summary.click()
        rows = card.locator("tbody tr")
        expect(rows.locator('td[data-label="Response"]')).to_have_text(["503", "200"])
        expect(rows.locator('td[data-label="Errors"]')).to_have_text(["HTTP 503", "—"])
        expect(rows.first.locator('td[data-label="URL"]')).to_have_text(receiver.url)
        page.screenshot(f"{console.engine}-order-webhook-event")

        card.get_by_role("button", name="Redeliver").click()
        sent = receiver.wait_for(3)[2]
        assert (sent.event_id, sent.attempt) == (event_id, 3)
        # The card follows the new round until it ends, and stays open.
        expect(summary).to_contain_text("3 attempts", timeout=15_000)
        expect(summary.locator(".badge")).to_have_text("delivered")
        expect(card.locator(".outcome")).to_have_text("Redelivery delivered.")
        expect(rows.locator('td[data-label="Response"]')).to_have_text(["503", "200", "200"])
        page.screenshot(f"{console.engine}-order-webhook-redelivered")

        p.goto(console.url("/console/webhooks"))
        total = console.client.get("/webhook_deliveries").json()["meta"]["total_results"]
        expect(p.locator(".results .pager .total")).to_have_text(f"{total} webhook events")
        expect(p.locator(f'details.delivery[data-delivery-id="{event_id}"]')).to_have_count(1)
        assert not page.problems


# The paged list pages, each opened by deep link: the API's total, and still signed in
# after a reload.
LIST_PAGES = [
    ("/console/numbers", "Numbers", "/phone_numbers", "numbers"),
    ("/console/reservations", "Reservations", "/number_reservations", "reservations"),
    ("/console/webhooks", "Webhook events", "/webhook_deliveries", "webhook events"),
]


def expect_answer_in_words(region: Locator, answer: httpx.Response) -> None:
    problem = answer.json()["errors"][0]
    expect(region.get_by_role("alert")).to_contain_text(
        f"{problem['title']} ({problem['code']}): {problem['detail']}"
    )


@pytest.mark.parametrize(("path", "title", "endpoint", "noun"), LIST_PAGES)
def test_a_list_page_by_deep_link_shows_the_apis_total_and_survives_a_reload(
    console: Console, page: Watched, path: str, title: str, endpoint: str, noun: str
) -> None:
    p = page.page
    p.goto(console.url(path))
    sign_in(p, console)
    expect(p.get_by_role("heading", level=1)).to_have_text(title)
    expect(p.get_by_role("link", name=title, exact=True)).to_have_attribute("aria-current", "page")
    answer = console.client.get(endpoint)
    assert answer.status_code == 200
    total = answer.json()["meta"]["total_results"]
    said = f"{total:,} {noun.removesuffix('s') if total == 1 else noun}"
    expect(p.locator(".results .pager .total")).to_have_text(said)
    p.reload()
    expect(p.get_by_role("heading", level=1)).to_have_text(title)
    expect(p.locator(".results .pager .total")).to_have_text(said)
    expect(p.get_by_label("API key", exact=True)).to_have_count(0)
    page.screenshot(f"{console.engine}-{path.rsplit('/', 1)[-1]}")
    assert not page.problems


def test_the_sandbox_page_shows_the_journal_and_moves_the_clock(
    sandboxed: Console, sandbox: LiveSandbox, page: Watched
) -> None:
    p = page.page
    p.goto(sandboxed.url("/console/sandbox"))
    sign_in(p, sandboxed)
    p.get_by_label("Admin token").fill(ADMIN_TOKEN)
    p.get_by_role("button", name="Use token").click()
    assert stored(p)["session"]["number-orders.admin-token"] == ADMIN_TOKEN
    p.get_by_label("Account").fill("acme")
    p.get_by_role("button", name="Show requests").click()
    journal = p.locator('section[aria-labelledby="journal-heading"]')
    # The fixture's order (a POST) and its reads, and the console's own requests.
    expect(journal.locator("tr[data-request-id]").first).to_be_visible()
    posted = journal.locator('tr[data-request-id] td[data-label="Method"]', has_text="POST")
    expect(posted).to_have_count(1)
    shown = journal.locator("tr[data-request-id]").evaluate_all(
        "rows => rows.map(r => r.dataset.requestId)"
    )
    newest_first = [e["id"] for e in sandbox.requests("acme", limit=50)]
    assert shown == newest_first[-len(shown) :]  # what the page read, as the API lists it

    clock = p.locator('section[aria-labelledby="clock-heading"]')
    expect(clock).to_contain_text("Sandbox time")
    p.get_by_label("Advance by (seconds)").fill("90")
    p.get_by_role("button", name="Advance").click()
    expect(clock.locator(".outcome")).to_contain_text("Advanced 90 s.")
    assert sandbox.clock()["offset_seconds"] == 90
    p.get_by_role("button", name="Drain").click()
    expect(clock.locator(".outcome")).to_contain_text("Drained")
    page.screenshot(f"{sandboxed.engine}-sandbox")
    assert not page.problems


def test_a_wrong_admin_token_is_said_in_words(sandboxed: Console, page: Watched) -> None:
    p = page.page
    p.goto(sandboxed.url("/console/sandbox"))
    sign_in(p, sandboxed)
    p.get_by_label("Admin token").fill("not-the-admin-token")
    p.get_by_role("button", name="Use token").click()
    clock = p.locator('section[aria-labelledby="clock-heading"]')
    answer = httpx.get(
        sandboxed.url("/_sandbox/clock"), headers={"Authorization": "Bearer not-the-admin-token"}
    )
    assert answer.status_code == 401
    expect_answer_in_words(clock, answer)
    expect(p.get_by_role("button", name="Sign out")).to_be_visible()  # the key stays


def test_on_a_phone_the_orders_fit_the_screen(console: Console, browser: Browser) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = Watched(context.new_page())
    try:
        p = page.page
        p.goto(console.url("/console"))
        sign_in(p, console)
        expect(p.locator("tr[data-order-id]")).not_to_have_count(0)
        assert overflow(p) <= 0
        # Rows are cards: each cell says its column.
        label = p.locator('tr[data-order-id] td[data-label="Status"]').first
        assert "Status" in label.evaluate("td => getComputedStyle(td, '::before').content")
        page.screenshot(f"{console.engine}-orders-phone", full_page=False)
        assert not page.problems
    finally:
        context.close()


# -- the files, over plain HTTP ----------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/console", "text/html"),
        ("/console/orders/0190a8e2-0000-7000-8000-000000000000", "text/html"),
        ("/console/assets/js/main.js", "text/javascript"),
        ("/console/assets/js/pages/orders.js", "text/javascript"),
        ("/console/assets/console.css", "text/css"),
    ],
)
def test_console_files_have_their_type_and_a_strict_policy(
    live: LiveServer, path: str, content_type: str
) -> None:
    response = httpx.get(live.root_url + path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(content_type)
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe" not in policy
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    again = httpx.get(live.root_url + path, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


def test_the_page_loads_nothing_from_elsewhere_and_runs_no_inline_script(
    live: LiveServer,
) -> None:
    html = httpx.get(live.root_url + "/console").text
    assert "http:" not in html and "https:" not in html and '"//' not in html
    assert "<script>" not in html and '<script type="module" src="/console/' in html


def test_an_unknown_console_file_is_a_404_in_the_envelope(live: LiveServer) -> None:
    response = httpx.get(live.root_url + "/console/assets/js/nothing.js")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "10005"
