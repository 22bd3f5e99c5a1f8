"""Owned phone numbers: the record a number becomes when an order buys it, its id, and
its JSON shapes (`PhoneNumberDetailed`, and `PhoneNumberDeletedDetailed` for a release).

A number that succeeds in an order becomes a record of the order's account, `active`,
with the order's customer reference and connection; the rest takes the spec's defaults.
Its id derives from the id the number had in its order, so the same order (a seeded one
included) always makes the same record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from number_orders.domain.orders import NumberOrder, OrderedNumber
from number_orders.domain.timestamps import format_micros

ACTIVE, DELETED = "active", "deleted"
NUMBER_ORDER = "number_order"  # source_type of a number bought through an order
# The spec's `source` filter names sources differently from the records' `source_type`.
SOURCES = {"purchased": NUMBER_ORDER, "ported": "port_request"}

# Ids are the spec's integer-like strings, always 19 digits.
_ID_LOW = 10**18
_ID_SPAN = 9 * 10**18
_ID = re.compile(r"[1-9][0-9]{18}", re.ASCII)


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    id: str
    phone_number: str
    country_iso_alpha2: str
    phone_number_type: str
    order_id: str
    purchased_at: int
    updated_at: int
    status: str = ACTIVE
    source_type: str = NUMBER_ORDER
    customer_reference: str | None = None
    connection_id: str | None = None
    billing_group_id: str | None = None
    tags: tuple[str, ...] = ()
    external_pin: str | None = None
    hd_voice_enabled: bool = False
    address_id: str | None = None

    @property
    def created_at(self) -> int:
        """A record exists from the moment its number is bought."""
        return self.purchased_at


def phone_number_id(order_number_id: str) -> str:
    """The record's id, from the UUID the number had in its order (one record per bought
    order number). The UUID's 122 random bits folded into 19 digits: random UUIDs stay
    apart with the odds of random ids, and the ids of one seeded order, which differ in
    a counted tail, never meet."""
    return str(_ID_LOW + int(order_number_id.replace("-", ""), 16) % _ID_SPAN)


def parse_phone_number_id(text: str) -> str | None:
    """The id if `text` can be one; anything else is unknown (404) without a lookup."""
    return text if _ID.fullmatch(text) else None


def purchased(order: NumberOrder, number: OrderedNumber, at: int) -> PhoneNumber:
    """The record of a number the order has just bought."""
    return PhoneNumber(
        id=phone_number_id(number.id),
        phone_number=number.phone_number,
        country_iso_alpha2=number.country_code,
        phone_number_type=number.phone_number_type,
        order_id=order.id,
        purchased_at=at,
        updated_at=at,
        customer_reference=order.customer_reference,
        connection_id=order.connection_id,
    )


def released(record: PhoneNumber) -> PhoneNumber:
    return replace(record, status=DELETED)


# `PhoneNumberDetailed` in the spec's order, with the defaults of every setting this
# sandbox does not have (no connection names, messaging profiles or emergency addresses).
_DETAILED: dict[str, Any] = {
    "id": None,
    "record_type": "phone_number",
    "phone_number": None,
    "status": None,
    "country_iso_alpha2": None,
    "phone_number_type": None,
    "source_type": None,
    "tags": None,
    "customer_reference": None,
    "connection_id": None,
    "connection_name": None,
    "billing_group_id": None,
    "external_pin": None,
    "hd_voice_enabled": None,
    "messaging_profile_id": None,
    "messaging_profile_name": None,
    "emergency_address_id": None,
    "emergency_enabled": False,
    "emergency_status": "disabled",
    "inbound_call_screening": "disabled",
    "call_forwarding_enabled": True,
    "call_recording_enabled": False,
    "caller_id_name_enabled": False,
    "cnam_listing_enabled": False,
    "t38_fax_gateway_enabled": False,
    "deletion_lock_enabled": False,
    "activated_at": None,
    "purchased_at": None,
    "created_at": None,
    "updated_at": None,
}


def phone_number_json(record: PhoneNumber) -> dict[str, Any]:
    """`PhoneNumberDetailed`: the record's fields over the defaults (a copy keeps their
    order; the list builds one per number)."""
    purchased_at = format_micros(record.purchased_at)
    body = _DETAILED.copy()
    body["id"] = record.id
    body["phone_number"] = record.phone_number
    body["status"] = record.status
    body["country_iso_alpha2"] = record.country_iso_alpha2
    body["phone_number_type"] = record.phone_number_type
    body["source_type"] = record.source_type
    body["tags"] = list(record.tags)
    body["customer_reference"] = record.customer_reference
    body["connection_id"] = record.connection_id
    body["billing_group_id"] = record.billing_group_id
    body["external_pin"] = record.external_pin
    body["hd_voice_enabled"] = record.hd_voice_enabled
    # Active, and created, the moment it is bought.
    body["activated_at"] = body["purchased_at"] = body["created_at"] = purchased_at
    body["updated_at"] = (
        purchased_at
        if record.updated_at == record.purchased_at
        else format_micros(record.updated_at)
    )
    return body


# Fields of `PhoneNumberDetailed` that `PhoneNumberDeletedDetailed` does not have.
_NOT_IN_DELETED = (
    "country_iso_alpha2",
    "source_type",
    "emergency_status",
    "inbound_call_screening",
)


def deleted_json(record: PhoneNumber) -> dict[str, Any]:
    """`PhoneNumberDeletedDetailed`: its text fields are typed as plain strings, so an
    absent value is left out rather than sent as null."""
    body = phone_number_json(released(record))
    for name in _NOT_IN_DELETED:
        del body[name]
    return {name: value for name, value in body.items() if value is not None}
