"""Requirement groups and their routes. These answer with the bare group (or a bare array
of them), without a `data` envelope, as the spec says."""

from __future__ import annotations

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from number_orders.domain.requirement_group_bodies import GroupUpdate, NewRequirementGroup
from number_orders.domain.requirement_groups import (
    RequirementGroup,
    RequirementGroupsQuery,
    group_json,
)
from number_orders.http.bodies import read_json_object
from number_orders.http.query_string import parse_pairs
from number_orders.http.responses import json_response
from number_orders.http.routes import account_of, body_limit_of, on_record, route, service_of
from number_orders.service import NumberOrdersService


def _group_response(group: RequirementGroup) -> Response:
    return json_response(orjson.dumps(group_json(group)))


async def list_requirement_groups(request: Request) -> Response:
    query = RequirementGroupsQuery.from_params(parse_pairs(request.scope["query_string"]))
    found = await run_in_threadpool(
        service_of(request).list_requirement_groups, account_of(request), query
    )
    return json_response(orjson.dumps([group_json(g) for g in found]))


async def create_requirement_group(request: Request) -> Response:
    new = NewRequirementGroup.from_body(await read_json_object(request, body_limit_of(request)))
    created = await run_in_threadpool(
        service_of(request).create_requirement_group, account_of(request), new
    )
    return _group_response(created)


async def retrieve_requirement_group(request: Request) -> Response:
    found = await on_record(request, NumberOrdersService.retrieve_requirement_group)
    return _group_response(found)


async def update_requirement_group(request: Request) -> Response:
    service, account_id, group_id = (
        service_of(request),
        account_of(request),
        request.path_params["id"],
    )
    # An unknown group is a 404 before anything about the body, as for an unknown route.
    await run_in_threadpool(service.retrieve_requirement_group, account_id, group_id)
    update = GroupUpdate.from_body(await read_json_object(request, body_limit_of(request)))
    updated = await run_in_threadpool(
        service.update_requirement_group, account_id, group_id, update
    )
    return _group_response(updated)


async def delete_requirement_group(request: Request) -> Response:
    deleted = await on_record(request, NumberOrdersService.delete_requirement_group)
    return _group_response(deleted)


async def submit_requirement_group_for_approval(request: Request) -> Response:
    submitted = await on_record(request, NumberOrdersService.submit_requirement_group_for_approval)
    return _group_response(submitted)


ROUTES = [
    route("/v2/requirement_groups", GET=list_requirement_groups, POST=create_requirement_group),
    route(
        "/v2/requirement_groups/{id}",
        GET=retrieve_requirement_group,
        PATCH=update_requirement_group,
        DELETE=delete_requirement_group,
    ),
    route(
        "/v2/requirement_groups/{id}/submit_for_approval",
        POST=submit_requirement_group_for_approval,
    ),
]
