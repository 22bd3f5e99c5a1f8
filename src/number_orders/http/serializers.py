"""Domain objects to the JSON shapes of the Telnyx API, straight to bytes."""

from __future__ import annotations

from typing import Any

import orjson
from orjson import Fragment

from number_orders.domain.representation import detail_json, number_json, order_json, order_shape
from number_orders.errors import DOCS_URL, ApiError, Problem
from number_orders.service import Page

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
            # A listed order's two lists are embedded as they were stored, not decoded.
            "data": [
                order_shape(
                    o, Fragment(o.phone_numbers_json), Fragment(o.sub_number_orders_ids_json)
                )
                for o in page.orders
            ],
            "meta": {
                "page_number": page.query.page_number,
                "page_size": page.query.page_size,
                "total_results": page.total_results,
                "total_pages": page.total_pages,
            },
        }
    )


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
