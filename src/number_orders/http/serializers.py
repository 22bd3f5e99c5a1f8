"""Domain objects to the JSON shapes of the Telnyx API, straight to bytes."""

from __future__ import annotations

from collections import OrderedDict
from contextlib import suppress
from typing import Any

import orjson
from orjson import Fragment

from number_orders.domain.listing import ListedOrder
from number_orders.domain.representation import detail_json, number_json, order_json, order_shape
from number_orders.errors import DOCS_URL, ApiError, Problem
from number_orders.service import Page

# Listed orders written out lately, as JSON, keyed by the whole listed row: the JSON is a
# function of the key alone, so an order that changed is a new key and never meets an old
# answer. A page asked for again (page 1, polled) is then bytes joined, not orders built
# field by field and their instants formatted. The oldest entries go first when full.
_LISTED_KEPT = 4096
_listed_json: OrderedDict[ListedOrder, Fragment] = OrderedDict()

# Re-exported: handlers build responses from the shared shapes.
__all__ = [
    "data_bytes",
    "detail_json",
    "error_bytes",
    "number_json",
    "order_json",
    "page_bytes",
    "problem_json",
]


def page_bytes(page: Page) -> bytes:
    return orjson.dumps(
        {
            "data": [_listed_json.get(o) or _listed(o) for o in page.orders],
            "meta": {
                "page_number": page.query.page_number,
                "page_size": page.query.page_size,
                "total_results": page.total_results,
                "total_pages": page.total_pages,
            },
        }
    )


def _listed(order: ListedOrder) -> Fragment:
    # A listed order's two lists are embedded as they were stored, not decoded.
    shape = order_shape(
        order, Fragment(order.phone_numbers_json), Fragment(order.sub_number_orders_ids_json)
    )
    written = Fragment(orjson.dumps(shape))
    if len(_listed_json) >= _LISTED_KEPT:
        with suppress(KeyError):  # another thread emptied it first
            _listed_json.popitem(last=False)
    _listed_json[order] = written
    return written


def data_bytes(data: Any) -> bytes:
    return orjson.dumps({"data": data})


def error_bytes(error: ApiError) -> bytes:
    return orjson.dumps({"errors": [problem_json(p) for p in error.problems]})


def problem_json(problem: Problem) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": problem.code,
        "title": problem.title,
        "detail": _safe(problem.detail),
    }
    if problem.parameter is not None:
        body["source"] = {"parameter": _safe(problem.parameter)}
    elif problem.pointer is not None:
        body["source"] = {"pointer": _safe(problem.pointer)}
    body["meta"] = {"url": DOCS_URL.format(code=problem.code)}
    return body


def _safe(text: str) -> str:
    # Lone surrogates from undecodable input cannot be encoded as JSON text.
    return text.encode("utf-8", "replace").decode("utf-8")
