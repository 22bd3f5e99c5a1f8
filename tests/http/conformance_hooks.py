"""Schemathesis hooks for the conformance runs (loaded through `SCHEMATHESIS_HOOKS`)."""

from __future__ import annotations

from typing import Any

import schemathesis


def _has_wire_form(value: Any) -> bool:
    # A None, [] or {} query value is dropped when the URL is built, so a "negative" case
    # made of one (e.g. an extra `page[x]` set to None) reaches the server as a valid request.
    # The same holds inside a deepObject (an extra `filter[x]` set to None).
    if isinstance(value, dict):
        return value != {} and all(_has_wire_form(v) for v in value.values())
    return value is not None and value != []


@schemathesis.hook
def filter_query(_context: Any, query: dict[str, Any] | None) -> bool:
    return query is None or all(_has_wire_form(v) for v in query.values())
