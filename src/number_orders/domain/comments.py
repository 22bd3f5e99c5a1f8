"""Comments on sub orders and requirement groups: the create body's rules, reading them,
their JSON, and the text the simulated regulator writes when it declines a value.

A user writes comments through the API (`commenter_type: user`); the regulator writes
`admin` ones. The record a comment names must exist in the caller's account: the
service checks that and answers `unknown_record` otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from number_orders.domain.fields import FieldReader, json_type, shown
from number_orders.domain.orders import parse_order_id
from number_orders.domain.parameters import Rule, choice, read_params, uuid_text
from number_orders.domain.timestamps import format_micros
from number_orders.errors import ApiError, bad_field, invalid_body

SUB_NUMBER_ORDER, REQUIREMENT_GROUP = "sub_number_order", "requirement_group"
RECORD_TYPES = (SUB_NUMBER_ORDER, REQUIREMENT_GROUP)
USER, ADMIN = "user", "admin"
REGULATOR = "Number Regulatory Team"  # who the simulated regulator's comments are from
MAX_BODY = 5000
# Line breaks and tabs belong in a comment; other control characters (and NUL, which
# PostgreSQL refuses in text) do not.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Comment:
    id: str
    body: str
    record_type: str
    record_id: str
    commenter: str
    commenter_type: str
    created_at: int
    updated_at: int
    read_at: int | None = None


@dataclass(frozen=True, slots=True)
class NewComment:
    body: str
    record_type: str
    record_id: str

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> NewComment:
        """A valid request, or one 422 listing every problem."""
        reader = FieldReader()
        text = _body_text(reader, body.get("body"))
        record_type = _record_type(reader, body.get("comment_record_type"))
        record_id = _record_id(reader, body.get("comment_record_id"))
        if reader.problems or text is None or record_type is None or record_id is None:
            raise invalid_body(reader.problems)
        return cls(text, record_type, record_id)

    def build(self, commenter: str, now: int, make_id: Callable[[], str]) -> Comment:
        return Comment(
            make_id(), self.body, self.record_type, self.record_id, commenter, USER, now, now
        )


def _body_text(reader: FieldReader, value: Any) -> str | None:
    if value is None:
        reader.missing("/body", "body")
    elif not isinstance(value, str):
        reader.bad("/body", f"body must be a string; got {json_type(value)}.")
    elif not value.strip() or len(value) > MAX_BODY:
        reader.bad("/body", f"body must hold 1 to {MAX_BODY} characters of text; got {len(value)}.")
    elif _CONTROL.search(value):
        reader.bad(
            "/body", "body must not contain control characters other than line breaks and tabs."
        )
    else:
        return value
    return None


def _record_type(reader: FieldReader, value: Any) -> str | None:
    if value is None:
        reader.missing("/comment_record_type", "comment_record_type")
    elif value not in RECORD_TYPES:
        got = shown(value) if isinstance(value, str) else json_type(value)
        reader.bad(
            "/comment_record_type",
            f"comment_record_type must be one of {', '.join(RECORD_TYPES)}; got {got}.",
        )
    else:
        return str(value)
    return None


def _record_id(reader: FieldReader, value: Any) -> str | None:
    if value is None:
        reader.missing("/comment_record_id", "comment_record_id")
        return None
    canonical = parse_order_id(value) if isinstance(value, str) else None
    if canonical is None:
        got = shown(value) if isinstance(value, str) else json_type(value)
        reader.bad(
            "/comment_record_id",
            f"comment_record_id must be the UUID of a {' or '.join(RECORD_TYPES)}; got {got}.",
        )
    return canonical


def unknown_record(record_type: str, record_id: str) -> ApiError:
    """The 422 for a comment on a record the caller's account does not have."""
    detail = f"comment_record_id {record_id} is not a {record_type} of this account."
    return invalid_body([bad_field("/comment_record_id", detail)])


def admin_comment(
    record_type: str, record_id: str, body: str, now: int, make_id: Callable[[], str]
) -> Comment:
    """A comment by the simulated regulator."""
    return Comment(make_id(), body, record_type, record_id, REGULATOR, ADMIN, now, now)


def mark_as_read(comment: Comment, now: int) -> Comment:
    """Read once: marking it again keeps the first `read_at`."""
    if comment.read_at is not None:
        return comment
    return replace(comment, read_at=now, updated_at=max(now, comment.updated_at))


def comment_json(comment: Comment) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": comment.id,
        "body": comment.body,
        "comment_record_type": comment.record_type,
        "comment_record_id": comment.record_id,
        "commenter": comment.commenter,
        "commenter_type": comment.commenter_type,
        "created_at": format_micros(comment.created_at),
        "updated_at": format_micros(comment.updated_at),
    }
    if comment.read_at is not None:  # typed as a date-time string: absent until read
        body["read_at"] = format_micros(comment.read_at)
    return body


@dataclass(frozen=True, slots=True)
class CommentsQuery:
    """`GET /comments`: both filters optional; never paged."""

    record_type: str | None = None
    record_id: str | None = None

    @classmethod
    def from_params(cls, pairs: Iterable[tuple[str, str]]) -> CommentsQuery:
        return cls(**read_params(pairs, _RULES))

    def admits(self, comment: Comment) -> bool:
        return self.record_type in (None, comment.record_type) and self.record_id in (
            None,
            comment.record_id,
        )


_RULES = {
    "filter[comment_record_type]": Rule("record_type", choice(RECORD_TYPES)),
    "filter[comment_record_id]": Rule("record_id", uuid_text),
}


@dataclass(frozen=True, slots=True)
class DeclinedValue:
    """A value the regulator declined, and why."""

    requirement_id: str
    label: str  # the requirement type's name, e.g. "Address (DE)"
    field_value: str
    reason: str


def decline_text(subject: str, declined: Sequence[DeclinedValue]) -> str:
    """The regulator's comment: which values were declined, why, and what to do next.

    `subject` names what was declined, e.g. "Requirement group 4f0e...".
    """
    lines = [f"{subject} was declined."]
    lines += [
        f"- {d.label} (requirement {d.requirement_id}): the value {shown(d.field_value)} was declined: {d.reason}."
        for d in declined
    ]
    lines.append("Supply new values for these requirements and submit them again.")
    return "\n".join(lines)
