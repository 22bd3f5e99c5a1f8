"""The server's Ed25519 webhook signing keys and the signature Telnyx clients verify.

Telnyx signs the bytes `"{timestamp}|{raw body}"` and sends the Unix-seconds timestamp in
`telnyx-timestamp` and the base64 signature in `telnyx-signature-ed25519`; receivers hold
the base64 of the 32-byte public key. Keys are identified by a fingerprint of the public
half, so a delivery can record which key signed it and stay verifiable after rotation.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from nacl.signing import SigningKey as NaclSigningKey

TIMESTAMP_HEADER = "telnyx-timestamp"
SIGNATURE_HEADER = "telnyx-signature-ed25519"


@dataclass(frozen=True, slots=True)
class SigningKey:
    key_id: str
    public_key: str  # base64 of the 32-byte verify key, what receivers configure
    private_key: str | None  # base64 of the 32-byte seed; None once retired
    created_at: int
    retired_at: int | None = None


def new_signing_key(now: int) -> SigningKey:
    key = NaclSigningKey.generate()
    public = bytes(key.verify_key)
    return SigningKey(
        key_id=fingerprint(public),
        public_key=base64.b64encode(public).decode(),
        private_key=base64.b64encode(bytes(key)).decode(),
        created_at=now,
    )


def fingerprint(public: bytes) -> str:
    return hashlib.sha256(public).hexdigest()[:16]


def signature_headers(key: SigningKey, timestamp: int, body: bytes) -> dict[str, str]:
    if key.private_key is None:
        raise ValueError(f"signing key {key.key_id} is retired and cannot sign")
    signer = NaclSigningKey(base64.b64decode(key.private_key))
    signature = signer.sign(str(timestamp).encode() + b"|" + body).signature
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: base64.b64encode(signature).decode(),
    }
