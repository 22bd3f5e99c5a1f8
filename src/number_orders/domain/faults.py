"""Injected faults: requests that match a fault answer its status with the body the
contract gives that status, or are delayed first, so a client's retry logic can be tested.

A fault names what it matches (an account, a method, a route template such as
`/v2/number_orders/{number_order_id}` or a path prefix; each left out matches anything) and
how often (`times`, None: until it is deleted). Every process keeps the faults in memory
(`FaultBoard`), copied from the store by a poller, and counts a use down in the store, so
across processes exactly `times` requests fail.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from number_orders import errors
from number_orders.domain.fields import FieldReader, json_type
from number_orders.domain.timestamps import format_micros
from number_orders.errors import ApiError, Problem

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
MAX_LATENCY_MS = 60_000
MAX_TIMES = 1_000_000
_MAX_PATH = 255
_KNOWN = ("account", "method", "path", "status", "times", "latency_ms")


@dataclass(frozen=True, slots=True)
class Fault:
    id: str
    account_id: str | None  # None: requests of any account, and those without one
    method: str | None
    path: str | None  # a route template (it has `{`) or a prefix of the requested path
    status: int | None  # None: only delayed
    remaining: int | None  # None: until deleted
    latency_ms: int | None
    created_at: int

    def matches(
        self, method: str, path: str, template: Callable[[], str], account_id: str | None
    ) -> bool:
        """`template` gives the request's route template, worked out only when needed."""
        if self.account_id is not None and self.account_id != account_id:
            return False
        if self.method is not None and self.method != method:
            return False
        if self.path is None:
            return True
        if "{" in self.path:
            return self.path == template()
        return path.startswith(self.path)


@dataclass(frozen=True, slots=True)
class NewFault:
    """A fault as `POST /_sandbox/faults` asks for it; `account` is a name."""

    account: str | None
    method: str | None
    path: str | None
    status: int | None
    times: int | None
    latency_ms: int | None

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> NewFault:
        reader = FieldReader()
        account = reader.text(body, "account", "/account")
        method = _method(reader, body.get("method"))
        path = _path(reader, body.get("path"))
        status = _whole(reader, body, "status", 400, 599)
        times = _whole(reader, body, "times", 1, MAX_TIMES) if "times" in body else 1
        latency = _whole(reader, body, "latency_ms", 0, MAX_LATENCY_MS)
        unknown = sorted(set(body) - set(_KNOWN))
        for name in unknown:
            reader.bad(
                f"/{name}", f"{name} is not a field of a fault; fields: {', '.join(_KNOWN)}."
            )
        if status is None and latency is None and not reader.problems:
            reader.missing("/status", "status (or latency_ms, for a delay alone)")
        if reader.problems:
            raise errors.invalid_body(reader.problems)
        return cls(account, method, path, status, times, latency)


def _method(reader: FieldReader, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value.upper() not in METHODS:
        shown = value if isinstance(value, str) else json_type(value)
        reader.bad("/method", f"method must be one of {', '.join(METHODS)}; got {shown}.")
        return None
    return value.upper()


def _path(reader: FieldReader, value: Any) -> str | None:
    text = reader.text_value(value, "path", "/path") if value is not None else None
    if text is None:
        return None
    if not text.startswith("/") or len(text) > _MAX_PATH:
        reader.bad("/path", f"path must start with / and be at most {_MAX_PATH} characters.")
        return None
    return text


def _whole(
    reader: FieldReader, body: Mapping[str, Any], name: str, low: int, high: int
) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        shown = value if isinstance(value, int) and not isinstance(value, bool) else None
        got = json_type(value) if shown is None else str(shown)
        reader.bad(f"/{name}", f"{name} must be an integer from {low} to {high}; got {got}.")
        return None
    return value


def fault_json(fault: Fault, account: str | None) -> dict[str, Any]:
    """A fault as the control API and the command line show it; `account` is its name."""
    return {
        "id": fault.id,
        "account": account,
        "method": fault.method,
        "path": fault.path,
        "status": fault.status,
        "remaining": fault.remaining,
        "latency_ms": fault.latency_ms,
        "created_at": format_micros(fault.created_at),
    }


class FaultBoard:
    """This process's copy of the faults, oldest first; replaced whole by the poller."""

    def __init__(self) -> None:
        self.faults: tuple[Fault, ...] = ()

    def replace(self, faults: tuple[Fault, ...]) -> None:
        self.faults = faults

    def matching(
        self, method: str, path: str, template: Callable[[], str], account_id: str | None
    ) -> list[Fault]:
        return [f for f in self.faults if f.matches(method, path, template, account_id)]


_INJECTED = "Injected by the sandbox: this request was made to fail."
# The contract's code and title for each status it names; other statuses of a class take
# its general entry.
_BY_STATUS = {
    401: ("10009", "Authentication failed"),
    404: ("10005", "Resource not found"),
    415: ("10014", "Unsupported Media Type"),
    429: ("10011", "Too many requests"),
}
_CLIENT_ERROR = ("10015", "Bad Request")
_SERVER_ERROR = ("10007", "Unexpected error")
RETRY_AFTER_SECONDS = 1


def fault_error(status: int) -> ApiError:
    """What a faulted request answers: the contract's code and title for the status, and
    `Retry-After` where the contract sends one (429, 503)."""
    code, title = _BY_STATUS.get(status, _SERVER_ERROR if status >= 500 else _CLIENT_ERROR)
    headers = {"retry-after": str(RETRY_AFTER_SECONDS)} if status in (429, 503) else {}
    return ApiError(status, [Problem(code, title, _INJECTED)], headers)
