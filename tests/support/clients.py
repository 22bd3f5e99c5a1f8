"""The official Python client as the tests use it: every response validated strictly
against the client's own types, and no retries unless a test asks for them."""

from __future__ import annotations

import httpx
from telnyx import Telnyx


def strict_client(
    base_url: str,
    api_key: str,
    *,
    http_client: httpx.Client | None = None,
    max_retries: int = 0,
) -> Telnyx:
    return Telnyx(
        api_key=api_key,
        base_url=base_url,
        http_client=http_client,
        max_retries=max_retries,
        _strict_response_validation=True,
    )
