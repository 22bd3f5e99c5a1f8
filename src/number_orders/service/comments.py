"""Comments on sub number orders and requirement groups: create, list, retrieve and mark
as read. The regulator's comments are written by the review (`requirement_groups.py`)."""

from __future__ import annotations

from number_orders import errors
from number_orders.domain.comments import (
    Comment,
    CommentsQuery,
    NewComment,
    mark_as_read,
    unknown_record,
)
from number_orders.domain.ids import random_id
from number_orders.domain.orders import parse_order_id
from number_orders.domain.timestamps import now_micros
from number_orders.storage.interface import CommentStore


class Comments:
    store: CommentStore

    def create_comment(self, account_id: str, new: NewComment) -> Comment:
        """A comment by the account's user (named by the account) on one of its records;
        a 422 if the account has no such record."""
        now = now_micros()
        created = self.store.create_comment(
            account_id,
            new.record_type,
            new.record_id,
            lambda commenter: new.build(commenter, now, random_id),
        )
        if created is None:
            raise unknown_record(new.record_type, new.record_id)
        return created

    def list_comments(self, account_id: str, query: CommentsQuery) -> list[Comment]:
        """Oldest first, as a conversation reads; never paged."""
        return self.store.list_comments(account_id, query)

    def retrieve_comment(self, account_id: str, comment_id: str) -> Comment:
        valid_id = parse_order_id(comment_id)
        found = self.store.retrieve_comment(account_id, valid_id) if valid_id else None
        if found is None:
            raise _comment_not_found()
        return found

    def mark_comment_as_read(self, account_id: str, comment_id: str) -> Comment:
        now = now_micros()
        valid_id = parse_order_id(comment_id)
        changed = (
            self.store.change_comment(account_id, valid_id, lambda c: mark_as_read(c, now))
            if valid_id
            else None
        )
        if changed is None:
            raise _comment_not_found()
        return changed


def _comment_not_found() -> errors.ApiError:
    return errors.not_found("No comment with this id exists.")
