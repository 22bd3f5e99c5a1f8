"""The review step of the worker (`worker/requirement_groups.py`) on both engines: due
groups only, a small batch at a time, each verdict once with its comment, however many
workers run it."""

from __future__ import annotations

import threading

from number_orders.domain.comments import CommentsQuery
from number_orders.domain.regulatory import RequirementRules, requirement_id
from number_orders.domain.requirement_group_bodies import NewRequirementGroup
from number_orders.domain.requirement_groups import RequirementGroupsQuery
from number_orders.domain.timestamps import now_micros
from number_orders.service import NumberOrdersService
from number_orders.storage.sql_store import SqlStore
from number_orders.worker.requirement_groups import BATCH, review_requirement_groups

DELAY = 60.0  # seconds: reviews happen only when the test says when "now" is
MICROS = int(DELAY * 1_000_000)
DE_ADDRESS = requirement_id("DE", "address")


def service_for(store: SqlStore) -> NumberOrdersService:
    return NumberOrdersService(store, RequirementRules(), fulfilment_delay=DELAY)


def submitted(service: NumberOrdersService, account_id: str, value: str, count: int = 1) -> int:
    """Submit `count` DE groups with `value` as their address; when the last was submitted."""
    body = {
        "country_code": "DE",
        "phone_number_type": "local",
        "action": "ordering",
        "regulatory_requirements": [{"requirement_id": DE_ADDRESS, "field_value": value}],
    }
    for _ in range(count):
        group = service.create_requirement_group(account_id, NewRequirementGroup.from_body(body))
        service.submit_requirement_group_for_approval(account_id, group.id)
    return now_micros()


def statuses(service: NumberOrdersService, account_id: str) -> list[str]:
    groups = service.list_requirement_groups(account_id, RequirementGroupsQuery())
    return sorted(g.status for g in groups)


def test_a_group_is_reviewed_only_once_due(store: SqlStore) -> None:
    service = service_for(store)
    account = store.ensure_account("acme").account_id
    at = submitted(service, account, "Unter den Linden 1")
    assert review_requirement_groups(service, at + MICROS - 1_000_000) == 0
    assert statuses(service, account) == ["pending-approval"]
    assert review_requirement_groups(service, at + MICROS) == 1
    assert statuses(service, account) == ["approved"]
    assert review_requirement_groups(service, at + 2 * MICROS) == 0
    assert service.list_comments(account, CommentsQuery()) == []


def test_a_declined_group_gets_one_admin_comment(store: SqlStore) -> None:
    service = service_for(store)
    account = store.ensure_account("acme").account_id
    at = submitted(service, account, "decline")
    assert review_requirement_groups(service, at + MICROS) == 1
    (group,) = service.list_requirement_groups(account, RequirementGroupsQuery())
    (comment,) = service.list_comments(account, CommentsQuery())
    assert group.status == "declined"
    assert (comment.record_type, comment.record_id, comment.commenter_type) == (
        "requirement_group",
        group.id,
        "admin",
    )
    assert comment.created_at == group.updated_at == at + MICROS


def test_reviews_come_in_small_batches(store: SqlStore) -> None:
    service = service_for(store)
    account = store.ensure_account("acme").account_id
    at = submitted(service, account, "Alexanderplatz 1", BATCH + 3)
    assert review_requirement_groups(service, at + MICROS) == BATCH
    assert review_requirement_groups(service, at + MICROS) == 3
    assert statuses(service, account) == ["approved"] * (BATCH + 3)


def test_workers_side_by_side_review_each_group_once(store: SqlStore) -> None:
    service = service_for(store)
    account = store.ensure_account("acme").account_id
    at = submitted(service, account, "decline", 3 * BATCH)
    reviewed: list[int] = []

    def work() -> None:
        while (n := review_requirement_groups(service, at + MICROS)) > 0:
            reviewed.append(n)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(reviewed) == 3 * BATCH
    assert statuses(service, account) == ["declined"] * (3 * BATCH)
    comments = service.list_comments(account, CommentsQuery())
    assert sorted(c.record_id for c in comments) == sorted(
        g.id for g in service.list_requirement_groups(account, RequirementGroupsQuery())
    )
