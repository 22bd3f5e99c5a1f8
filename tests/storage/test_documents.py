"""Documents in the store, on both engines: content kept byte for byte beside the record,
the list's filters, sorts and exact totals without reading any content, the review queue,
and one account never reaching another's documents."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from number_orders.domain.documents import (
    DENIED,
    PENDING,
    VERIFIED,
    Document,
    DocumentsQuery,
    DocumentUpdate,
    NewDocument,
)
from number_orders.domain.ids import random_id
from number_orders.domain.parameters import SortKey
from number_orders.storage.sql_store import SqlStore

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 4  # every byte value, NUL included


def stored(
    store: SqlStore,
    account_id: str,
    filename: str,
    now: int,
    data: bytes = PDF,
    reference: str | None = None,
    review_delay: int = 100,
) -> Document:
    new = NewDocument(data, filename, "application/pdf", reference)
    document = new.build(now, review_delay, random_id)
    store.create_document(account_id, document, data)
    return document


@contextmanager
def statements(store: SqlStore) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def reads_content(seen: list[str]) -> bool:
    return any(re.search(r"\bcontent\b", s) for s in seen)


def test_content_is_kept_byte_for_byte_with_its_record(store: SqlStore) -> None:
    account = store.ensure_account("acme").account_id
    document = stored(store, account, "lease.pdf", 10, reference="R1")
    assert store.retrieve_document(account, document.id) == document
    with statements(store) as seen:
        found = store.document_content(account, document.id)
    assert reads_content(seen)  # the one read that does
    assert found is not None and found == (document, PDF)
    assert store.document_content(account, random_id()) is None


def test_the_list_filters_sorts_and_counts_without_reading_content(store: SqlStore) -> None:
    account = store.ensure_account("acme").account_id
    names = ["Zeta.pdf", "alpha.PDF", "Straße.png", "beta.txt", "Invoice-7.pdf"]
    made = [
        stored(store, account, name, 10 + i, reference=f"R{i % 2}") for i, name in enumerate(names)
    ]
    with statements(store) as seen:
        page, total = store.list_documents(account, DocumentsQuery(page_size=2, page_number=2))
    assert not reads_content(seen) and seen
    assert total == 5 and [d.filename for d in page] == ["Straße.png", "alpha.PDF"]

    def names_of(**query: Any) -> tuple[list[str], int]:
        found, count = store.list_documents(account, DocumentsQuery(**query))
        return [d.filename for d in found], count

    assert names_of(filename_contains="pdf") == (["Invoice-7.pdf", "alpha.PDF", "Zeta.pdf"], 3)
    assert names_of(filename_contains="STRASSE") == (["Straße.png"], 1)  # case-folded
    assert names_of(filename_contains="%") == ([], 0)  # no wildcards
    assert names_of(customer_reference="R1") == (["beta.txt", "alpha.PDF"], 2)
    assert names_of(customer_references=("R0", "R9"))[1] == 3
    assert names_of(created_after=11, created_before=14) == (["beta.txt", "Straße.png"], 2)
    by_name = names_of(sort=(SortKey("filename", False),))[0]
    assert by_name == ["Invoice-7.pdf", "Straße.png", "Zeta.pdf", "alpha.PDF", "beta.txt"]
    assert names_of(sort=(SortKey("created_at", False),))[0] == names
    renamed = DocumentUpdate.from_body({"filename": "aaa.pdf"}).apply(made[2], 99)
    assert renamed is not None
    store.change_document(account, made[2].id, lambda _: renamed)
    assert names_of(sort=(SortKey("updated_at", True),))[0][0] == "aaa.pdf"
    assert names_of(page_number=9) == ([], 5)


def test_the_review_reads_only_due_documents_and_settles_them(store: SqlStore) -> None:
    acme = store.ensure_account("acme").account_id
    globex = store.ensure_account("globex").account_id
    due = stored(store, acme, "passport.pdf", 10, review_delay=5)
    denied = stored(store, globex, "please-deny.pdf", 10, review_delay=5)
    later = stored(store, acme, "later.pdf", 10, review_delay=500)
    assert store.review_documents(14, 10) == 0  # nothing due yet
    with statements(store) as seen:
        assert store.review_documents(15, 10) == 2
    assert not reads_content(seen)
    assert store.review_documents(15, 10) == 0  # reviewed once
    statuses = {
        d.id: s.status
        for d, s in [
            (due, store.retrieve_document(acme, due.id)),
            (denied, store.retrieve_document(globex, denied.id)),
            (later, store.retrieve_document(acme, later.id)),
        ]
        if s is not None
    }
    assert statuses == {due.id: VERIFIED, denied.id: DENIED, later.id: PENDING}
    reviewed = store.retrieve_document(acme, due.id)
    assert reviewed is not None and reviewed.updated_at == 15


def test_a_batch_is_bounded_and_oldest_due_first(store: SqlStore) -> None:
    account = store.ensure_account("acme").account_id
    made = [stored(store, account, f"d{i}.pdf", 10 + i, review_delay=0) for i in range(5)]
    assert store.review_documents(100, 3) == 3
    statuses = [store.document_statuses(account, [d.id])[d.id] for d in made]
    assert statuses == [VERIFIED] * 3 + [PENDING] * 2
    assert store.review_documents(100, 3) == 2


def test_one_account_never_reaches_anothers_documents(store: SqlStore) -> None:
    acme = store.ensure_account("acme").account_id
    globex = store.ensure_account("globex").account_id
    document = stored(store, acme, "lease.pdf", 10)
    assert store.retrieve_document(globex, document.id) is None
    assert store.document_content(globex, document.id) is None
    assert store.change_document(globex, document.id, lambda d: d) is None
    assert store.delete_document(globex, document.id) is None
    assert store.document_statuses(globex, [document.id]) == {}
    assert store.list_documents(globex, DocumentsQuery()) == ([], 0)
    assert store.document_statuses(acme, [document.id, random_id()]) == {document.id: PENDING}
    assert store.delete_document(acme, document.id) == document
    assert store.retrieve_document(acme, document.id) is None
    assert store.list_documents(acme, DocumentsQuery()) == ([], 0)
