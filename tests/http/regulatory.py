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
from number_orders.testing import wait_until
from tests.support.app import InProcess, new_key
from tests.support.databases import new_database
from tests.support.orders import Accounts

RULES = "US=,CA=,GB=address+document,JP=textual+datetime,*=address"
UNKNOWN = "0b1e5a7c-2f4d-4e8a-9c3b-5d6e7f8a9b0c"
MALFORMED = ["nope", "123", UNKNOWN + "0", UNKNOWN[:-1], UNKNOWN.replace("-", ""), "%00", "%FF"]
GB_ADDRESS, GB_DOCUMENT = requirement_id("GB", "address"), requirement_id("GB", "document")
DE_ADDRESS = requirement_id("DE", "address")


@dataclass
class Regulatory(Accounts):
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
    url = new_database(request, tmp_path_factory.mktemp("regulatory"))
    store = open_store(url)
    key, other_key = new_key(store, "acme"), new_key(store, "globex")
    settings = Settings(
        database_url=url, rate_limit=0, demo=False, fulfilment_delay=0.0, requirements=RULES
    )
    with InProcess(settings, store) as server:
        fixture = Regulatory(server, store, key, other_key)
        yield fixture
    store.close()
