"""Domain objects to the JSON shapes of the Telnyx API, straight to bytes."""

from __future__ import annotations

from typing import Any

import orjson
from orjson import Fragment

from number_orders.domain.listing import ListedOrder
from number_orders.domain.orders import NumberOrder, NumberOrderDetail, OrderedNumber
from number_orders.domain.timestamps import format_micros
from number_orders.errors import DOCS_URL, ApiError, Problem
from number_orders.service import Page

# The published schema types these as plain strings, so an absent value is left out.
_OPTIONAL = ("customer_reference", "connection_id", "messaging_profile_id", "billing_group_id")


def order_json(order: NumberOrder) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": order.id,
        "record_type": "number_order",
        "phone_numbers_count": order.phone_numbers_count,
        "phone_numbers": [{"id": i, "phone_number": p} for i, p in order.phone_numbers],
        "sub_number_orders_ids": order.sub_number_orders_ids,
        "status": order.status,
        "requirements_met": order.requirements_met,
        "created_at": format_micros(order.created_at),
        "updated_at": format_micros(order.updated_at),
    }
    for name in _OPTIONAL:
        value = getattr(order, name)
        if value is not None:
            body[name] = value
    return body


def number_json(number: OrderedNumber) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": number.id,
        "record_type": "number_order_phone_number",
        "phone_number": number.phone_number,
        "country_code": number.country_code,
        "phone_number_type": number.phone_number_type,
        "regulatory_requirements": [
            {
                "record_type": "phone_number_regulatory_requirement",
                "requirement_id": r.requirement_id,
                "field_type": r.field_type,
                **({"field_value": r.field_value} if r.field_value is not None else {}),
            }
            for r in number.regulatory_requirements
        ],
        "requirements_met": number.requirements_met,
        "requirements_status": number.requirements_status,
        "status": number.status,
    }
    if number.bundle_id is not None:
        body["bundle_id"] = number.bundle_id
    return body


def detail_json(detail: NumberOrderDetail) -> dict[str, Any]:
    body = order_json(detail.order)
    body["phone_numbers"] = [number_json(n) for n in detail.numbers]
    return body


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
