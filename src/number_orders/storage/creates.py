"""Creating orders in groups: concurrent creates of one process share a transaction and
its commit (`group_commit.py`), each still answered for itself.

A group's orders go in together: their idempotency keys in one read and one insert, the
orders in one insert, their numbers' holdings in one, the counts in one per tally table
(`lifecycle.use_idempotency_keys`, `lifecycle.insert_orders`). A create whose key was
used before stores nothing and gets what the key made, as alone. Should the group's
transaction fail for any other reason than the store being unavailable (a key that a
request of another process recorded first, say), each create runs again alone, in a
transaction of its own, and gets its own answer. When the store is unavailable every
create of the group gets that error: none of them was committed, none is acknowledged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from number_orders.domain.creating import MAX_NUMBERS
from number_orders.domain.idempotency import IdempotencyKey, PriorRequest
from number_orders.errors import StoreUnavailable
from number_orders.storage import lifecycle
from number_orders.storage.group_commit import GroupCommit
from number_orders.storage.interface import StoredOrder

Writing = Callable[[], AbstractContextManager[Connection]]
Outcome = PriorRequest | None | Exception


@dataclass(frozen=True, slots=True)
class NewCreate:
    account_id: str
    order: StoredOrder
    idempotency: IdempotencyKey | None


def create_groups(writing: Writing) -> GroupCommit[NewCreate, PriorRequest | None]:
    """Creates in groups of at most as many numbers as one order may hold (bounding a
    group's statements as a single large order bounds them)."""
    return GroupCommit(
        lambda items: create_together(writing, items),
        weight=lambda create: len(create.order.detail.numbers),
        most=MAX_NUMBERS,
    )


def create_together(writing: Writing, creates: Sequence[NewCreate]) -> Sequence[Outcome]:
    """What became of each create: None (stored), the key's earlier use, or an error."""
    if len(creates) == 1:
        return [create_alone(writing, creates[0])]
    try:
        return lifecycle.retrying(lambda: _attempt(writing, creates))
    except StoreUnavailable:
        raise
    except Exception:
        return [_outcome_alone(writing, create) for create in creates]


def create_alone(writing: Writing, create: NewCreate) -> PriorRequest | None:
    try:
        return lifecycle.retrying(lambda: _attempt(writing, [create])[0])
    except IntegrityError:
        # A concurrent request with the same key committed first (PostgreSQL makes the
        # loser wait on the key, then fail): run again to read what it stored.
        if create.idempotency is None:
            raise
        return lifecycle.retrying(lambda: _attempt(writing, [create])[0])


def _outcome_alone(writing: Writing, create: NewCreate) -> Outcome:
    try:
        return create_alone(writing, create)
    except Exception as error:
        return error


def _attempt(writing: Writing, creates: Sequence[NewCreate]) -> list[PriorRequest | None]:
    uses = [(c.account_id, c.idempotency, c.order) for c in creates if c.idempotency is not None]
    with writing() as conn:
        found = iter(lifecycle.use_idempotency_keys(conn, uses) if uses else [])
        priors = [next(found) if c.idempotency is not None else None for c in creates]
        lifecycle.insert_orders(
            conn,
            [(c.account_id, c.order) for c, p in zip(creates, priors, strict=True) if p is None],
        )
    return priors
