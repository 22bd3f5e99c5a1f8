"""The only two ways a response body is made: JSON data, or the error envelope."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import Response

from number_orders.errors import ApiError
from number_orders.http.serializers import error_bytes

JSON = "application/json"


def json_response(
    body: bytes, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(body, status_code=status, media_type=JSON, headers=headers)


def error_response(error: ApiError) -> Response:
    return json_response(error_bytes(error), error.status, error.headers)
