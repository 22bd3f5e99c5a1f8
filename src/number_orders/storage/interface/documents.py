"""What the service needs from persistence for documents, and their review."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from number_orders.domain.documents import Document, DocumentsQuery

# A change to a locked document: the document after it, or None to leave it as it is.
DocumentChange = Callable[[Document], Document | None]


class DocumentStore(Protocol):
    def create_document(self, account_id: str, document: Document, content: bytes) -> None: ...

    def list_documents(self, account_id: str, query: DocumentsQuery) -> tuple[list[Document], int]:
        """One page of the account's documents and the exact total of those that match;
        the content is never read."""
        ...

    def retrieve_document(self, account_id: str, document_id: str) -> Document | None: ...

    def document_content(self, account_id: str, document_id: str) -> tuple[Document, bytes] | None:
        """The document and its content, read together, or None."""
        ...

    def change_document(
        self, account_id: str, document_id: str, change: DocumentChange
    ) -> Document | None:
        """The document after `change` (run on the locked row), or None if there is none."""
        ...

    def delete_document(self, account_id: str, document_id: str) -> Document | None:
        """The document as it was before it was deleted, or None."""
        ...

    def document_statuses(self, account_id: str, document_ids: Iterable[str]) -> dict[str, str]:
        """The status of each of `document_ids` that names a document of the account."""
        ...

    def review_documents(self, now: int, limit: int) -> int:
        """Settle the review of up to `limit` documents of any account whose review is due
        at `now`; how many were reviewed."""
        ...

    def next_document_review_at(self) -> int | None:
        """When the first pending document's review is due (in the queue, held by a worker
        or not); None if none is pending."""
        ...
