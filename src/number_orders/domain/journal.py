"""The request journal: what each `/v2` request of an account asked and got, for a test
to read back (`GET /_sandbox/requests`).

The guard keeps only raw bytes per request (`Exchange`, a few references, no copying or
parsing on the request path); turning them into an entry (`journal_entry`: redacted,
bounded, bodies as JSON when they are JSON) happens on the journal's writer thread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import orjson

from number_orders.domain.timestamps import format_micros

BODY_LIMIT = 65_536  # bytes of a body kept; longer ones are kept cut, as text
REDACTED = "[redacted]"
# Anything shaped like an API key (`domain.accounts`), wherever it appears.
_KEY_LIKE = re.compile(r"KEY[0-9A-Fa-f]{32}_[A-Za-z0-9_-]*")


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request as the guard saw it. Bodies are the first chunks received and sent,
    up to just past `BODY_LIMIT` (so a cut can be told from a body that fits)."""

    account_id: str
    at: int
    method: str
    path: str
    query: bytes
    status: int
    duration_micros: int
    request_body: bytes
    response_body: bytes
    response_is_json: bool
    idempotency_key: str | None


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """An entry as stored: each body is JSON text (the body itself when it was JSON,
    else a JSON string of its text), or None when there was none."""

    account_id: str
    id: str
    at: int
    method: str
    path: str
    query: str
    status: int
    duration_micros: int
    request_body: str | None
    response_body: str | None
    idempotency_key: str | None


def entry_json(entry: JournalEntry) -> dict[str, object]:
    """An entry as the control API and the command line show it; the stored JSON bodies
    are embedded as they are."""
    return {
        "id": entry.id,
        "at": format_micros(entry.at),
        "method": entry.method,
        "path": entry.path,
        "query": entry.query,
        "status": entry.status,
        "duration_ms": round(entry.duration_micros / 1000, 3),
        "request_body": orjson.Fragment(entry.request_body) if entry.request_body else None,
        "response_body": orjson.Fragment(entry.response_body) if entry.response_body else None,
        "idempotency_key": entry.idempotency_key,
    }


def journal_entry(exchange: Exchange, entry_id: str, secrets: tuple[str, ...]) -> JournalEntry:
    """The stored form of `exchange`; `secrets` (the admin token) are redacted like keys."""
    return JournalEntry(
        account_id=exchange.account_id,
        id=entry_id,
        at=exchange.at,
        method=exchange.method,
        path=redact(exchange.path, secrets),
        query=redact(exchange.query.decode("latin-1"), secrets),
        status=exchange.status,
        duration_micros=exchange.duration_micros,
        request_body=body_json(exchange.request_body, secrets),
        # The server's own JSON needs no parsing to be known as JSON.
        response_body=body_json(exchange.response_body, secrets, trusted=exchange.response_is_json),
        idempotency_key=(
            redact(exchange.idempotency_key, secrets) if exchange.idempotency_key else None
        ),
    )


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    text = _KEY_LIKE.sub(REDACTED, text)
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    return text


def body_json(raw: bytes, secrets: tuple[str, ...], *, trusted: bool = False) -> str | None:
    """A body as JSON text: itself when it is JSON and fits, else a JSON string of its
    text (cut at `BODY_LIMIT`). Redaction cannot break JSON: what it replaces lies
    inside strings and contains no quote or backslash."""
    if not raw:
        return None
    fits = len(raw) <= BODY_LIMIT
    text = redact(raw[:BODY_LIMIT].decode("utf-8", "replace"), secrets)
    if fits and (trusted or _is_json(text)):
        return text
    return orjson.dumps(text).decode()


def _is_json(text: str) -> bool:
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError:
        return False
    return True
