"""Property: no query string, however odd, makes the list endpoint answer a 5xx or non-JSON."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from urllib.parse import quote

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from number_orders.config import Settings
from number_orders.seed.factory import OrderFactory
from number_orders.server import open_store
from number_orders.testing import ServeProcess
from tests.support.app import new_key

KEYS = [
    "page[size]",
    "page[number]",
    "filter[status]",
    "filter[created_at][gt]",
    "filter[created_at][lt]",
    "filter[phone_numbers_count]",
    "filter[customer_reference]",
    "filter[requirements_met]",
    "filter",
    "page",
    "filter[created_at]",
    "filter[status][x]",
    "other",
]
VALUES = ["1", "0", "250", "251", "true", "pending", "2024-01-01", "2024-01-01T00:00:00Z", ""]


@pytest.fixture(scope="module")
def target(module_database_url: str) -> Iterator[tuple[int, str]]:
    url = module_database_url
    store = open_store(url)
    key = new_key(store, "acme")
    store.insert_number_orders(store.ensure_account("acme").account_id, OrderFactory(1).orders(30))
    settings_ = Settings(database_url=url, rate_limit=0, demo=False, run_worker=False)
    with ServeProcess(settings_) as server:
        yield server.port, key
    store.close()


def encoded(text: str, safe: str) -> str:
    return quote(text.encode("utf-8", "surrogatepass"), safe=safe)


raw_bytes = st.binary(max_size=12).map(lambda b: "".join(f"%{x:02X}" for x in b))
texts = st.one_of(st.sampled_from(VALUES), st.text(max_size=30), raw_bytes)
keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=20), raw_bytes)
pairs = st.lists(st.tuples(keys, texts, st.sampled_from(["", "[]", "[]=", "[]=&+%"])), max_size=6)


def query_string(items: list[tuple[str, str, str]]) -> str:
    parts = []
    for key, value, safe in items:
        k = key if _PRE_ENCODED.fullmatch(key) else encoded(key, safe)
        v = value if _PRE_ENCODED.fullmatch(value) else encoded(value, safe)
        parts.append(f"{k}={v}")
    return "&".join(parts)


# Only `raw_bytes` output goes out as is: generated text that merely starts with "%" may
# hold raw control characters, which the HTTP parser refuses before the application.
_PRE_ENCODED = re.compile(r"(?:%[0-9A-F]{2})+")


def raw_get(port: int, target: str, key: str) -> tuple[int, bytes]:
    request = (
        f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(items=pairs)
def test_any_query_string_gets_json_and_no_5xx(
    target: tuple[int, str], items: list[tuple[str, str, str]]
) -> None:
    port, key = target
    status, body = raw_get(port, "/v2/number_orders?" + query_string(items), key)
    assert status in (200, 400), (status, body)
    parsed = orjson.loads(body)
    assert ("data" in parsed) if status == 200 else ("errors" in parsed)
