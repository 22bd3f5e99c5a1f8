"""Owned phone numbers: list, retrieve, update and delete (a release: the number is free
again for everyone). Numbers become owned when their orders settle (`number_orders.py`)."""

from __future__ import annotations

from dataclasses import dataclass

from number_orders import errors
from number_orders.domain.phone_number_listing import PhoneNumberQuery
from number_orders.domain.phone_number_updates import PhoneNumberUpdate
from number_orders.domain.phone_numbers import PhoneNumber, parse_phone_number_id, released
from number_orders.domain.timestamps import now_micros
from number_orders.storage import PhoneNumberStore


@dataclass(frozen=True, slots=True)
class PhoneNumberPage:
    records: list[PhoneNumber]
    total_results: int
    query: PhoneNumberQuery

    @property
    def total_pages(self) -> int:
        return self.query.total_pages(self.total_results)


class PhoneNumbers:
    store: PhoneNumberStore

    def list_phone_numbers(self, account_id: str, query: PhoneNumberQuery) -> PhoneNumberPage:
        records, total = self.store.list_phone_numbers(account_id, query)
        return PhoneNumberPage(records, total, query)

    def retrieve_phone_number(self, account_id: str, number_id: str) -> PhoneNumber:
        """The caller's number; unknown, malformed and other accounts' ids are all 404."""
        valid_id = parse_phone_number_id(number_id)
        record = self.store.retrieve_phone_number(account_id, valid_id) if valid_id else None
        if record is None:
            raise _not_found()
        return record

    def update_phone_number(
        self, account_id: str, number_id: str, update: PhoneNumberUpdate
    ) -> PhoneNumber:
        now = now_micros()
        valid_id = parse_phone_number_id(number_id)
        result = (
            self.store.update_phone_number(account_id, valid_id, lambda r: update.apply(r, now))
            if valid_id
            else None
        )
        if result is None:
            raise _not_found()
        return result

    def delete_phone_number(self, account_id: str, number_id: str) -> PhoneNumber:
        """Release the number: the record is gone and the number free for everyone; the
        record as it was, now `deleted`."""
        valid_id = parse_phone_number_id(number_id)
        record = self.store.release_phone_number(account_id, valid_id) if valid_id else None
        if record is None:
            raise _not_found()
        return released(record)


def _not_found() -> errors.ApiError:
    return errors.not_found("No phone number with this id exists.")
