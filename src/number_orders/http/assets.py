"""Static files shipped inside packages (the console, the API reference), served from
memory with their content type, an ETag and a strict Content-Security-Policy.

A browser page is the one place where the server's answer runs as code, so every page
and file carries a policy that allows scripts and styles from this origin only: no inline
script, nothing from another host, no framing, no form posted anywhere.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources.abc import Traversable

from starlette.requests import Request
from starlette.responses import Response

from number_orders import errors

CONTENT_TYPES: Mapping[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}

STRICT_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    content_type: str
    etag: str

    @classmethod
    def load(cls, file: Traversable) -> Asset:
        body = file.read_bytes()
        suffix = "." + file.name.rsplit(".", 1)[-1]
        digest = hashlib.sha256(body).hexdigest()[:32]
        return cls(body, CONTENT_TYPES[suffix], f'"{digest}"')

    def response(self, request: Request, policy: str = STRICT_POLICY) -> Response:
        headers = {
            "content-security-policy": policy,
            "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer",
            # Revalidated on every load (one round trip answered 304), so a new version
            # of the server is never run with files of the old one.
            "cache-control": "no-cache",
            "etag": self.etag,
        }
        if request.headers.get("if-none-match") == self.etag:
            return Response(status_code=304, headers=headers)
        return Response(self.body, media_type=self.content_type, headers=headers)


def load_directory(directory: Traversable) -> dict[str, Asset]:
    """Every servable file of a directory tree, by its path relative to the directory."""
    found: dict[str, Asset] = {}
    for entry in directory.iterdir():
        if entry.is_dir():
            found.update({f"{entry.name}/{k}": v for k, v in load_directory(entry).items()})
        elif "." + entry.name.rsplit(".", 1)[-1] in CONTENT_TYPES:
            found[entry.name] = Asset.load(entry)
    return found


def asset_or_404(assets: Mapping[str, Asset], name: str) -> Asset:
    asset = assets.get(name)
    if asset is None:
        raise errors.not_found()
    return asset
