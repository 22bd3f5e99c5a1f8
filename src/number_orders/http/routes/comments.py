"""Comments on sub number orders and requirement groups, and their routes."""

from __future__ import annotations

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from number_orders.domain.comments import CommentsQuery, NewComment, comment_json
from number_orders.domain.parameters import whole_list_meta
from number_orders.http.bodies import read_json_object
from number_orders.http.query_string import parse_pairs
from number_orders.http.responses import json_response
from number_orders.http.routes import account_of, body_limit_of, route, service_of
from number_orders.http.serializers import data_bytes


async def list_comments(request: Request) -> Response:
    query = CommentsQuery.from_params(parse_pairs(request.scope["query_string"]))
    found = await run_in_threadpool(service_of(request).list_comments, account_of(request), query)
    body = {"data": [comment_json(c) for c in found], "meta": whole_list_meta(len(found))}
    return json_response(orjson.dumps(body))


async def create_comment(request: Request) -> Response:
    new = NewComment.from_body(await read_json_object(request, body_limit_of(request)))
    created = await run_in_threadpool(service_of(request).create_comment, account_of(request), new)
    return json_response(data_bytes(comment_json(created)))


async def retrieve_comment(request: Request) -> Response:
    found = await run_in_threadpool(
        service_of(request).retrieve_comment, account_of(request), request.path_params["id"]
    )
    return json_response(data_bytes(comment_json(found)))


async def mark_comment_as_read(request: Request) -> Response:
    marked = await run_in_threadpool(
        service_of(request).mark_comment_as_read, account_of(request), request.path_params["id"]
    )
    return json_response(data_bytes(comment_json(marked)))


ROUTES = [
    route("/v2/comments", GET=list_comments, POST=create_comment),
    route("/v2/comments/{id}", GET=retrieve_comment),
    route("/v2/comments/{id}/read", PATCH=mark_comment_as_read),
]
