"""The interactive API reference at /v2/docs (Swagger UI from a package, offline) in a
real browser, on both engines: every operation listed, parameters resolved, the
Idempotency-Key a header, and "try it out" answered with an API key."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, expect

from number_orders.storage.sql_store import SqlStore
from tests.support.app import new_key
from tests.support.browser import LAPTOP, Watched, chromium
from tests.support.live import LiveServer

_METHODS = ("get", "post", "patch", "put", "delete")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport=LAPTOP)
    yield Watched(context.new_page())
    context.close()


def test_the_reference_lists_every_operation_and_tries_one_with_a_key(
    live: LiveServer, store: SqlStore, page: Watched, engine_name: str
) -> None:
    document = httpx.get(live.base_url + "/openapi.json").json()
    operations = [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in _METHODS
    ]
    p = page.page
    p.goto(live.base_url + "/docs")
    blocks = p.locator(".opblock")
    expect(blocks).to_have_count(len(operations))
    for method, path, operation in operations:
        block = p.locator(
            f"#operations-{operation['tags'][0].replace(' ', '_')}-{operation['operationId']}"
        )
        expect(block.locator(".opblock-summary-method")).to_have_text(method)
        expect(block.locator(".opblock-summary-path")).to_have_attribute("data-path", path)
    page.screenshot(f"{engine_name}-reference")

    create = p.locator("#operations-Phone_Number_Orders-CreateNumberOrder")
    create.locator(".opblock-summary").click()
    idempotency = create.locator('tr[data-param-name="Idempotency-Key"]')
    expect(idempotency).to_have_attribute("data-param-in", "header")
    expect(create.locator('tr[data-param-in="query"]')).to_have_count(0)

    key = new_key(store, "acme")
    p.get_by_role("button", name="Authorize").first.click()
    p.locator(".modal-ux input").fill(key)
    p.locator(".modal-ux button.authorize").click()
    expect(p.locator(".modal-ux")).to_contain_text("Authorized")
    p.locator(".modal-ux button.btn-done").click()

    listing = p.locator("#operations-Phone_Number_Orders-ListNumberOrders")
    listing.locator(".opblock-summary").click()
    listing.get_by_role("button", name="Try it out").click()
    # Swagger UI fills an object parameter with a sample of every field; a person edits it.
    listing.locator('tr[data-param-name="filter"] textarea').fill('{"status": "success"}')
    listing.get_by_role("button", name="Execute").click()
    expect(listing.locator(".request-url")).to_contain_text("filter%5Bstatus%5D=success")
    response = listing.locator(".live-responses-table tbody .response-col_status").first
    expect(response).to_have_text("200")
    expect(listing.locator(".live-responses-table")).to_contain_text('"total_results": 0')
    listing.locator(".live-responses-table").scroll_into_view_if_needed()
    page.screenshot(f"{engine_name}-reference-tried", full_page=False)
    assert not page.problems


def test_the_reference_is_served_offline_under_a_strict_policy(live: LiveServer) -> None:
    for path in ("/v2/docs", "/docs"):
        response = httpx.get(live.root_url + path)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "default-src 'none'" in policy
        assert "http:" not in response.text and "https:" not in response.text
    bundle = httpx.get(live.root_url + "/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200
    assert bundle.headers["content-type"].startswith("text/javascript")
    assert httpx.get(live.root_url + "/docs/assets/nothing.js").status_code == 404


def test_a_tab_signed_in_to_the_console_tries_operations_with_its_key(
    live: LiveServer, store: SqlStore, page: Watched
) -> None:
    p = page.page
    p.goto(live.root_url + "/console")
    key_field = p.get_by_label("API key", exact=True)
    key_field.fill(new_key(store, "acme"))
    key_field.press("Enter")
    expect(p.get_by_role("button", name="Sign out")).to_be_visible()
    p.get_by_role("link", name="API reference").click()
    listing = p.locator("#operations-Phone_Number_Orders-ListNumberOrders")
    listing.locator(".opblock-summary").click()
    listing.get_by_role("button", name="Try it out").click()
    listing.locator('tr[data-param-name="filter"] textarea').fill("{}")
    listing.get_by_role("button", name="Execute").click()
    expect(listing.locator(".live-responses-table tbody .response-col_status").first).to_have_text(
        "200"
    )
    assert not page.problems
