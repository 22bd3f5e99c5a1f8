"""Number reservations: the body of a new one, what each of its numbers becomes, and its
JSON shape.

A reservation holds numbers for its account until they expire. Every number is decided
when the reservation is made: held (`reserved`), or refused (`failure`, with an `errors`
text) when it cannot be reserved at all or someone already holds it. A held number later
expires, or an order of the same account takes it over (`ordered`); neither changes what
the API calls its status (`success`, the spec's enum has nothing else): `expired_at` says
when the hold ended or ends.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from number_orders.domain.fields import FieldReader, json_type, pointer, shown
from number_orders.domain.ids import random_id
from number_orders.domain.inventory.catalogue import NANP_COUNTRIES
from number_orders.domain.inventory.tables import reservable
from number_orders.domain.numbering import ClassifiedNumber, classify
from number_orders.domain.orders import FAILURE, PENDING, SUCCESS, parse_order_id
from number_orders.domain.timestamps import format_micros
from number_orders.errors import ApiError, Problem, bad_phone_number, invalid_body

RESERVATION_STATUSES = (PENDING, SUCCESS, FAILURE)
MAX_NUMBERS = 100
RESERVATION_SECONDS = 1800  # how long a reservation (and each extension) holds its numbers

# A number's life in a reservation (`reserved_phone_numbers.state`).
DECIDING, RESERVED, EXPIRED, ORDERED, REFUSED = "pending", "reserved", "expired", "ordered", FAILURE
_STATUS_OF_STATE = {
    DECIDING: PENDING,
    RESERVED: SUCCESS,
    EXPIRED: SUCCESS,
    ORDERED: SUCCESS,
    REFUSED: FAILURE,
}

HELD_ELSEWHERE = "Number is already on hold: reserved, ordered or owned by another account."
HELD_BY_CALLER = (
    "Number is already held by this account: in another reservation (extend that one), "
    "in an order, or as its own number."
)


@dataclass(frozen=True, slots=True)
class ReservedNumber:
    id: str
    phone_number: str
    state: str
    created_at: int
    updated_at: int
    expired_at: int | None = None  # while held: when it expires; once ended: when it did
    errors: str | None = None

    @property
    def status(self) -> str:
        return _STATUS_OF_STATE[self.state]


@dataclass(frozen=True, slots=True)
class NumberReservation:
    id: str
    status: str
    created_at: int
    updated_at: int
    numbers: tuple[ReservedNumber, ...]
    customer_reference: str | None = None


@dataclass(frozen=True, slots=True)
class NewReservation:
    numbers: tuple[ClassifiedNumber, ...]
    customer_reference: str | None = None

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> NewReservation:
        """A valid request, or one 422 listing every problem in the body."""
        reader = FieldReader()
        numbers = _numbers(reader, body)
        reference = reader.text(body, "customer_reference", pointer("customer_reference"))
        if reader.problems:
            raise invalid_body(reader.problems)
        return cls(tuple(numbers), reference)


def _numbers(reader: FieldReader, body: Mapping[str, Any]) -> list[ClassifiedNumber]:
    items = reader.array(body, "phone_numbers", "/phone_numbers")
    if items is None:
        if body.get("phone_numbers") is None:
            reader.missing("/phone_numbers", f"phone_numbers (an array of 1 to {MAX_NUMBERS})")
        return []
    if not 1 <= len(items) <= MAX_NUMBERS:
        detail = f"phone_numbers must hold 1 to {MAX_NUMBERS} numbers; got {len(items)}."
        reader.bad("/phone_numbers", detail)
        return []
    found: dict[str, ClassifiedNumber] = {}
    for index, item in enumerate(items):
        entry = reader.object(item, "each phone_numbers item", pointer("phone_numbers", index))
        if entry is not None:
            _number(
                reader,
                entry.get("phone_number"),
                pointer("phone_numbers", index, "phone_number"),
                found,
            )
    return list(found.values())


def _number(
    reader: FieldReader, value: Any, where: str, found: dict[str, ClassifiedNumber]
) -> None:
    if value is None:
        reader.missing(where, "phone_number")
    elif not isinstance(value, str):
        reader.bad(where, f"phone_number must be a string; got {json_type(value)}.")
    elif (number := classify(value)) is None:
        detail = (
            "phone_number must be a valid number in +E.164 format (a plus sign, the country "
            f"code and the national number, digits only, e.g. +13125550123); got {shown(value)}."
        )
        reader.problems.append(bad_phone_number(where, detail))
    elif number.e164 in found:
        reader.bad(where, f"phone_number {number.e164} appears more than once.")
    else:
        found[number.e164] = number


def build_reservation(
    new: NewReservation, now: int, make_id: Callable[[], str] = random_id
) -> NumberReservation:
    """The reservation before the store decides: numbers that can never be reserved are
    refused now; the others wait for the store to say whether they are free."""
    numbers = tuple(_requested(n, now, make_id()) for n in new.numbers)
    return NumberReservation(
        id=make_id(),
        status=derive_status(numbers),
        created_at=now,
        updated_at=now,
        numbers=numbers,
        customer_reference=new.customer_reference,
    )


def _requested(number: ClassifiedNumber, now: int, number_id: str) -> ReservedNumber:
    if reservable(number.country_code):
        return ReservedNumber(number_id, number.e164, DECIDING, now, now)
    countries = " and ".join(sorted(NANP_COUNTRIES))
    errors = f"Number is not reservable: only numbers of {countries} can be reserved."
    return ReservedNumber(number_id, number.e164, REFUSED, now, now, errors=errors)


def waiting(reservation: NumberReservation) -> list[str]:
    """The numbers the store must try to hold."""
    return [n.phone_number for n in reservation.numbers if n.state == DECIDING]


def decide(
    reservation: NumberReservation, refused: Mapping[str, bool], expires_at: int
) -> NumberReservation:
    """Every waiting number held until `expires_at`, except those `refused` (a number to
    whether the caller's own account holds it)."""
    numbers = tuple(_decided(n, refused, expires_at) for n in reservation.numbers)
    return replace(reservation, numbers=numbers, status=derive_status(numbers))


def _decided(
    number: ReservedNumber, refused: Mapping[str, bool], expires_at: int
) -> ReservedNumber:
    if number.state != DECIDING:
        return number
    if number.phone_number in refused:
        errors = HELD_BY_CALLER if refused[number.phone_number] else HELD_ELSEWHERE
        return replace(number, state=REFUSED, errors=errors)
    return replace(number, state=RESERVED, expired_at=expires_at)


def derive_status(numbers: tuple[ReservedNumber, ...]) -> str:
    """`pending` while any number is being decided, `success` when every number was
    reserved, otherwise `failure` (as an order with a failed number is a failure)."""
    statuses = {n.status for n in numbers}
    if PENDING in statuses:
        return PENDING
    return SUCCESS if statuses == {SUCCESS} else FAILURE


def parse_reservation_id(text: str) -> str | None:
    """The canonical form of a reservation id (a UUID), or None if it cannot be one."""
    return parse_order_id(text)


def not_found() -> ApiError:
    return ApiError(404, [Problem("10005", "Resource not found", _NOT_FOUND)])


_NOT_FOUND = "No number reservation with this id exists."


def nothing_to_extend(reservation_id: str) -> ApiError:
    detail = (
        f"Number reservation {reservation_id} holds no number any more (its numbers "
        "expired, were ordered or were never reserved), so it cannot be extended."
    )
    return ApiError(422, [Problem("10015", "Bad Request", detail)])


# -- the JSON shape ----------------------------------------------------------------------


def reservation_json(reservation: NumberReservation) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": reservation.id,
        "record_type": "number_reservation",
        "status": reservation.status,
        "phone_numbers": [number_json(n) for n in reservation.numbers],
        "created_at": format_micros(reservation.created_at),
        "updated_at": format_micros(reservation.updated_at),
    }
    # The published schema types these as plain strings, so an absent value is left out.
    if reservation.customer_reference is not None:
        body["customer_reference"] = reservation.customer_reference
    refused = sum(n.state == REFUSED for n in reservation.numbers)
    if refused:
        body["errors"] = (
            f"Not every number could be reserved ({refused} of {len(reservation.numbers)} "
            "failed); see each number's errors."
        )
    return body


def number_json(number: ReservedNumber) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": number.id,
        "record_type": "reserved_phone_number",
        "phone_number": number.phone_number,
        "status": number.status,
        "created_at": format_micros(number.created_at),
        "updated_at": format_micros(number.updated_at),
    }
    if number.expired_at is not None:
        body["expired_at"] = format_micros(number.expired_at)
    if number.errors is not None:
        body["errors"] = number.errors
    return body
