"""The worker's document step, on both engines: a document is verified (or denied) once the
fulfilment delay has passed, by the background step and by a drain, and not before."""

from __future__ import annotations

from number_orders.domain.documents import DENIED, PENDING, VERIFIED, NewDocument
from number_orders.domain.timestamps import now_micros
from number_orders.domain.webhooks import DeliveryPolicy
from number_orders.service import NumberOrdersService
from number_orders.storage.sql_store import SqlStore
from number_orders.worker import documents
from number_orders.worker.delivery import WebhookDelivery
from number_orders.worker.steps import STEPS, Work, drain


def upload(service: NumberOrdersService, account_id: str, filename: str) -> str:
    new = NewDocument(b"%PDF-1.7", filename, "application/pdf")
    return service.upload_document(account_id, new).id


def test_the_step_reviews_after_the_delay(store: SqlStore) -> None:
    service = NumberOrdersService(store, fulfilment_delay=60.0)
    account = store.ensure_account("acme").account_id
    kept, denied = upload(service, account, "id.pdf"), upload(service, account, "DENY.pdf")
    assert documents.review_documents(service, now_micros()) == 0
    statuses = service.document_statuses(account, [kept, denied])
    assert statuses == {kept: PENDING, denied: PENDING}
    assert documents.review_documents(service, now_micros() + 61_000_000) == 2
    assert service.document_statuses(account, [kept, denied]) == {kept: VERIFIED, denied: DENIED}


def test_a_drain_reviews_every_due_document_a_batch_at_a_time(store: SqlStore) -> None:
    service = NumberOrdersService(store, fulfilment_delay=0.0)
    account = store.ensure_account("acme").account_id
    made = [upload(service, account, f"d{i}.pdf") for i in range(documents.BATCH + 1)]
    assert service.next_document_review_at() is not None
    drained = drain(Work(service, WebhookDelivery(service, DeliveryPolicy())), STEPS)
    assert drained.complete and drained.done["documents"] == documents.BATCH + 1
    assert set(service.document_statuses(account, made).values()) == {VERIFIED}
    assert service.next_document_review_at() is None
