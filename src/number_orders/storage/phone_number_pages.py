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
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select, and_, false, func, select

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


def total(conn: Connection, account_id: str, query: PhoneNumberQuery) -> int:
    if query.matches_nothing:
        return 0
    values = _value_filters(query)
    if query.tag is not None or query.digits is not None or len(values) > 1:
        counted = _rows(account_id, query, func.count())
    elif values:
        ((field, value),) = values
        v = phone_number_value_counts.c
        counted = select(func.coalesce(func.sum(v.n), 0)).where(
            v.account_id == account_id,
            v.field == field,
            v.value == value,
            *_tallied(phone_number_value_counts, query),
        )
    else:
        c = phone_number_counts.c
        counted = select(func.coalesce(func.sum(c.n), 0)).where(
            c.account_id == account_id, *_tallied(phone_number_counts, query)
        )
    return int(conn.execute(counted).scalar_one())


def page(conn: Connection, account_id: str, query: PhoneNumberQuery) -> list[PhoneNumber]:
    if query.matches_nothing:
        return []
    statement = _rows(account_id, query, *COLUMNS)
    if query.sort == PHONE_NUMBER:
        statement = statement.order_by(_p.phone_number)
    elif query.tag is not None:
        # The tag's index yields its numbers newest first.
        statement = statement.order_by(_t.purchased_at.desc(), _t.phone_number_id.desc())
    else:
        statement = statement.order_by(_p.purchased_at.desc(), _p.id.desc())
    statement = statement.limit(query.page_size).offset(query.offset)
    return [record_of(row) for row in conn.execute(statement)]


def _rows(account_id: str, query: PhoneNumberQuery, *columns: Any) -> Select[Any]:
    """The account's numbers that pass every filter: through the tag's rows when there
    is a tag, so only its numbers are read."""
    statement = select(*columns)
    if query.tag is not None:
        statement = statement.select_from(
            phone_number_tags.join(
                phone_numbers,
                and_(_p.account_id == _t.account_id, _p.id == _t.phone_number_id),
            )
        ).where(_t.account_id == account_id, _t.tag == query.tag)
    else:
        statement = statement.select_from(phone_numbers)
    statement = statement.where(_p.account_id == account_id, *_tallied(phone_numbers, query))
    for field, value in _value_filters(query):
        statement = statement.where(_p[field] == value)
    if query.digits is not None:
        statement = statement.where(_p.phone_number.contains(query.digits, autoescape=True))
    return statement


def _value_filters(query: PhoneNumberQuery) -> list[tuple[str, str]]:
    """(field, value) of every filter with many values."""
    wanted = {
        "customer_reference": query.customer_reference,
        "connection_id": query.connection_id,
        "billing_group_id": None if query.billing_group_id == NONE else query.billing_group_id,
    }
    return [(field, value) for field in VALUE_FIELDS if (value := wanted[field]) is not None]


def _tallied(table: Any, query: PhoneNumberQuery) -> list[Any]:
    """The filters with few values, on a table that has their columns: the numbers, or
    a tally (whose `billing_grouped` stands for the number's billing group)."""
    c = table.c
    conditions = []
    if query.status is not None:
        conditions.append(c.status == query.status)
    if query.countries:
        conditions.append(c.country_iso_alpha2.in_(query.countries))
    if query.phone_number_type is not None:
        conditions.append(c.phone_number_type == query.phone_number_type)
    if query.source_type is not None:
        conditions.append(c.source_type == query.source_type)
    if query.untagged:
        conditions.append(c.tagged == false())
    if query.billing_group_id == NONE and table is phone_numbers:
        conditions.append(c.billing_group_id.is_(None))
    elif query.billing_group_id == NONE:
        conditions.append(c.billing_grouped == false())
    return conditions
