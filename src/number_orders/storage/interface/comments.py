"""What the service needs from persistence for comments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from number_orders.domain.comments import Comment, CommentsQuery

# A comment made by the account's user, given the account's name (its commenter).
Write = Callable[[str], Comment]
# A change to a locked comment.
CommentChange = Callable[[Comment], Comment]


class CommentStore(Protocol):
    def create_comment(
        self, account_id: str, record_type: str, record_id: str, write: Write
    ) -> Comment | None:
        """The comment `write` makes, stored; None if the account has no such record."""
        ...

    def list_comments(self, account_id: str, query: CommentsQuery) -> list[Comment]: ...

    def retrieve_comment(self, account_id: str, comment_id: str) -> Comment | None: ...

    def change_comment(
        self, account_id: str, comment_id: str, change: CommentChange
    ) -> Comment | None: ...
