"""What the service needs from persistence for owned phone numbers: the list, retrieve,
update and release. Numbers become owned in the settling transaction of their order
(`NumberOrderStore.fulfil_due_orders`) or when seeded orders are loaded."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any, Protocol

from number_orders.domain.phone_number_listing import PhoneNumberQuery
from number_orders.domain.phone_numbers import PhoneNumber

# Runs inside the store's transaction with the record locked: the new record, or None
# when nothing changes.
PhoneNumberChange = Callable[[PhoneNumber], PhoneNumber | None]

# An owned number made straight as a row for bulk loading (seeding): a tuple in this
# column order. Loading makes it owned only if nobody holds the number yet.
PHONE_NUMBER_COLUMNS = (
    "account_id",
    "id",
    "phone_number",
    "status",
    "country_iso_alpha2",
    "phone_number_type",
    "source_type",
    "customer_reference",
    "connection_id",
    "billing_group_id",
    "tags",
    "tagged",
    "external_pin",
    "hd_voice_enabled",
    "address_id",
    "order_id",
    "purchased_at",
    "updated_at",
)


# The filters with many values: each has tallies per value.
VALUE_FIELDS = ("customer_reference", "connection_id", "billing_group_id")
# What the phone-number tallies count: (field, value, status, country_iso_alpha2,
# phone_number_type, source_type, tagged, has a billing group), where field and value
# are None for the account's totals, else one of `VALUE_FIELDS` and its value.
PhoneCountKey = tuple[Any, ...]

_AT = {name: i for i, name in enumerate(PHONE_NUMBER_COLUMNS)}
_FEW = itemgetter(*(_AT[n] for n in ("status", "country_iso_alpha2", "phone_number_type")))
_SOURCE, _TAGGED, _BILLING = _AT["source_type"], _AT["tagged"], _AT["billing_group_id"]
_VALUE_AT = tuple((name, _AT[name]) for name in VALUE_FIELDS)


def phone_number_counts(rows: Sequence[tuple[Any, ...]]) -> Counter[PhoneCountKey]:
    """The tally changes that `rows` (`PHONE_NUMBER_COLUMNS` tuples) make when added."""
    keys = [(*_FEW(r), r[_SOURCE], bool(r[_TAGGED]), r[_BILLING] is not None) for r in rows]
    counts: Counter[PhoneCountKey] = Counter((None, None, *key) for key in keys)
    for field, at in _VALUE_AT:
        counts.update(
            (field, row[at], *key)
            for row, key in zip(rows, keys, strict=True)
            if row[at] is not None
        )
    return counts


class PhoneNumberStore(Protocol):
    def list_phone_numbers(
        self, account_id: str, query: PhoneNumberQuery
    ) -> tuple[list[PhoneNumber], int]:
        """One page of the account's numbers and the exact total, from one snapshot."""
        ...

    def retrieve_phone_number(self, account_id: str, number_id: str) -> PhoneNumber | None: ...

    def update_phone_number(
        self, account_id: str, number_id: str, change: PhoneNumberChange
    ) -> PhoneNumber | None:
        """Apply `change` under a row lock; the record as it is afterwards, None if unknown."""
        ...

    def release_phone_number(self, account_id: str, number_id: str) -> PhoneNumber | None:
        """Delete the record and its holding (the number is free for everyone) and move the
        tallies, in one transaction; the record as it was, None if unknown."""
        ...
