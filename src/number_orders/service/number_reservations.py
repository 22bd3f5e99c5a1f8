"""Number reservations: create, list, retrieve and extend; the expiry of due holds by the
workers."""

from __future__ import annotations

from dataclasses import dataclass

from number_orders.domain.number_reservations import (
    NewReservation,
    NumberReservation,
    build_reservation,
    not_found,
    nothing_to_extend,
    parse_reservation_id,
)
from number_orders.domain.reservation_queries import ReservationQuery
from number_orders.domain.timestamps import now_micros
from number_orders.storage import NumberReservationStore


@dataclass(frozen=True, slots=True)
class ReservationPage:
    reservations: list[NumberReservation]
    total_results: int
    query: ReservationQuery

    @property
    def meta(self) -> dict[str, int]:
        return self.query.page.meta(self.total_results)


class NumberReservations:
    store: NumberReservationStore
    reservation_time: int  # microseconds a reservation holds its numbers, and each extension

    def create_number_reservation(self, account_id: str, new: NewReservation) -> NumberReservation:
        """Every number held until now + the reservation time, or refused with a reason."""
        now = now_micros()
        reservation = build_reservation(new, now)
        return self.store.create_number_reservation(
            account_id, reservation, now + self.reservation_time
        )

    def list_number_reservations(self, account_id: str, query: ReservationQuery) -> ReservationPage:
        reservations, total = self.store.list_number_reservations(account_id, query)
        return ReservationPage(reservations, total, query)

    def retrieve_number_reservation(
        self, account_id: str, reservation_id: str
    ) -> NumberReservation:
        """The caller's reservation; unknown, malformed and other accounts' ids are all 404."""
        valid_id = parse_reservation_id(reservation_id)
        found = self.store.retrieve_number_reservation(account_id, valid_id) if valid_id else None
        if found is None:
            raise not_found()
        return found

    def extend_number_reservation(self, account_id: str, reservation_id: str) -> NumberReservation:
        """Every number still held, held until now + the reservation time; a reservation
        that holds nothing any more (expired, ordered, refused) is a 422."""
        now = now_micros()
        valid_id = parse_reservation_id(reservation_id)
        extension = (
            self.store.extend_number_reservation(
                account_id, valid_id, now + self.reservation_time, now
            )
            if valid_id
            else None
        )
        if extension is None:
            raise not_found()
        if not extension.extended:
            raise nothing_to_extend(extension.reservation.id)
        return extension.reservation

    # -- expiry ------------------------------------------------------------------------

    def expire_due_reservations(self, limit: int) -> int:
        """Free up to `limit` numbers whose reservation has expired; only reads when
        none is due, so an idle worker never takes a write lock."""
        now = now_micros()
        due = self.store.next_reservation_expiry_at()
        if due is None or due > now:
            return 0
        return self.store.expire_due_reservations(now, limit)

    def next_reservation_expiry_at(self) -> int | None:
        return self.store.next_reservation_expiry_at()
