"""Comments: the create body's rules, reading, JSON, and the regulator's decline text."""

from __future__ import annotations

from itertools import count
from typing import Any, cast

import pytest
from pydantic import BaseModel
from telnyx.types.comment_create_response import CommentCreateResponse
from telnyx.types.comment_list_response import CommentListResponse
from telnyx.types.comment_mark_as_read_response import CommentMarkAsReadResponse
from telnyx.types.comment_retrieve_response import CommentRetrieveResponse

from number_orders.domain.comments import (
    ADMIN,
    REQUIREMENT_GROUP,
    SUB_NUMBER_ORDER,
    USER,
    CommentsQuery,
    DeclinedValue,
    NewComment,
    admin_comment,
    comment_json,
    decline_text,
    mark_as_read,
    unknown_record,
)
from number_orders.domain.parameters import whole_list_meta
from number_orders.errors import ApiError
from tests.domain.surface import assert_client_reads, assert_response

RECORD = "8ffb3622-7c6b-4ccc-b65f-7a3dc0099576"
_ids = count(1)


def make_id() -> str:
    return f"00000000-0000-4000-8000-{next(_ids):012d}"


def problems(body: dict[str, Any]) -> list[tuple[str | None, str]]:
    with pytest.raises(ApiError) as raised:
        NewComment.from_body(body)
    assert raised.value.status == 422
    return [(p.pointer, p.code) for p in raised.value.problems]


def test_a_valid_body_becomes_a_user_comment() -> None:
    body = {"body": "Proof of address\nattached.", "comment_record_type": SUB_NUMBER_ORDER}
    new = NewComment.from_body({**body, "comment_record_id": RECORD.upper()})
    comment = new.build("Acme Ltd", now=5, make_id=make_id)
    assert (comment.record_id, comment.commenter, comment.commenter_type) == (
        RECORD,
        "Acme Ltd",
        USER,
    )
    assert comment.read_at is None and comment.created_at == comment.updated_at == 5


def test_every_bad_field_is_reported() -> None:
    assert problems({}) == [
        ("/body", "10004"),
        ("/comment_record_type", "10004"),
        ("/comment_record_id", "10004"),
    ]
    bad = {"body": "x\x00", "comment_record_type": "number_order", "comment_record_id": "42"}
    assert problems(bad) == [
        ("/body", "10015"),
        ("/comment_record_type", "10015"),
        ("/comment_record_id", "10015"),
    ]
    assert problems({"body": "  ", "comment_record_type": 1, "comment_record_id": RECORD}) == [
        ("/body", "10015"),
        ("/comment_record_type", "10015"),
    ]
    assert problems(
        {"body": "x" * 5001, "comment_record_type": REQUIREMENT_GROUP, "comment_record_id": RECORD}
    ) == [("/body", "10015")]


def test_a_comment_on_a_record_elsewhere_is_unprocessable() -> None:
    error = unknown_record(SUB_NUMBER_ORDER, RECORD)
    assert error.status == 422 and error.problems[0].pointer == "/comment_record_id"


def test_marking_read_keeps_the_first_moment() -> None:
    comment = admin_comment(REQUIREMENT_GROUP, RECORD, "Declined.", now=5, make_id=make_id)
    assert comment.commenter_type == ADMIN
    read = mark_as_read(comment, now=9)
    assert read.read_at == 9 and read.updated_at == 9
    assert mark_as_read(read, now=12) == read


def test_comments_match_the_spec_and_the_client() -> None:
    unread = admin_comment(SUB_NUMBER_ORDER, RECORD, "Declined.", now=5, make_id=make_id)
    read = mark_as_read(unread, now=9)
    for body, path, method, model in [
        ({"data": comment_json(unread)}, "/comments", "post", CommentCreateResponse),
        ({"data": comment_json(unread)}, "/comments/{id}", "get", CommentRetrieveResponse),
        ({"data": comment_json(read)}, "/comments/{id}/read", "patch", CommentMarkAsReadResponse),
    ]:
        assert_response(path, method, body)
        assert_client_reads(cast(type[BaseModel], model), body)
    listed = {"data": [comment_json(unread), comment_json(read)], "meta": whole_list_meta(2)}
    assert_response("/comments", "get", listed)
    assert_client_reads(CommentListResponse, listed)
    assert "read_at" not in comment_json(unread)


def test_the_query_filters_by_record() -> None:
    query = CommentsQuery.from_params([("filter[comment_record_type]", SUB_NUMBER_ORDER)])
    comment = admin_comment(SUB_NUMBER_ORDER, RECORD, "x", now=1, make_id=make_id)
    other = admin_comment(REQUIREMENT_GROUP, RECORD, "x", now=1, make_id=make_id)
    assert query.admits(comment) and not query.admits(other)
    by_id = CommentsQuery.from_params([("filter[comment_record_id]", make_id())])
    assert not by_id.admits(comment)
    with pytest.raises(ApiError) as raised:
        CommentsQuery.from_params([("filter[comment_record_type]", "order"), ("page[size]", "2")])
    assert [p.parameter for p in raised.value.problems] == [
        "filter[comment_record_type]",
        "page[size]",
    ]


def test_the_decline_text_says_what_was_declined_and_why() -> None:
    text = decline_text(
        "Requirement group 4f0e",
        [DeclinedValue("259be857", "Address (DE)", "decline", "it is not an address in Germany")],
    )
    assert text.splitlines() == [
        "Requirement group 4f0e was declined.",
        '- Address (DE) (requirement 259be857): the value "decline" was declined: '
        "it is not an address in Germany.",
        "Supply new values for these requirements and submit them again.",
    ]
