"""Documents: upload, list, retrieve, update, delete and download; the review the worker
runs once a document's review is due; and which documents a `document` requirement may
name (`document_statuses`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from number_orders import errors
from number_orders.domain.documents import (
    Document,
    DocumentsQuery,
    DocumentUpdate,
    NewDocument,
    named_document_ids,
)
from number_orders.domain.ids import random_id
from number_orders.domain.orders import parse_order_id
from number_orders.domain.timestamps import now_micros
from number_orders.storage.interface import DocumentStore


@dataclass(frozen=True, slots=True)
class DocumentPage:
    documents: list[Document]
    total_results: int
    query: DocumentsQuery

    @property
    def meta(self) -> dict[str, int]:
        return self.query.page.meta(self.total_results)


class Documents:
    store: DocumentStore
    fulfilment_delay: int  # microseconds from an upload until its review is due
    fulfilment_due: Callable[[], None]

    def upload_document(self, account_id: str, new: NewDocument) -> Document:
        """A new pending document; the worker reviews it once the delay has passed."""
        document = new.build(now_micros(), self.fulfilment_delay, random_id)
        self.store.create_document(account_id, document, new.data)
        self.fulfilment_due()
        return document

    def list_documents(self, account_id: str, query: DocumentsQuery) -> DocumentPage:
        found, total = self.store.list_documents(account_id, query)
        return DocumentPage(found, total, query)

    def retrieve_document(self, account_id: str, document_id: str) -> Document:
        """The caller's document; unknown, malformed and other accounts' ids are all 404."""
        valid_id = parse_order_id(document_id)
        found = self.store.retrieve_document(account_id, valid_id) if valid_id else None
        if found is None:
            raise _document_not_found()
        return found

    def update_document(
        self, account_id: str, document_id: str, update: DocumentUpdate
    ) -> Document:
        now = now_micros()
        valid_id = parse_order_id(document_id)
        changed = (
            self.store.change_document(account_id, valid_id, lambda d: update.apply(d, now))
            if valid_id
            else None
        )
        if changed is None:
            raise _document_not_found()
        return changed

    def delete_document(self, account_id: str, document_id: str) -> Document:
        """The document as it was; its content goes with it."""
        valid_id = parse_order_id(document_id)
        deleted = self.store.delete_document(account_id, valid_id) if valid_id else None
        if deleted is None:
            raise _document_not_found()
        return deleted

    def download_document(self, account_id: str, document_id: str) -> tuple[Document, bytes]:
        """The document and its content, exactly as uploaded."""
        valid_id = parse_order_id(document_id)
        found = self.store.document_content(account_id, valid_id) if valid_id else None
        if found is None:
            raise _document_not_found()
        return found

    def review_documents(self, now: int, limit: int) -> int:
        """Settle up to `limit` due reviews (verified, or denied by the filename); how many."""
        return self.store.review_documents(now, limit)

    def next_document_review_at(self) -> int | None:
        return self.store.next_document_review_at()

    def document_statuses(self, account_id: str, values: Iterable[str]) -> dict[str, str]:
        """The status of every document of the account that one of `values` names (any
        case), keyed by its id: what a `document` requirement's check reads."""
        ids = named_document_ids(values)
        return self.store.document_statuses(account_id, ids) if ids else {}


def _document_not_found() -> errors.ApiError:
    return errors.not_found("No document with this id exists.")
