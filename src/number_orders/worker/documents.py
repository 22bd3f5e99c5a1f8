"""The review of uploaded documents, as a worker step: a batch of due reviews at a time,
found along the review queue (pending documents by due time), so an idle step reads one
index entry. Any number of workers may run it: a document another worker is reviewing is
skipped, and one already reviewed is no longer pending."""

from __future__ import annotations

from number_orders.service import NumberOrdersService

BATCH = 50


def review_documents(service: NumberOrdersService, now: int) -> int:
    """Review up to `BATCH` documents whose review is due at `now`; how many were
    reviewed (`BATCH` means more may be due)."""
    return service.review_documents(now, BATCH)
