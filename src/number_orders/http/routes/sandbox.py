"""The sandbox's control API under `/_sandbox`, outside `/v2`: accounts with keys, reset,
the clock, drain, faults and the request journal. The guard admits only the operator's
token here, and answers 404 for the whole prefix while the sandbox is off.

A change other processes must see (the clock, faults) is answered only once every
process has polled it (`SandboxControls.settle_seconds`), so a test can rely on it at once.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from number_orders.domain.faults import NewFault, fault_json
from number_orders.domain.journal import entry_json
from number_orders.domain.sandbox import (
    NewAccount,
    advance_micros,
    journal_query,
    reset_account,
    seconds,
)
from number_orders.domain.timestamps import clock_offset, format_micros, now_micros
from number_orders.http.bodies import read_json_object
from number_orders.http.query_string import parse_pairs
from number_orders.http.responses import json_response
from number_orders.http.routes import body_limit_of, route, service_of
from number_orders.http.sandbox import PREFIX, SandboxControls
from number_orders.http.serializers import data_bytes


def _controls(request: Request) -> SandboxControls:
    controls: SandboxControls | None = request.app.state.sandbox
    assert controls is not None, "the guard answers 404 here while the sandbox is off"
    return controls


async def _body(request: Request) -> dict[str, Any]:
    return await read_json_object(request, body_limit_of(request))


async def create_account(request: Request) -> Response:
    new = NewAccount.from_body(await _body(request))
    issued = await run_in_threadpool(service_of(request).create_sandbox_account, new)
    data = {"account": issued.account.name, "api_key": issued.token}
    return json_response(data_bytes(data), status=201)


async def reset(request: Request) -> Response:
    account = reset_account(await _body(request))
    controls = _controls(request)
    # Entries every process holds are written first, so they go with the rest.
    await _collect_journal(controls)
    removed = await run_in_threadpool(service_of(request).reset_sandbox, account)
    return json_response(data_bytes({"account": account, "removed": removed}))


async def read_clock(request: Request) -> Response:
    await run_in_threadpool(_controls(request).refresh)
    return _clock()


async def advance_clock(request: Request) -> Response:
    micros = advance_micros(await _body(request))
    await run_in_threadpool(service_of(request).advance_clock, micros)
    await asyncio.sleep(_controls(request).settle_seconds)
    return _clock()


async def _collect_journal(controls: SandboxControls) -> None:
    """Every process's journal entries in the store."""
    await run_in_threadpool(controls.collect_journal)
    await asyncio.sleep(controls.journal_settle_seconds)


def _clock() -> Response:
    data = {"now": format_micros(now_micros()), "offset_seconds": seconds(clock_offset())}
    return json_response(data_bytes(data))


async def drain(request: Request) -> Response:
    drained = await run_in_threadpool(_controls(request).drain)
    data = {"done": drained.done, "rounds": drained.rounds, "complete": drained.complete}
    return json_response(data_bytes(data))


async def add_fault(request: Request) -> Response:
    new = NewFault.from_body(await _body(request))
    added = await run_in_threadpool(service_of(request).add_fault, new)
    await _settle(request)
    return json_response(data_bytes(fault_json(*added)), status=201)


async def list_faults(request: Request) -> Response:
    faults = await run_in_threadpool(service_of(request).list_faults)
    return json_response(data_bytes([fault_json(*f) for f in faults]))


async def remove_fault(request: Request) -> Response:
    fault_id = request.path_params["fault_id"]
    removed = await run_in_threadpool(service_of(request).remove_fault, fault_id)
    await _settle(request)
    return json_response(data_bytes(fault_json(*removed)))


async def _settle(request: Request) -> None:
    """This process now, every other one within the wait."""
    controls = _controls(request)
    await run_in_threadpool(controls.refresh)
    await asyncio.sleep(controls.settle_seconds)


async def list_requests(request: Request) -> Response:
    account, limit = journal_query(parse_pairs(request.scope["query_string"]))
    await _collect_journal(_controls(request))
    entries = await run_in_threadpool(service_of(request).list_requests, account, limit)
    return json_response(data_bytes([entry_json(e) for e in entries]))


ROUTES = [
    route(f"{PREFIX}/accounts", POST=create_account),
    route(f"{PREFIX}/reset", POST=reset),
    route(f"{PREFIX}/clock", GET=read_clock, POST=advance_clock),
    route(f"{PREFIX}/drain", POST=drain),
    route(f"{PREFIX}/faults", GET=list_faults, POST=add_fault),
    route(f"{PREFIX}/faults/{{fault_id}}", DELETE=remove_fault),
    route(f"{PREFIX}/requests", GET=list_requests),
]
