"""Documents in the SQL store: records and content in one table, and their review. Every
read but the download names the record's columns only, so a list or a review never reads
any content."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    delete,
    func,
    insert,
    select,
    update,
)

from number_orders.domain.documents import PENDING, Document, DocumentsQuery
from number_orders.domain.parameters import SortKey
from number_orders.storage.interface import DocumentChange
from number_orders.storage.part import StorePart
from number_orders.storage.schema import documents

_d = documents.c
_COLUMNS = (
    _d.id,
    _d.filename,
    _d.content_type,
    _d.sha256,
    _d.size,
    _d.status,
    _d.created_at,
    _d.updated_at,
    _d.review_at,
    _d.customer_reference,
)
# Past the sort the client asked for, newest first decides, so every order is total.
_NEWEST_FIRST = (_d.created_at.desc(), _d.id.desc())


class SqlDocuments(StorePart):
    def create_document(self, account_id: str, document: Document, content: bytes) -> None:
        with self.writing() as conn:
            conn.execute(
                insert(documents).values(
                    **_row(document), account_id=account_id, id=document.id, content=content
                )
            )

    def list_documents(self, account_id: str, query: DocumentsQuery) -> tuple[list[Document], int]:
        with self.reading() as conn:
            clauses = _filters(conn, account_id, query)
            total = conn.execute(
                select(func.count()).select_from(documents).where(*clauses)
            ).scalar_one()
            page = query.page
            statement = (
                select(*_COLUMNS)
                .where(*clauses)
                .order_by(*_sorted(conn, query.sort))
                .limit(page.size)
                .offset(page.offset)
            )
            found = [_document(row) for row in conn.execute(statement)]
        return found, total

    def retrieve_document(self, account_id: str, document_id: str) -> Document | None:
        with self.reading() as conn:
            row = conn.execute(_select(account_id, document_id)).first()
        return _document(row) if row else None

    def document_content(self, account_id: str, document_id: str) -> tuple[Document, bytes] | None:
        with self.reading() as conn:
            row = conn.execute(_select(account_id, document_id).add_columns(_d.content)).first()
        return (_document(row), bytes(row.content)) if row else None

    def change_document(
        self, account_id: str, document_id: str, change: DocumentChange
    ) -> Document | None:
        with self.writing() as conn:
            row = conn.execute(_select(account_id, document_id).with_for_update()).first()
            if row is None:
                return None
            before = _document(row)
            after = change(before)
            if after is None:
                return before
            _write(conn, account_id, after)
        return after

    def delete_document(self, account_id: str, document_id: str) -> Document | None:
        with self.writing() as conn:
            row = conn.execute(_select(account_id, document_id).with_for_update()).first()
            if row is None:
                return None
            conn.execute(delete(documents).where(_d.account_id == account_id, _d.id == document_id))
        return _document(row)

    def document_statuses(self, account_id: str, document_ids: Iterable[str]) -> dict[str, str]:
        wanted = sorted(set(document_ids))
        if not wanted:
            return {}
        statement = select(_d.id, _d.status).where(_d.account_id == account_id, _d.id.in_(wanted))
        with self.reading() as conn:
            return {row.id: row.status for row in conn.execute(statement)}

    def review_documents(self, now: int, limit: int) -> int:
        # Looking first, in a read, keeps an idle worker off SQLite's write lock.
        due = _due(now).limit(limit)
        with self.reading() as conn:
            if conn.execute(due).first() is None:
                return 0
        with self.writing() as conn:
            # Documents another worker is reviewing are skipped, not waited for.
            rows = conn.execute(due.with_for_update(skip_locked=True)).all()
            for row in rows:
                _write(conn, row.account_id, _document(row).reviewed(now))
        return len(rows)

    def next_document_review_at(self) -> int | None:
        with self.reading() as conn:
            value = conn.execute(_earliest_review()).scalar()
        return None if value is None else int(value)


def _earliest_review() -> Select[Any]:
    """When the first pending document's review is due, along the review queue."""
    return select(func.min(_d.review_at)).where(_d.status == PENDING)


def _due(now: int) -> Select[Any]:
    """Pending documents whose review is due, along the review queue's partial index."""
    return (
        select(_d.account_id, *_COLUMNS)
        .where(_d.status == PENDING, _d.review_at <= now)
        .order_by(_d.review_at)
    )


def _filters(conn: Connection, account_id: str, query: DocumentsQuery) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [_d.account_id == account_id]
    if query.filename_contains is not None:
        # Exact text in the folded name, on both engines (no wildcards to escape).
        position = func.instr if conn.dialect.name == "sqlite" else func.strpos
        clauses.append(position(_d.filename_folded, query.filename_contains.casefold()) > 0)
    if query.customer_reference is not None:
        clauses.append(_d.customer_reference == query.customer_reference)
    if query.customer_references:
        clauses.append(_d.customer_reference.in_(query.customer_references))
    if query.created_after is not None:
        clauses.append(_d.created_at > query.created_after)
    if query.created_before is not None:
        clauses.append(_d.created_at < query.created_before)
    return clauses


def _sorted(conn: Connection, keys: Iterable[SortKey]) -> list[Any]:
    order: list[Any] = []
    for key in keys:
        column: Any = _d[key.field]
        if key.field == "filename" and conn.dialect.name != "sqlite":
            # Code-point order, as SQLite compares text, whatever the database's locale.
            column = column.collate("C")
        order.append(column.desc() if key.descending else column.asc())
    return [*order, *_NEWEST_FIRST]


def _select(account_id: str, document_id: str) -> Select[Any]:
    return select(*_COLUMNS).where(_d.account_id == account_id, _d.id == document_id)


def _write(conn: Connection, account_id: str, document: Document) -> None:
    conn.execute(
        update(documents)
        .where(_d.account_id == account_id, _d.id == document.id)
        .values(_row(document))
    )


def _row(document: Document) -> dict[str, Any]:
    """The record's columns (not its keys, not its content)."""
    return {
        "filename": document.filename,
        "filename_folded": document.filename.casefold(),
        "content_type": document.content_type,
        "sha256": document.sha256,
        "size": document.size,
        "status": document.status,
        "customer_reference": document.customer_reference,
        "created_at": document.created_at,
        "updated_at": document.updated_at,
        "review_at": document.review_at,
    }


def _document(row: Any) -> Document:
    return Document(
        id=row.id,
        filename=row.filename,
        content_type=row.content_type,
        sha256=row.sha256,
        size=row.size,
        status=row.status,
        created_at=row.created_at,
        updated_at=row.updated_at,
        review_at=row.review_at,
        customer_reference=row.customer_reference,
    )
