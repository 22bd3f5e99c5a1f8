"""Requirement groups: create, list, retrieve, update, delete and submit for approval; and
the regulator's review, which the worker runs once a submission is due."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from number_orders import errors
from number_orders.domain.comments import REQUIREMENT_GROUP, admin_comment
from number_orders.domain.documents import VERIFIED
from number_orders.domain.ids import random_id
from number_orders.domain.orders import parse_order_id
from number_orders.domain.requirement_group_bodies import GroupUpdate, NewRequirementGroup
from number_orders.domain.requirement_groups import (
    RequirementGroup,
    RequirementGroupsQuery,
    decline_comment,
    review,
    review_due,
    submit_for_approval,
)
from number_orders.domain.requirements_catalogue import Catalogue
from number_orders.domain.timestamps import now_micros
from number_orders.storage.interface import (
    DocumentStore,
    GroupChange,
    RequirementGroupStore,
    Reviewed,
)


class GroupStores(RequirementGroupStore, DocumentStore, Protocol):
    """Groups, and the documents their values may name."""


class RequirementGroups:
    store: GroupStores
    catalogue: Catalogue
    fulfilment_delay: int  # microseconds from a submission until the regulator's verdict
    fulfilment_due: Callable[[], None]

    def create_requirement_group(
        self, account_id: str, new: NewRequirementGroup
    ) -> RequirementGroup:
        documents = self._document_statuses(account_id, new.document_ids())
        group = new.build(self.catalogue, now_micros(), random_id, documents)
        self.store.create_requirement_group(account_id, group)
        return group

    def list_requirement_groups(
        self, account_id: str, query: RequirementGroupsQuery
    ) -> list[RequirementGroup]:
        """Newest first; never paged (the spec has no page parameters here)."""
        return self.store.list_requirement_groups(account_id, query)

    def retrieve_requirement_group(self, account_id: str, group_id: str) -> RequirementGroup:
        """The caller's group; unknown, malformed and other accounts' ids are all 404."""
        valid_id = parse_order_id(group_id)
        found = self.store.retrieve_requirement_group(account_id, valid_id) if valid_id else None
        if found is None:
            raise _group_not_found()
        return found

    def update_requirement_group(
        self, account_id: str, group_id: str, update: GroupUpdate
    ) -> RequirementGroup:
        documents = self._document_statuses(account_id, update.document_ids())
        now = now_micros()
        return self._change(
            account_id, group_id, lambda group: update.apply(group, self.catalogue, now, documents)
        )

    def delete_requirement_group(self, account_id: str, group_id: str) -> RequirementGroup:
        """The group as it was; its comments go with it."""
        valid_id = parse_order_id(group_id)
        deleted = self.store.delete_requirement_group(account_id, valid_id) if valid_id else None
        if deleted is None:
            raise _group_not_found()
        return deleted

    def submit_requirement_group_for_approval(
        self, account_id: str, group_id: str
    ) -> RequirementGroup:
        """The group, pending approval until the worker reviews it (after the fulfilment
        delay); a 422 if it is not unapproved or lacks a value."""
        now = now_micros()
        submitted = self._change(
            account_id, group_id, lambda group: submit_for_approval(group, now)
        )
        self.fulfilment_due()
        return submitted

    def review_requirement_groups(self, now: int, limit: int) -> int:
        """The regulator's verdict on up to `limit` groups whose review is due: approved,
        or declined with its comment on the group; how many were reviewed."""

        def verdict(group: RequirementGroup) -> Reviewed | None:
            if not review_due(group, now, self.fulfilment_delay):
                return None
            reviewed = review(group, now)
            text = decline_comment(reviewed)
            comment = (
                admin_comment(REQUIREMENT_GROUP, group.id, text, now, random_id)
                if text is not None
                else None
            )
            return Reviewed(reviewed, comment)

        return self.store.review_requirement_groups(now - self.fulfilment_delay, limit, verdict)

    def next_requirement_review_at(self) -> int | None:
        """When the next review is due (one under review now counts as due); None: none."""
        submitted = self.store.next_requirement_review_at()
        return None if submitted is None else submitted + self.fulfilment_delay

    def verified_document_ids(self, account_id: str, ids: Iterable[str]) -> set[str]:
        """Which of `ids` (canonical document ids) name verified documents of the account:
        what a `document` requirement accepts."""
        statuses = self._document_statuses(account_id, list(ids))
        return {i for i, status in statuses.items() if status == VERIFIED}

    def _document_statuses(self, account_id: str, ids: list[str]) -> dict[str, str]:
        """The statuses of the account's documents among `ids`: a value naming another
        account's document, or none, reads as no document at all."""
        return self.store.document_statuses(account_id, ids) if ids else {}

    def _change(self, account_id: str, group_id: str, change: GroupChange) -> RequirementGroup:
        valid_id = parse_order_id(group_id)
        changed = (
            self.store.change_requirement_group(account_id, valid_id, change) if valid_id else None
        )
        if changed is None:
            raise _group_not_found()
        return changed


def _group_not_found() -> errors.ApiError:
    return errors.not_found("No requirement group with this id exists.")
