"""Hostile input never makes a 5xx: each gets the contract's error envelope, on both engines.

Requests go out through a raw socket, byte for byte, since httpx would refuse or repair
many of them. Routes are taken from the served OpenAPI document, so every operation added
to it gets the same treatment.
"""

from __future__ import annotations

import contextlib
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

import orjson
import pytest
import yaml

from number_orders.config import Settings
from number_orders.domain.comments import NewComment
from number_orders.domain.documents import NewDocument
from number_orders.domain.phone_number_listing import PhoneNumberQuery
from number_orders.domain.requirement_group_bodies import NewRequirementGroup
from number_orders.http.docs import openapi_document
from number_orders.seed.factory import OrderFactory
from number_orders.server import open_store
from number_orders.service import NumberOrdersService
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import ServeProcess
from tests.support.app import new_key

MIB = 1024 * 1024


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def errors(self) -> list[dict[str, object]]:
        parsed = orjson.loads(self.body)
        assert set(parsed) == {"errors"}, parsed
        problems: list[dict[str, object]] = parsed["errors"]
        assert problems and all({"code", "title", "detail", "meta"} <= p.keys() for p in problems)
        return problems


@dataclass
class Target:
    port: int
    key: str
    order_id: str
    # A record that exists, by the first segment of its path (orders otherwise).
    records: dict[str, str] = field(default_factory=dict)

    def send(self, raw: bytes) -> Answer:
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as sock:
            # The server may answer and close before it has read everything.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                sock.sendall(raw)
            chunks = []
            while True:
                try:
                    chunk = sock.recv(65536)
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                chunks.append(chunk)
        head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.decode("latin-1").lower()] = value.decode("latin-1").strip()
        return Answer(int(lines[0].split(b" ")[1]), headers, body)

    def request(
        self,
        target: bytes | str,
        method: bytes = b"GET",
        headers: bytes = b"",
        body: bytes = b"",
        auth: bool = True,
    ) -> Answer:
        if isinstance(target, str):
            target = target.encode()
        lines = method + b" " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        if auth:
            lines += f"Authorization: Bearer {self.key}\r\n".encode()
        return self.send(lines + headers + b"\r\n" + body)


@pytest.fixture(scope="module")
def target(module_database_url: str) -> Iterator[Target]:
    url = module_database_url
    store = open_store(url)
    key = new_key(store, "acme")
    account = store.ensure_account("acme").account_id
    orders = list(OrderFactory(seed=11).orders(20))
    store.insert_number_orders(account, orders)
    settings = Settings(database_url=url, demo=False, run_worker=False, fulfilment_delay=0.0)
    with ServeProcess(settings) as server:
        yield Target(server.port, key, orders[0].order.id, existing_records(store, account))
    store.close()


def operations(with_body: bool) -> list[tuple[str, str]]:
    found = []
    for path, item in openapi_document()["paths"].items():
        for method, operation in item.items():
            takes_body = "requestBody" in operation
            if method in ("get", "post", "patch", "put", "delete") and with_body == takes_body:
                found.append((method.upper(), path))
    return found


def concrete(path: str, target: Target) -> str:
    """A path template with its parameters filled by a record that exists."""
    record = target.records.get(path.split("/")[1], target.order_id)
    return "/v2" + (
        path.replace("{id}", record)
        .replace("{number_order_id}", target.order_id)
        .replace("{phone_number_id}", record)
    )


def assert_refused(answer: Answer, status: int, code: str) -> None:
    assert answer.status == status, (answer.status, answer.body[:500])
    assert [e["code"] for e in answer.errors()] == [code] * len(answer.errors())
    assert answer.headers["content-type"] == "application/json"
    assert b"Traceback" not in answer.body


def existing_records(store: SqlStore, account_id: str) -> dict[str, str]:
    """A record of each resource with ids of its own, for its `{id}` paths."""
    service = NumberOrdersService(store)
    body = {"country_code": "DE", "phone_number_type": "local", "action": "ordering"}
    group = service.create_requirement_group(account_id, NewRequirementGroup.from_body(body))
    comment = service.create_comment(
        account_id,
        NewComment.from_body(
            {"body": "x", "comment_record_type": "requirement_group", "comment_record_id": group.id}
        ),
    )
    owned, _ = store.list_phone_numbers(account_id, PhoneNumberQuery(page_size=1))
    (order,) = store.recent_number_orders(account_id, 1)
    document = service.upload_document(account_id, NewDocument(b"%PDF-1.7", "a.pdf", "x/y"))
    return {
        "requirement_groups": group.id,
        "comments": comment.id,
        "phone_numbers": owned[0].id,
        "sub_number_orders": order.order.sub_number_orders_ids[0],
        "number_order_phone_numbers": order.numbers[0].id,
        "documents": document.id,
    }


# -- the query string -------------------------------------------------------------------

BAD_QUERIES = [
    "filter[status]=%zz",  # invalid percent-encoding
    "page[size]=%",
    "page[size]=%4",
    "filter[customer_reference]=%C0%AF",  # overlong UTF-8
    "filter[customer_reference]=%ED%A0%80",  # an encoded surrogate
    "filter[customer_reference]=%FF%FE%FD",
    "filter[customer_reference]=a%00b",  # NUL, which PostgreSQL text cannot hold
    "filter[%00]=1",
    "page[size]=18446744073709551616",  # 2**64
    "page[number]=-9223372036854775809",
    "page[number]=" + "9" * 5000,  # longer than Python converts to int by default
    "filter[phone_numbers_count]=" + "1" * 40,
    "page[size]=1e3",
    "page[size]=0x10",
    "filter[created_at][gt]=99999-01-01T00:00:00Z",
    "filter[created_at][gt]=2024-01-01T00:00:00.0000000001Z",
    "filter[created_at][lt]=0000-00-00",
    "filter[requirements_met]=" + "t" * 7000,
    "filter[status]=pending&filter[status]=pending",
]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_query_strings_are_400(target: Target, query: str) -> None:
    assert_refused(target.request(f"/v2/number_orders?{query}"), 400, "10015")


@pytest.mark.parametrize(
    "value",
    [
        "' OR '1'='1",
        "x'; DROP TABLE number_orders; --",
        "%_%",  # LIKE wildcards: exact match only
        "\\' UNION SELECT secret_hash FROM api_keys --",
        "a" * 7000,  # long, but the URL stays under 8 KiB
        "\U0001f4de",  # a valid 4-byte character
    ],
)
def test_sql_looking_and_long_text_is_only_text(target: Target, value: str) -> None:
    answer = target.request(f"/v2/number_orders?filter[customer_reference]={quote(value)}")
    assert answer.status == 200, answer.body[:300]
    assert orjson.loads(answer.body)["data"] == []
    assert orjson.loads(target.request("/v2/number_orders").body)["meta"]["total_results"] == 20


# -- sizes ------------------------------------------------------------------------------


def test_a_twenty_kilobyte_parameter_is_414(target: Target) -> None:
    answer = target.request("/v2/number_orders?filter[customer_reference]=" + "a" * 20_000)
    assert_refused(answer, 414, "10015")


def test_a_url_over_eight_kibibytes_is_414_even_without_a_key(target: Target) -> None:
    assert_refused(target.request("/v2/" + "a" * 9000, auth=False), 414, "10015")
    assert_refused(target.request("/healthz?" + "a" * 9000, auth=False), 414, "10015")


def test_a_header_over_eight_kibibytes_is_431(target: Target) -> None:
    answer = target.request("/v2/number_orders", headers=b"X-Big: " + b"a" * 9000 + b"\r\n")
    assert_refused(answer, 431, "10015")


def test_many_headers_each_under_the_limit_are_fine(target: Target) -> None:
    headers = b"".join(b"X-H%d: %s\r\n" % (i, b"b" * 4000) for i in range(8))
    assert target.request("/v2/number_orders", headers=headers).status == 200


# -- paths and methods ------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/v2/number_orders%zz",
        "/v2/number_orders/%00",
        "/v2/number_orders/%FF%FE",
        "/v2/number_orders/..%2F..%2Fetc%2Fpasswd",
        "/v2/number_orders/" + "1" * 30,
        "/v2/number_orders/%0D%0ASet-Cookie:%20x=y",
        "/v2/%2e%2e/v2/number_orders",
    ],
)
def test_odd_paths_are_404(target: Target, path: str) -> None:
    answer = target.request(path)
    assert_refused(answer, 404, "10005")
    assert "set-cookie" not in answer.headers


@pytest.mark.parametrize(
    "method", [b"PUT", b"DELETE", b"OPTIONS", b"TRACE", b"PROPFIND", b"PURGE", b"PATCH"]
)
def test_wrong_methods_are_405_with_allow(target: Target, method: bytes) -> None:
    answer = target.request("/v2/number_orders", method=method)
    assert_refused(answer, 405, "10015")
    assert "GET" in answer.headers["allow"]


# The HTTP parser refuses these before the application sees them (uvicorn answers 400 in
# plain text); what matters is that they cannot reach the application or make a 5xx.
PROTOCOL_ERRORS = [
    b"FOO /v2/number_orders HTTP/1.1\r\nHost: x\r\n\r\n",  # a method no parser knows
    b"GET /v2/number_orders?\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",  # raw non-ASCII
    b"GET /v2/number\x00orders HTTP/1.1\r\nHost: x\r\n\r\n",  # raw NUL in the target
    b"GET /v2/number_orders HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n",  # NUL in a header
    b"POST /v2/number_orders HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    b"POST /v2/number_orders HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
    b"Transfer-Encoding: chunked\r\n\r\nzz\r\n",  # request smuggling shape
    b"GET /v2/number_orders HTTP/9.9\r\nHost: x\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # a TLS hello on plain HTTP
]


@pytest.mark.parametrize("raw", PROTOCOL_ERRORS, ids=lambda b: repr(b[:20]))
def test_malformed_http_is_refused_by_the_parser(target: Target, raw: bytes) -> None:
    answer = target.send(raw)
    assert 400 <= answer.status < 500
    assert b"Traceback" not in answer.body


def test_a_body_on_a_get_is_ignored_and_a_big_one_on_a_wrong_method_is_405(
    target: Target,
) -> None:
    body = b"x" * (2 * MIB)
    headers = b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
    assert target.request("/v2/number_orders", headers=headers, body=b"{}").status == 200
    answer = target.request("/v2/number_orders", method=b"DELETE", headers=headers, body=body)
    assert_refused(answer, 405, "10015")


def test_invalid_request_ids_are_replaced(target: Target) -> None:
    answer = target.request("/healthz", headers=b"X-Request-Id: \xff\xfe\r\n", auth=False)
    assert answer.status == 200
    assert uuid.UUID(answer.headers["x-request-id"])


# -- bodies, on every operation that takes one -------------------------------------------


def body_request(
    target: Target, method: str, path: str, body: bytes, chunked: bool = False
) -> Answer:
    headers = b"Content-Type: application/json\r\n"
    if chunked:
        headers += b"Transfer-Encoding: chunked\r\n"
        size = 64 * 1024
        parts = [body[i : i + size] for i in range(0, len(body), size)]
        body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"
    else:
        headers += b"Content-Length: %d\r\n" % len(body)
    return target.request(concrete(path, target), method.encode(), headers, body)


BODY_OPERATIONS = operations(with_body=True)


@pytest.mark.parametrize(("method", "path"), BODY_OPERATIONS)
@pytest.mark.parametrize("chunked", [False, True])
def test_a_body_over_the_limit_is_413(
    target: Target, method: str, path: str, chunked: bool
) -> None:
    body = b'{"customer_reference": "' + b"a" * (MIB + 10) + b'"}'
    assert_refused(body_request(target, method, path, body, chunked), 413, "10015")


# Bodies that are not a JSON object at all: refused whatever the operation.
BROKEN_BODIES = [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a":' * 50_000 + b"1" + b"}" * 50_000,  # nested past any parser's depth
    b'{"x":' + b"[" * 600 + b"]" * 600 + b"}",  # parsed by orjson, but deeper than allowed
    b'{"customer_reference": "\xff\xfe"}',  # not UTF-8
    b"not json",
    b"[]",
    b"null",
    b'{"a": 1e999999}',
]
# JSON objects with hostile values: an operation may ignore a field it does not take,
# but never answers with a 5xx (PostgreSQL cannot store NUL or lone surrogates).
ODD_BODIES = [
    b'{"customer_reference": "a\\u0000b"}',
    b'{"customer_reference": "\\ud800"}',
    b'{"customer_reference": "\\u001b[31m"}',
    b'{"customer_reference": "' + b"x" * 200_000 + b'"}',
    b'{"customer_reference": 1' + b"0" * 5000 + b"}",
    b'{"phone_numbers": [{"phone_number": "+1' + b"9" * 5000 + b'"}]}',
    b'{"phone_numbers": [' + b'{"phone_number": "+12025550123"},' * 20_000 + b"{}]}",
    b'{"phone_numbers": [{"phone_number": "+12025550123\\u0000"}]}',
    b'{"regulatory_requirements": [{"requirement_id": "\\u0000", "field_value": "x"}]}',
]


@pytest.mark.parametrize(("method", "path"), BODY_OPERATIONS)
@pytest.mark.parametrize("body", BROKEN_BODIES, ids=lambda b: repr(b[:24]))
def test_bodies_that_are_no_json_object_are_400(
    target: Target, method: str, path: str, body: bytes
) -> None:
    assert_refused(body_request(target, method, path, body), 400, "10015")


@pytest.mark.parametrize("depth", [33, 300, 600, 1000])
def test_a_deeply_nested_unknown_field_with_an_idempotency_key_is_400(
    target: Target, depth: int
) -> None:
    """Anything parsed must be as shallow as the fingerprint (and every later step) can
    handle: the body is refused at the parser, with the envelope, before anyone sees it."""
    nested = b'{"a":' * depth + b"1" + b"}" * depth
    body = b'{"phone_numbers": [{"phone_number": "+13125550143"}], "x": ' + nested + b"}"
    headers = b"Content-Type: application/json\r\nIdempotency-Key: deep-%d\r\n" % depth
    headers += b"Content-Length: %d\r\n" % len(body)
    answer = target.request("/v2/number_orders", b"POST", headers, body)
    assert_refused(answer, 400, "10015")
    assert "nest" in str(answer.errors()[0]["detail"])


def test_the_deepest_body_allowed_is_accepted(target: Target) -> None:
    nested = b'{"a":' * 31 + b"1" + b"}" * 31
    body = b'{"phone_numbers": [{"phone_number": "+13125550144"}], "x": ' + nested + b"}"
    headers = b"Content-Type: application/json\r\nIdempotency-Key: deep-ok\r\n"
    headers += b"Content-Length: %d\r\n" % len(body)
    answer = target.request("/v2/number_orders", b"POST", headers, body)
    assert answer.status == 200, answer.body[:300]


@pytest.mark.parametrize(("method", "path"), BODY_OPERATIONS)
@pytest.mark.parametrize("body", ODD_BODIES, ids=lambda b: repr(b[:40]))
def test_hostile_values_never_make_a_5xx(
    target: Target, method: str, path: str, body: bytes
) -> None:
    answer = body_request(target, method, path, body)
    assert answer.status < 500, (answer.status, answer.body[:500])
    if answer.status >= 400:
        answer.errors()


# Multipart uploads the parser cannot read, or reads into no upload: a 4xx in the envelope.
HOSTILE_MULTIPART = [
    (b"multipart/form-data", b"--b\r\n"),  # no boundary
    (b"multipart/form-data; boundary=", b"----\r\n"),
    (b"multipart/form-data; boundary=b", b"\x00" * 1000),
    (
        b"multipart/form-data; boundary=b",
        b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n",
    ),
    (b"multipart/form-data; boundary=b", b"--b\r\n" + b"X-A: b\r\n" * 5000 + b"\r\n\r\n--b--\r\n"),
    (
        b"multipart/form-data; boundary=b",
        b"".join(
            b'--b\r\nContent-Disposition: form-data; name="f%d"\r\n\r\nv\r\n' % i for i in range(50)
        )
        + b"--b--\r\n",
    ),
    (
        b"multipart/form-data; boundary=b",
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\n'
        + b"x" * (MIB + 10)
        + b"\r\n--b--\r\n",
    ),
    (
        b"multipart/form-data; boundary=b; charset=no-such-charset",
        b'--b\r\nContent-Disposition: form-data; name="customer_reference"\r\n\r\n\xff\xfe\r\n--b--\r\n',
    ),
]


@pytest.mark.parametrize("chunked", [False, True])
@pytest.mark.parametrize(("content_type", "body"), HOSTILE_MULTIPART, ids=lambda b: repr(b[:30]))
def test_hostile_multipart_uploads_are_refused_in_the_envelope(
    target: Target, content_type: bytes, body: bytes, chunked: bool
) -> None:
    headers = b"Content-Type: " + content_type + b"\r\n"
    if chunked:
        headers += b"Transfer-Encoding: chunked\r\n"
        body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body) if body else b"0\r\n\r\n"
    else:
        headers += b"Content-Length: %d\r\n" % len(body)
    answer = target.request("/v2/documents", b"POST", headers, body)
    assert 400 <= answer.status < 500, (answer.status, answer.body[:500])
    assert answer.errors() and answer.headers["content-type"] == "application/json"


def test_the_served_document_is_the_one_these_tests_read(target: Target) -> None:
    served = target.request("/v2/openapi.json", auth=False)
    assert orjson.loads(served.body) == openapi_document()
    assert yaml.safe_dump(openapi_document())
