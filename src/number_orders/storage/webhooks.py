"""Webhooks in the SQL store: the outbox of events and their delivery attempts
(`outbox.py`), and the server's signing keys (`signing_keys.py`)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from number_orders.domain.signing import SigningKey
from number_orders.domain.webhooks import (
    AttemptResult,
    ClaimedEvent,
    DeliveryAttempt,
    NextStep,
    WebhookEvent,
)
from number_orders.storage import outbox, signing_keys
from number_orders.storage.part import StorePart


class SqlWebhooks(StorePart):
    # -- signing keys ------------------------------------------------------------------

    def ensure_signing_key(self, candidate: SigningKey) -> SigningKey:
        """The active signing key; `candidate` becomes it when there is none yet."""
        with self.reading() as conn:
            found = signing_keys.active_key(conn)
        if found is not None:
            return found
        try:
            with self.writing() as conn:
                signing_keys.add_key(conn, candidate)
            return candidate
        except IntegrityError:
            # Another process made the first key at the same moment; use theirs.
            with self.reading() as conn:
                found = signing_keys.active_key(conn)
            assert found is not None
            return found

    def active_signing_key(self) -> SigningKey | None:
        with self.reading() as conn:
            return signing_keys.active_key(conn)

    def rotate_signing_key(self, new_key: SigningKey) -> None:
        with self.writing() as conn:
            signing_keys.retire_active(conn, new_key.created_at)
            signing_keys.add_key(conn, new_key)

    def list_signing_keys(self) -> list[SigningKey]:
        with self.reading() as conn:
            return signing_keys.list_keys(conn)

    # -- the outbox --------------------------------------------------------------------

    def outbox_depth(self) -> int:
        """Webhook events waiting for delivery, over every account (an operator's gauge)."""
        with self.reading() as conn:
            return outbox.depth(conn)

    def next_webhook_attempt_at(self) -> int | None:
        """When the earliest pending event is due, attempts in flight included."""
        with self.reading() as conn:
            return outbox.next_attempt_at(conn)

    def claim_webhook_events(
        self, now: int, limit: int, lease_micros: int, token: str, per_account: int = 0
    ) -> list[ClaimedEvent]:
        with self.reading() as conn:
            if not outbox.any_due(conn, now):
                return []
        with self.writing() as conn:
            return outbox.claim(conn, now, limit, lease_micros, token, per_account)

    def finish_webhook_attempts(self, outcomes: list[tuple[AttemptResult, NextStep]]) -> int:
        """Record attempts in one transaction; how many still held their lease."""
        with self.writing() as conn:
            return sum(outbox.finish(conn, result, step) for result, step in outcomes)

    def list_webhook_events(
        self, account_id: str | None, status: str | None, limit: int
    ) -> list[WebhookEvent]:
        with self.reading() as conn:
            return outbox.list_events(conn, account_id, status, limit)

    def find_webhook_event(self, event_id: str) -> WebhookEvent | None:
        with self.reading() as conn:
            return outbox.find_event(conn, event_id)

    def list_webhook_attempts(self, account_id: str, event_id: str) -> list[DeliveryAttempt]:
        with self.reading() as conn:
            return outbox.list_attempts(conn, account_id, event_id)

    def count_webhook_events(self, account_id: str) -> dict[str, int]:
        with self.reading() as conn:
            return outbox.count_by_status(conn, account_id)

    def redeliver_webhook_event(self, account_id: str, event_id: str, now: int) -> bool:
        with self.writing() as conn:
            return outbox.redeliver(conn, account_id, event_id, now)
