"""What the service needs from persistence for the number search: which numbers are not
free for the caller, asked as often as the search needs within one snapshot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from number_orders.domain.available_numbers import HeldNumbers

Found = TypeVar("Found")


class AvailableNumberStore(Protocol):
    def search_available_numbers(
        self, account_id: str, now: int, search: Callable[[HeldNumbers], Found]
    ) -> Found:
        """`search`'s result, run in one read transaction with what the account may not
        have at `now` (microseconds): every call of the predicate sees the same state."""
        ...
