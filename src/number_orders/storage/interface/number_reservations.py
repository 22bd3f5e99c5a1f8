"""What the service needs from persistence for number reservations: make one (holding its
numbers), the list, retrieve, extend, and the expiry of due holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from number_orders.domain.number_reservations import NumberReservation
from number_orders.domain.reservation_queries import ReservationQuery


@dataclass(frozen=True, slots=True)
class Extension:
    """A reservation after an extension, and the numbers whose hold was extended."""

    reservation: NumberReservation
    extended: list[str]


class NumberReservationStore(Protocol):
    def create_number_reservation(
        self, account_id: str, reservation: NumberReservation, expires_at: int
    ) -> NumberReservation:
        """In one transaction: hold the reservation's waiting numbers until `expires_at`
        (`number_reservations.decide` says what each became), insert the reservation and
        count it; the reservation as stored."""
        ...

    def list_number_reservations(
        self, account_id: str, query: ReservationQuery
    ) -> tuple[list[NumberReservation], int]:
        """A page, newest first, and the exact total of matching reservations."""
        ...

    def retrieve_number_reservation(
        self, account_id: str, reservation_id: str
    ) -> NumberReservation | None: ...

    def extend_number_reservation(
        self, account_id: str, reservation_id: str, expires_at: int, now: int
    ) -> Extension | None:
        """Hold every number the reservation still holds until `expires_at`, in one
        transaction; None if the account has no such reservation."""
        ...

    def expire_due_reservations(self, now: int, limit: int) -> int:
        """Free up to `limit` numbers whose reservation is due by `now` and mark them
        expired in their reservations, in one transaction; how many were freed."""
        ...

    def next_reservation_expiry_at(self) -> int | None:
        """When the next reservation hold falls due (a read: idle workers never write)."""
        ...
