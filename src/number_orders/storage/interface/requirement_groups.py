"""What the service needs from persistence for requirement groups, and the regulator's
review of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from number_orders.domain.comments import Comment
from number_orders.domain.requirement_groups import RequirementGroup, RequirementGroupsQuery

# A change to a locked group: the group after it, or None to leave the group as it is.
GroupChange = Callable[[RequirementGroup], RequirementGroup | None]


@dataclass(frozen=True, slots=True)
class Reviewed:
    """A group after the regulator's review, and the regulator's comment on it, if any."""

    group: RequirementGroup
    comment: Comment | None = None


# The review of a locked group: None when it is not (or no longer) due.
Review = Callable[[RequirementGroup], Reviewed | None]


class RequirementGroupStore(Protocol):
    def create_requirement_group(self, account_id: str, group: RequirementGroup) -> None: ...

    def list_requirement_groups(
        self, account_id: str, query: RequirementGroupsQuery
    ) -> list[RequirementGroup]: ...

    def retrieve_requirement_group(
        self, account_id: str, group_id: str
    ) -> RequirementGroup | None: ...

    def change_requirement_group(
        self, account_id: str, group_id: str, change: GroupChange
    ) -> RequirementGroup | None:
        """The group after `change` (run on the locked row), or None if there is none."""
        ...

    def delete_requirement_group(self, account_id: str, group_id: str) -> RequirementGroup | None:
        """The group as it was before it and its comments were deleted, or None."""
        ...

    def review_requirement_groups(self, submitted_before: int, limit: int, review: Review) -> int:
        """Review up to `limit` groups of any account submitted before `submitted_before`,
        each in a transaction of its own with its comment; how many were reviewed."""
        ...

    def next_requirement_review_at(self) -> int | None:
        """When the earliest group waiting for review was submitted (one under review
        right now included); None when none waits."""
        ...
