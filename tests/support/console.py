"""The console's browser tests: a signed-up account on a live server, and signing in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.support.live import LiveServer


@dataclass
class Console:
    server: LiveServer
    key: str
    client: httpx.Client
    engine: str

    def url(self, path: str) -> str:
        return self.server.root_url + path

    def order_ids(self, **query: Any) -> tuple[list[str], int]:
        """The ids of one page of the API's list, and its total."""
        params = {
            f"filter[{k}]" if k not in ("size", "number") else f"page[{k}]": v
            for k, v in query.items()
        }
        body = self.client.get("/number_orders", params=params).json()
        return [o["id"] for o in body["data"]], body["meta"]["total_results"]


def sign_in(page: Page, console: Console, key: str | None = None) -> None:
    """Types the key and presses Enter; with the console's own key, waits until in."""
    field = page.get_by_label("API key", exact=True)
    field.fill(key or console.key)
    field.press("Enter")
    if key is None:
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def stored(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(
        "() => ({session: {...sessionStorage}, local: localStorage.length})"
    )
    return result


def overflow(page: Page) -> int:
    """How far the page is wider than the screen (0 or less: no horizontal scrolling)."""
    width: int = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    return width
