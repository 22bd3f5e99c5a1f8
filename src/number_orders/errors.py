"""One exception hierarchy for everything a client can be told.

Each error knows its HTTP status, its Telnyx error code and title, and where in the
request the problem lies. The HTTP layer renders them; nothing else formats errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DOCS_URL = "https://developers.telnyx.com/docs/overview/errors/{code}"


@dataclass(frozen=True, slots=True)
class Problem:
    """One entry of the `errors` array."""

    code: str
    title: str
    detail: str
    parameter: str | None = None
    pointer: str | None = None


def bad_parameter(parameter: str, detail: str) -> Problem:
    return Problem("10015", "Bad Request", detail, parameter=parameter)


def bad_field(pointer: str, detail: str) -> Problem:
    return Problem("10015", "Bad Request", detail, pointer=pointer)


def missing_field(pointer: str, detail: str) -> Problem:
    return Problem("10004", "Missing required parameter", detail, pointer=pointer)


def bad_phone_number(pointer: str, detail: str) -> Problem:
    return Problem("10016", "Phone number must be in +E.164 format", detail, pointer=pointer)


@dataclass
class ApiError(Exception):
    """An error answered to the client: a status and one or more problems."""

    status: int
    problems: list[Problem] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(p.detail for p in self.problems)


def authentication_failed() -> ApiError:
    return ApiError(
        401,
        [
            Problem(
                "10009",
                "Authentication failed",
                "Could not understand the provided credentials.",
            )
        ],
    )


def not_found(detail: str = "The requested resource or URL could not be found.") -> ApiError:
    return ApiError(404, [Problem("10005", "Resource not found", detail)])


def method_not_allowed(method: str, allowed: list[str]) -> ApiError:
    allow = ", ".join(allowed)
    detail = f"Method {method} is not allowed on this route; allowed: {allow}."
    return ApiError(405, [Problem("10015", "Bad Request", detail)], {"allow": allow})


def bad_request(detail: str) -> ApiError:
    return ApiError(400, [Problem("10015", "Bad Request", detail)])


def invalid_parameters(problems: list[Problem]) -> ApiError:
    return ApiError(400, capped(problems))


def invalid_body(problems: list[Problem]) -> ApiError:
    return ApiError(422, capped(problems))


# Problems listed in one answer: enough to fix a request by, and a bounded body however
# many a request manages to have.
MAX_PROBLEMS = 100


def capped(problems: list[Problem]) -> list[Problem]:
    """The first `MAX_PROBLEMS` problems, then one entry saying how many more there are."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    more = len(problems) - MAX_PROBLEMS
    detail = f"{more} more problems like the ones above are not listed; fix these and retry."
    return [*problems[:MAX_PROBLEMS], Problem("10015", "Bad Request", detail)]


def bad_header(name: str, detail: str) -> ApiError:
    return ApiError(400, [Problem("10015", "Bad Request", detail, parameter=name)])


def idempotency_key_reused(header: str) -> ApiError:
    detail = (
        f"This {header} was already used with a different request body; "
        "send a new key for a new order, or the same body to get the same order."
    )
    return ApiError(422, [Problem("10015", "Bad Request", detail, parameter=header)])


def conflict(detail: str, retry_after: int = 1) -> ApiError:
    """The resource is busy right now; the same request may succeed after `retry_after`
    seconds (the official clients retry a 409 by themselves, honouring it)."""
    return ApiError(
        409, [Problem("10015", "Bad Request", detail)], {"retry-after": str(retry_after)}
    )


def payload_too_large(limit: int) -> ApiError:
    detail = f"The request body is larger than the limit of {limit} bytes."
    return ApiError(413, [Problem("10015", "Bad Request", detail)])


def unsupported_media_type(content_type: str, accepted: str = "application/json") -> ApiError:
    shown = content_type or "none"
    detail = f"Content-Type must be {accepted}; got {shown}."
    return ApiError(415, [Problem("10014", "Unsupported Media Type", detail)])


def uri_too_long(limit: int) -> ApiError:
    detail = f"The request URL is longer than the limit of {limit} bytes."
    return ApiError(414, [Problem("10015", "Bad Request", detail)])


def header_too_large(limit: int) -> ApiError:
    detail = f"A request header is longer than the limit of {limit} bytes."
    return ApiError(431, [Problem("10015", "Bad Request", detail)])


def request_head_too_large(limit: int) -> ApiError:
    detail = f"The request line and headers together are larger than the limit of {limit} bytes."
    return ApiError(431, [Problem("10015", "Bad Request", detail)])


def server_busy(retry_after: int = 1) -> ApiError:
    detail = "The server has as many connections open as it takes; retry shortly."
    return ApiError(
        503, [Problem("10007", "Unexpected error", detail)], {"retry-after": str(retry_after)}
    )


def too_many_requests(retry_after: int) -> ApiError:
    detail = f"Too many requests for this API key; retry in {retry_after} seconds."
    return ApiError(
        429, [Problem("10011", "Too many requests", detail)], {"retry-after": str(retry_after)}
    )


def too_many_failed_authentications(retry_after: int) -> ApiError:
    detail = f"Too many failed authentications from this address; retry in {retry_after} seconds."
    return ApiError(
        429, [Problem("10011", "Too many requests", detail)], {"retry-after": str(retry_after)}
    )


def unexpected_error() -> ApiError:
    return ApiError(500, [Problem("10007", "Unexpected error", "An unexpected error occurred.")])


def store_unavailable(retry_after: int = 1) -> ApiError:
    detail = "The service is temporarily unavailable; retry shortly."
    return ApiError(
        503, [Problem("10007", "Unexpected error", detail)], {"retry-after": str(retry_after)}
    )


class StoreUnavailable(Exception):
    """The store cannot be reached right now; the request may be retried."""
