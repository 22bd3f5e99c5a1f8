"""How a page of owned phone numbers and its exact total are read, in the caller's
snapshot.

The total comes from the tallies whenever the filters allow: the filters with few values
(status, country, type, source, untagged, no billing group) sum `phone_number_counts`;
one filter with many values (customer reference, connection, billing group) adds the
rows of that value in `phone_number_value_counts`. Only three shapes count rows: a tag
(over that tag's index entries, so the cost is the tag's numbers), digits anywhere in the
number (over the account's entries of the number index: the one filter whose cost grows
with the account) and two filters with many values at once (over the first one's index
range). A page is an index range scan in the order asked for; deep pages skip rows.

Statements are built once per query shape (which filters it uses, and the sort), with
the filters' values as parameters: building a statement costs more than running it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, and_, bindparam, false, func, literal, select

from number_orders.domain.phone_number_listing import NONE, PHONE_NUMBER, PhoneNumberQuery
from number_orders.domain.phone_numbers import PhoneNumber
from number_orders.storage.interface.phone_numbers import VALUE_FIELDS
from number_orders.storage.phone_number_rows import COLUMNS, record_of
from number_orders.storage.schema import (
    phone_number_counts,
    phone_number_tags,
    phone_number_value_counts,
    phone_numbers,
)

_p = phone_numbers.c
_t = phone_number_tags.c


@dataclass(frozen=True, slots=True)
class Shape:
    """What a query's statements depend on, its values aside: few enough to build each
    shape's statements once."""

    values: tuple[str, ...]  # the filters with many values it uses, in `VALUE_FIELDS` order
    status: bool
    countries: bool
    phone_number_type: bool
    source_type: bool
    untagged: bool
    no_billing_group: bool
    tag: bool
    digits: bool
    by_number: bool

    @classmethod
    def of(cls, query: PhoneNumberQuery) -> Shape:
        return cls(
            values=tuple(field for field, _ in _value_filters(query)),
            status=query.status is not None,
            countries=bool(query.countries),
            phone_number_type=query.phone_number_type is not None,
            source_type=query.source_type is not None,
            untagged=query.untagged,
            no_billing_group=query.billing_group_id == NONE,
            tag=query.tag is not None,
            digits=query.digits is not None,
            by_number=query.sort == PHONE_NUMBER,
        )

    @property
    def counts_rows(self) -> bool:
        return self.tag or self.digits or len(self.values) > 1


def total(conn: Connection, account_id: str, query: PhoneNumberQuery) -> int:
    if query.matches_nothing:
        return 0
    counted = _total_statement(Shape.of(query))
    return int(conn.execute(counted, _parameters(account_id, query)).scalar_one())


def page(conn: Connection, account_id: str, query: PhoneNumberQuery) -> list[PhoneNumber]:
    if query.matches_nothing:
        return []
    parameters = _parameters(account_id, query)
    parameters.update(limit=query.page_size, offset=query.offset)
    return [record_of(row) for row in conn.execute(_page_statement(Shape.of(query)), parameters)]


def _parameters(account_id: str, query: PhoneNumberQuery) -> dict[str, Any]:
    """The values of the query's filters, by the names its shape's statements bind."""
    parameters: dict[str, Any] = {
        "account_id": account_id,
        "status": query.status,
        "countries": list(query.countries),
        "phone_number_type": query.phone_number_type,
        "source_type": query.source_type,
        "tag": query.tag,
        "digits": query.digits,
    }
    parameters.update(_value_filters(query))
    return {name: value for name, value in parameters.items() if value is not None}


@functools.cache
def _total_statement(shape: Shape) -> Select[Any]:
    if shape.counts_rows:
        return _rows(shape, func.count())
    if shape.values:
        v = phone_number_value_counts.c
        (field,) = shape.values
        return select(func.coalesce(func.sum(v.n), 0)).where(
            v.account_id == bindparam("account_id"),
            v.field == literal(field),
            v.value == bindparam(field),
            *_tallied(phone_number_value_counts, shape),
        )
    c = phone_number_counts.c
    return select(func.coalesce(func.sum(c.n), 0)).where(
        c.account_id == bindparam("account_id"), *_tallied(phone_number_counts, shape)
    )


@functools.cache
def _page_statement(shape: Shape) -> Select[Any]:
    statement = _rows(shape, *COLUMNS)
    if shape.by_number:
        statement = statement.order_by(_p.phone_number)
    elif shape.tag:
        # The tag's index yields its numbers newest first.
        statement = statement.order_by(_t.purchased_at.desc(), _t.phone_number_id.desc())
    else:
        statement = statement.order_by(_p.purchased_at.desc(), _p.id.desc())
    return statement.limit(bindparam("limit")).offset(bindparam("offset"))


def _rows(shape: Shape, *columns: Any) -> Select[Any]:
    """The account's numbers that pass every filter: through the tag's rows when there
    is a tag, so only its numbers are read."""
    statement = select(*columns)
    account_id: Any = bindparam("account_id")
    if shape.tag:
        statement = statement.select_from(
            phone_number_tags.join(
                phone_numbers,
                and_(_p.account_id == _t.account_id, _p.id == _t.phone_number_id),
            )
        ).where(_t.account_id == account_id, _t.tag == bindparam("tag"))
    else:
        statement = statement.select_from(phone_numbers)
    statement = statement.where(_p.account_id == account_id, *_tallied(phone_numbers, shape))
    for field in shape.values:
        statement = statement.where(_p[field] == bindparam(field))
    if shape.digits:
        # Digits only (`PhoneNumberQuery`), so nothing in them needs escaping.
        statement = statement.where(_p.phone_number.contains(bindparam("digits")))
    return statement


def _value_filters(query: PhoneNumberQuery) -> list[tuple[str, str]]:
    """(field, value) of every filter with many values."""
    wanted = {
        "customer_reference": query.customer_reference,
        "connection_id": query.connection_id,
        "billing_group_id": None if query.billing_group_id == NONE else query.billing_group_id,
    }
    return [(field, value) for field in VALUE_FIELDS if (value := wanted[field]) is not None]


def _tallied(table: Any, shape: Shape) -> list[Any]:
    """The filters with few values, on a table that has their columns: the numbers, or
    a tally (whose `billing_grouped` stands for the number's billing group)."""
    c = table.c
    conditions = []
    if shape.status:
        conditions.append(c.status == bindparam("status"))
    if shape.countries:
        conditions.append(c.country_iso_alpha2.in_(bindparam("countries", expanding=True)))
    if shape.phone_number_type:
        conditions.append(c.phone_number_type == bindparam("phone_number_type"))
    if shape.source_type:
        conditions.append(c.source_type == bindparam("source_type"))
    if shape.untagged:
        conditions.append(c.tagged == false())
    if shape.no_billing_group and table is phone_numbers:
        conditions.append(c.billing_group_id.is_(None))
    elif shape.no_billing_group:
        conditions.append(c.billing_grouped == false())
    return conditions
