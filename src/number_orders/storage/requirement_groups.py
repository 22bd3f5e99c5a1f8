"""Requirement groups in the SQL store, and the regulator's reviews of them. Each method
is one transaction, except the review, which is one per group."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import orjson
from sqlalchemy import Connection, Select, delete, func, insert, select, update

from number_orders.domain.requirement_groups import (
    PENDING_APPROVAL,
    GroupValue,
    RequirementGroup,
    RequirementGroupsQuery,
)
from number_orders.storage.comments import delete_comments_of, insert_comment
from number_orders.storage.interface import GroupChange, Review
from number_orders.storage.part import StorePart
from number_orders.storage.schema import requirement_groups

_COLUMNS = (
    requirement_groups.c.id,
    requirement_groups.c.country_code,
    requirement_groups.c.phone_number_type,
    requirement_groups.c.action,
    requirement_groups.c.status,
    requirement_groups.c.customer_reference,
    requirement_groups.c.regulatory_requirements,
    requirement_groups.c.created_at,
    requirement_groups.c.updated_at,
    requirement_groups.c.submitted_at,
)
# The list's filters, each the column of the same name.
_FILTERS = ("country_code", "phone_number_type", "action", "status", "customer_reference")


class SqlRequirementGroups(StorePart):
    def create_requirement_group(self, account_id: str, group: RequirementGroup) -> None:
        with self.writing() as conn:
            conn.execute(insert(requirement_groups).values(_row(account_id, group)))

    def list_requirement_groups(
        self, account_id: str, query: RequirementGroupsQuery
    ) -> list[RequirementGroup]:
        c = requirement_groups.c
        statement = _select(account_id).order_by(c.created_at.desc(), c.id.desc())
        for name in _FILTERS:
            wanted = getattr(query, name)
            if wanted is not None:
                statement = statement.where(c[name] == wanted)
        with self.reading() as conn:
            return [_group(row) for row in conn.execute(statement)]

    def retrieve_requirement_group(self, account_id: str, group_id: str) -> RequirementGroup | None:
        with self.reading() as conn:
            row = conn.execute(_select(account_id, group_id)).first()
        return _group(row) if row else None

    def change_requirement_group(
        self, account_id: str, group_id: str, change: GroupChange
    ) -> RequirementGroup | None:
        with self.writing() as conn:
            row = conn.execute(_select(account_id, group_id).with_for_update()).first()
            if row is None:
                return None
            before = _group(row)
            after = change(before)
            if after is None:
                return before
            _write(conn, account_id, after)
        return after

    def delete_requirement_group(self, account_id: str, group_id: str) -> RequirementGroup | None:
        c = requirement_groups.c
        with self.writing() as conn:
            row = conn.execute(_select(account_id, group_id).with_for_update()).first()
            if row is None:
                return None
            conn.execute(
                delete(requirement_groups).where(c.account_id == account_id, c.id == group_id)
            )
            # A comment belongs to its record: it goes with it.
            delete_comments_of(conn, account_id, group_id)
        return _group(row)

    def review_requirement_groups(self, submitted_before: int, limit: int, review: Review) -> int:
        c = requirement_groups.c
        due = (
            select(c.account_id, c.id)
            .where(c.status == PENDING_APPROVAL, c.submitted_at <= submitted_before)
            .order_by(c.submitted_at)
            .limit(limit)
        )
        with self.reading() as conn:
            keys = conn.execute(due).all()
        return sum(self._review(account_id, group_id, review) for account_id, group_id in keys)

    def next_requirement_review_at(self) -> int | None:
        c = requirement_groups.c
        # Along the review queue's index: the first submitted of those waiting.
        earliest = select(func.min(c.submitted_at)).where(c.status == PENDING_APPROVAL)
        with self.reading() as conn:
            value = conn.execute(earliest).scalar()
        return None if value is None else int(value)

    def _review(self, account_id: str, group_id: str, review: Review) -> int:
        """1 if this call reviewed the group; 0 if another worker holds it or has done it,
        or it changed since it was found due."""
        with self.writing() as conn:
            row = conn.execute(
                _select(account_id, group_id).with_for_update(skip_locked=True)
            ).first()
            reviewed = review(_group(row)) if row else None
            if reviewed is None:
                return 0
            _write(conn, account_id, reviewed.group)
            if reviewed.comment is not None:
                insert_comment(conn, account_id, reviewed.comment)
        return 1


def _select(account_id: str, group_id: str | None = None) -> Select[Any]:
    statement = select(*_COLUMNS).where(requirement_groups.c.account_id == account_id)
    if group_id is not None:
        statement = statement.where(requirement_groups.c.id == group_id)
    return statement


def _write(conn: Connection, account_id: str, group: RequirementGroup) -> None:
    c = requirement_groups.c
    conn.execute(
        update(requirement_groups)
        .where(c.account_id == account_id, c.id == group.id)
        .values(_row(account_id, group))
    )


def _row(account_id: str, group: RequirementGroup) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "id": group.id,
        "country_code": group.country_code,
        "phone_number_type": group.phone_number_type,
        "action": group.action,
        "status": group.status,
        "customer_reference": group.customer_reference,
        "regulatory_requirements": orjson.dumps([asdict(v) for v in group.values]).decode(),
        "created_at": group.created_at,
        "updated_at": group.updated_at,
        "submitted_at": group.submitted_at,
    }


def _group(row: Any) -> RequirementGroup:
    return RequirementGroup(
        id=row.id,
        country_code=row.country_code,
        phone_number_type=row.phone_number_type,
        action=row.action,
        status=row.status,
        values=tuple(GroupValue(**v) for v in orjson.loads(row.regulatory_requirements)),
        created_at=row.created_at,
        updated_at=row.updated_at,
        customer_reference=row.customer_reference,
        submitted_at=row.submitted_at,
    )
