"""Owned phone numbers in the SQL store: the list (`phone_number_pages.py`), retrieve,
update and release (`phone_number_rows.py`). Each method is one transaction. Numbers
become owned where their orders settle (`settling.py`) or are loaded (`bulk.py`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from number_orders.domain.phone_number_listing import PhoneNumberQuery
from number_orders.domain.phone_numbers import PhoneNumber
from number_orders.storage import lifecycle, phone_number_pages, phone_number_rows
from number_orders.storage.interface import PhoneNumberChange
from number_orders.storage.part import StorePart
from number_orders.storage.schema import phone_numbers


class SqlPhoneNumbers(StorePart):
    def list_phone_numbers(
        self, account_id: str, query: PhoneNumberQuery
    ) -> tuple[list[PhoneNumber], int]:
        with self.reading() as conn:
            total = phone_number_pages.total(conn, account_id, query)
            if query.offset >= total:
                return [], total
            return phone_number_pages.page(conn, account_id, query), total

    def retrieve_phone_number(self, account_id: str, number_id: str) -> PhoneNumber | None:
        with self.reading() as conn:
            row = conn.execute(_select(account_id, number_id)).first()
        return phone_number_rows.record_of(row) if row else None

    def update_phone_number(
        self, account_id: str, number_id: str, change: PhoneNumberChange
    ) -> PhoneNumber | None:
        def attempt() -> PhoneNumber | None:
            with self.writing() as conn:
                row = conn.execute(_select(account_id, number_id).with_for_update()).first()
                if row is None:
                    return None
                before = phone_number_rows.record_of(row)
                after = change(before)
                if after is None:
                    return before
                phone_number_rows.rewrite(conn, account_id, before, after)
                return after

        return lifecycle.retrying(attempt)

    def release_phone_number(self, account_id: str, number_id: str) -> PhoneNumber | None:
        def attempt() -> PhoneNumber | None:
            with self.writing() as conn:
                row = conn.execute(_select(account_id, number_id).with_for_update()).first()
                if row is None:
                    return None  # unknown, or released by a concurrent request
                record = phone_number_rows.record_of(row)
                phone_number_rows.remove(conn, account_id, record)
                return record

        return lifecycle.retrying(attempt)


def _select(account_id: str, number_id: str) -> Any:
    c = phone_numbers.c
    return select(*phone_number_rows.COLUMNS).where(c.account_id == account_id, c.id == number_id)
