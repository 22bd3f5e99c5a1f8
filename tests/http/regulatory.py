"""A live server for the regulatory resources (catalogue, requirement groups, comments)
with configured requirement rules and its own worker, on either engine."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from number_orders.config import Settings
from number_orders.domain.regulatory import requirement_id
from number_orders.server import open_store
from tests.conftest import make_database_url, new_key
from tests.live import LiveServer
from tests.orders import AccountsServer, wait_until

RULES = "US=,CA=,GB=address+document,JP=textual+datetime,*=address"
UNKNOWN = "0b1e5a7c-2f4d-4e8a-9c3b-5d6e7f8a9b0c"
MALFORMED = ["nope", "123", UNKNOWN + "0", UNKNOWN[:-1], UNKNOWN.replace("-", ""), "%00", "%FF"]
GB_ADDRESS, GB_DOCUMENT = requirement_id("GB", "address"), requirement_id("GB", "document")
DE_ADDRESS = requirement_id("DE", "address")


@dataclass
class Regulatory(AccountsServer):
    def get(self, path: str, key: str | None = None, **params: Any) -> httpx.Response:
        """A GET with `params`, or with the query written in `path` (httpx drops that
        query when given params, even none)."""
        with self.client(key) as client:
            return client.get(path, params=params or None)

    def ok(self, method: str, path: str, key: str | None = None, **kwargs: Any) -> Any:
        """The JSON body of a request that must succeed."""
        with self.client(key) as client:
            response = client.request(method, path, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()

    def send(self, method: str, path: str, key: str | None = None, **kwargs: Any) -> httpx.Response:
        with self.client(key) as client:
            return client.request(method, path, **kwargs)

    def group(self, country: str = "DE", *values: tuple[str, str], **fields: Any) -> Any:
        body = {
            "country_code": country,
            "phone_number_type": "local",
            "action": "ordering",
            "regulatory_requirements": [{"requirement_id": r, "field_value": v} for r, v in values],
            **fields,
        }
        return self.ok("POST", "/requirement_groups", json=body)

    def reviewed(self, group_id: str, key: str | None = None) -> Any:
        """The group once the worker has reviewed it."""
        return wait_until(
            lambda: (
                (g := self.ok("GET", f"/requirement_groups/{group_id}", key))
                and g["status"] not in ("pending-approval", "unapproved")
                and g
            )
        )


def regulatory_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Regulatory]:
    """A server with the module's engine (`request.param`), its own worker reviewing
    groups at once, and two accounts' keys."""
    postgres = request.getfixturevalue("postgres") if request.param == "postgresql" else None
    url = make_database_url(request.param, postgres, tmp_path_factory.mktemp("regulatory"))  # type: ignore[arg-type]
    store = open_store(url)
    key, other_key = new_key(store, "acme"), new_key(store, "globex")
    settings = Settings(
        database_url=url, rate_limit=0, demo=False, fulfilment_delay=0.0, requirements=RULES
    )
    with LiveServer(settings, store) as server:
        fixture = Regulatory(server, store, key, other_key)
        yield fixture
        fixture.close()
    store.close()
