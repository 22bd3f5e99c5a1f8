"""Comments in the SQL store; `insert_comment` and `delete_comments_of` also run in the
transactions of the records they belong to (a review writes its comment with the group)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Select, delete, insert, literal, select, update

from number_orders.domain.comments import (
    REQUIREMENT_GROUP,
    SUB_NUMBER_ORDER,
    Comment,
    CommentsQuery,
)
from number_orders.storage.interface import CommentChange, Write
from number_orders.storage.part import StorePart
from number_orders.storage.schema import accounts, comments, order_parts, requirement_groups

_COLUMNS = (
    comments.c.id,
    comments.c.body,
    comments.c.record_type,
    comments.c.record_id,
    comments.c.commenter,
    comments.c.commenter_type,
    comments.c.created_at,
    comments.c.updated_at,
    comments.c.read_at,
)


class SqlComments(StorePart):
    def create_comment(
        self, account_id: str, record_type: str, record_id: str, write: Write
    ) -> Comment | None:
        with self.writing() as conn:
            name = conn.execute(
                select(accounts.c.name).where(accounts.c.account_id == account_id)
            ).scalar_one_or_none()
            if name is None or not record_exists(conn, account_id, record_type, record_id):
                return None
            comment = write(name)
            insert_comment(conn, account_id, comment)
        return comment

    def list_comments(self, account_id: str, query: CommentsQuery) -> list[Comment]:
        c = comments.c
        statement = _select(account_id).order_by(c.created_at, c.id)
        if query.record_id is not None:
            statement = statement.where(c.record_id == query.record_id)
        if query.record_type is not None:
            statement = statement.where(c.record_type == query.record_type)
        with self.reading() as conn:
            return [_comment(row) for row in conn.execute(statement)]

    def retrieve_comment(self, account_id: str, comment_id: str) -> Comment | None:
        with self.reading() as conn:
            row = conn.execute(_select(account_id, comment_id)).first()
        return _comment(row) if row else None

    def change_comment(
        self, account_id: str, comment_id: str, change: CommentChange
    ) -> Comment | None:
        with self.writing() as conn:
            row = conn.execute(_select(account_id, comment_id).with_for_update()).first()
            if row is None:
                return None
            before = _comment(row)
            after = change(before)
            if after != before:
                conn.execute(
                    update(comments)
                    .where(comments.c.account_id == account_id, comments.c.id == comment_id)
                    .values(updated_at=after.updated_at, read_at=after.read_at)
                )
        return after


def record_exists(conn: Connection, account_id: str, record_type: str, record_id: str) -> bool:
    if record_type == REQUIREMENT_GROUP:
        g = requirement_groups.c
        found = select(literal(1)).where(g.account_id == account_id, g.id == record_id)
    else:
        # A sub order is known by its id among the order parts: one primary-key read.
        p = order_parts.c
        found = select(literal(1)).where(
            p.account_id == account_id, p.id == record_id, p.kind == SUB_NUMBER_ORDER
        )
    return conn.execute(found.limit(1)).first() is not None


def insert_comment(conn: Connection, account_id: str, comment: Comment) -> None:
    conn.execute(insert(comments).values(_row(account_id, comment)))


def insert_comments(conn: Connection, made: Sequence[tuple[str, Comment]]) -> None:
    """Comments of any accounts, (account id, comment) each, in one statement."""
    if made:
        conn.execute(insert(comments), [_row(account_id, c) for account_id, c in made])


def delete_comments_of(conn: Connection, account_id: str, record_id: str) -> None:
    conn.execute(
        delete(comments).where(
            comments.c.account_id == account_id, comments.c.record_id == record_id
        )
    )


def _select(account_id: str, comment_id: str | None = None) -> Select[Any]:
    statement = select(*_COLUMNS).where(comments.c.account_id == account_id)
    if comment_id is not None:
        statement = statement.where(comments.c.id == comment_id)
    return statement


def _row(account_id: str, comment: Comment) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "id": comment.id,
        "body": comment.body,
        "record_type": comment.record_type,
        "record_id": comment.record_id,
        "commenter": comment.commenter,
        "commenter_type": comment.commenter_type,
        "created_at": comment.created_at,
        "updated_at": comment.updated_at,
        "read_at": comment.read_at,
    }


def _comment(row: Any) -> Comment:
    return Comment(
        id=row.id,
        body=row.body,
        record_type=row.record_type,
        record_id=row.record_id,
        commenter=row.commenter,
        commenter_type=row.commenter_type,
        created_at=row.created_at,
        updated_at=row.updated_at,
        read_at=row.read_at,
    )
