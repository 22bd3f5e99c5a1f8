"""Domain objects to the JSON shapes of the Telnyx API, straight to bytes."""

from __future__ import annotations

from typing import Any

import orjson
from orjson import Fragment

from number_orders.domain.listing import ListedOrder
from number_orders.domain.representation import detail_json, number_json, order_json
from number_orders.domain.timestamps import format_micros
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


def listed_json(order: ListedOrder) -> dict[str, Any]:
    """`order_json` for a listed order; its stored JSON lists are embedded as they are."""
    body: dict[str, Any] = {
        "id": order.id,
        "record_type": "number_order",
        "phone_numbers_count": order.phone_numbers_count,
        "phone_numbers": Fragment(order.phone_numbers_json),
        "sub_number_orders_ids": Fragment(order.sub_number_orders_ids_json),
        "status": order.status,
        "requirements_met": order.requirements_met,
        "created_at": format_micros(order.created_at),
        "updated_at": format_micros(order.updated_at),
    }
    if order.customer_reference is not None:
        body["customer_reference"] = order.customer_reference
    if order.connection_id is not None:
        body["connection_id"] = order.connection_id
    if order.messaging_profile_id is not None:
        body["messaging_profile_id"] = order.messaging_profile_id
    if order.billing_group_id is not None:
        body["billing_group_id"] = order.billing_group_id
    return body


def page_bytes(page: Page) -> bytes:
    return orjson.dumps(
        {
            "data": [listed_json(o) for o in page.orders],
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
