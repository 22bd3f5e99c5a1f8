"""Accounts and API keys.

A key is `KEY` + key id + `_` + secret. Only a SHA-256 of the secret is stored: the
secret has 256 bits of entropy, so a slow hash would add cost without adding safety.
The id lets a request find its record directly and compare hashes in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from number_orders.domain.ids import hex_token

_KEY = re.compile(r"KEY([0-9a-f]{32})_([A-Za-z0-9_-]{43})", re.ASCII)


@dataclass(frozen=True, slots=True)
class Account:
    account_id: str
    name: str
    webhook_url: str | None = None


@dataclass(frozen=True, slots=True)
class NewApiKey:
    key_id: str
    secret_hash: str
    token: str


def new_api_key() -> NewApiKey:
    key_id = hex_token(16)
    # The secret alone must be unpredictable: it comes from the OS, not the id source.
    secret = secrets.token_urlsafe(32)
    return NewApiKey(key_id, hash_secret(secret), f"KEY{key_id}_{secret}")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_api_key(token: str) -> tuple[str, str] | None:
    """The key id and secret of a well-formed key, else None."""
    match = _KEY.fullmatch(token)
    return (match.group(1), match.group(2)) if match else None


def secret_matches(secret: str, secret_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), secret_hash)
