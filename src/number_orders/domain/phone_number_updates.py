"""Updating an owned phone number: the body's rules (`PhoneNumberUpdate.from_body`, one
422 with every problem) and their effect on a record (`apply`).

The writable fields are the spec's (`UpdatePhoneNumberRequest`). A text field given as
null is cleared; an absent one is kept. `id` is read-only and ignored, as are fields the
spec does not name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from number_orders.domain.fields import FieldReader, json_type, pointer
from number_orders.domain.phone_numbers import PhoneNumber
from number_orders.errors import invalid_body

MAX_TAGS = 100
TEXT_FIELDS = (
    "customer_reference",
    "connection_id",
    "billing_group_id",
    "external_pin",
    "address_id",
)


@dataclass(frozen=True, slots=True)
class PhoneNumberUpdate:
    """The fields the body sets; the others stay as they are."""

    changes: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> PhoneNumberUpdate:
        reader = FieldReader()
        changes: list[tuple[str, Any]] = []
        for name in TEXT_FIELDS:
            if name in body:
                changes.append((name, reader.text(body, name, pointer(name))))
        if "hd_voice_enabled" in body:
            changes.append(("hd_voice_enabled", _boolean(reader, body["hd_voice_enabled"])))
        if "tags" in body:
            changes.append(("tags", _tags(reader, body["tags"])))
        if reader.problems:
            raise invalid_body(reader.problems)
        return cls(tuple(changes))

    def apply(self, record: PhoneNumber, now: int) -> PhoneNumber | None:
        """The record after this update, or None when nothing would change."""
        changed = replace(record, **dict(self.changes))
        if changed == record:
            return None
        return replace(changed, updated_at=max(now, record.updated_at + 1))


def _boolean(reader: FieldReader, value: Any) -> bool:
    if not isinstance(value, bool):
        reader.bad(
            "/hd_voice_enabled", f"hd_voice_enabled must be a boolean; got {json_type(value)}."
        )
        return False
    return value


def _tags(reader: FieldReader, value: Any) -> tuple[str, ...]:
    """Distinct tags in the order given; a repeated tag counts once."""
    if not isinstance(value, list):
        reader.bad("/tags", f"tags must be an array of strings; got {json_type(value)}.")
        return ()
    if len(value) > MAX_TAGS:
        reader.bad("/tags", f"tags may hold at most {MAX_TAGS} tags; got {len(value)}.")
        return ()
    tags = [reader.text_value(tag, "each tag", pointer("tags", i)) for i, tag in enumerate(value)]
    return tuple(dict.fromkeys(t for t in tags if t is not None))
