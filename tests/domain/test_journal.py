"""The journal's entries: redaction, bodies as JSON when they are JSON, and the bound."""

from __future__ import annotations

import orjson

from number_orders.domain.journal import (
    BODY_LIMIT,
    REDACTED,
    Exchange,
    body_json,
    entry_json,
    journal_entry,
    redact,
)

KEY = "KEY0123456789abcdef0123456789ABCDEF_secret-part_1"


def exchange(**fields: object) -> Exchange:
    base: dict[str, object] = {
        "account_id": "a",
        "at": 1_000_000,
        "method": "POST",
        "path": "/v2/number_orders",
        "query": b"",
        "status": 200,
        "duration_micros": 1500,
        "request_body": b"",
        "response_body": b"",
        "response_is_json": True,
        "idempotency_key": None,
    }
    return Exchange(**(base | fields))  # type: ignore[arg-type]


def test_anything_shaped_like_a_key_and_the_secrets_are_redacted() -> None:
    assert redact(f"a {KEY} b") == f"a {REDACTED} b"
    assert redact("token-abc and more", ("token-abc",)) == f"{REDACTED} and more"
    assert redact("KEY-not-a-key") == "KEY-not-a-key"


def test_a_json_body_stays_json_and_anything_else_becomes_a_string() -> None:
    assert body_json(b"", ()) is None
    assert body_json(b'{"a": [1, 2]}', ()) == '{"a": [1, 2]}'
    assert orjson.loads(body_json(b"{broken", ()) or "") == "{broken"
    assert orjson.loads(body_json(b"\xff\xfe", ()) or "") == "\ufffd\ufffd"
    redacted = body_json(f'{{"key": "{KEY}"}}'.encode(), ())
    assert orjson.loads(redacted or "") == {"key": REDACTED}


def test_a_body_past_the_limit_is_cut_and_kept_as_text() -> None:
    big = orjson.dumps({"x": "y" * BODY_LIMIT})
    kept = orjson.loads(body_json(big, (), trusted=True) or "")
    assert isinstance(kept, str) and len(kept) == BODY_LIMIT and kept.startswith('{"x":"yyy')


def test_an_entry_redacts_every_field_and_shows_bodies_as_json() -> None:
    entry = journal_entry(
        exchange(
            path=f"/v2/number_orders/{KEY}",
            query=f"q={KEY}".encode(),
            request_body=b'{"phone_numbers": []}',
            response_body=b'{"data": {}}',
            idempotency_key=f"idem-{KEY}",
        ),
        "entry-1",
        (),
    )
    assert entry.path == f"/v2/number_orders/{REDACTED}" and entry.query == f"q={REDACTED}"
    assert entry.idempotency_key == f"idem-{REDACTED}"
    shown = orjson.loads(orjson.dumps(entry_json(entry)))
    assert shown == {
        "id": "entry-1",
        "at": "1970-01-01T00:00:01.000000Z",
        "method": "POST",
        "path": f"/v2/number_orders/{REDACTED}",
        "query": f"q={REDACTED}",
        "status": 200,
        "duration_ms": 1.5,
        "request_body": {"phone_numbers": []},
        "response_body": {"data": {}},
        "idempotency_key": f"idem-{REDACTED}",
    }
