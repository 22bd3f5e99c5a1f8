"""The project's OpenAPI document (the reference page over it: `routes/reference.py`)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import orjson
import yaml
from starlette.requests import Request
from starlette.responses import Response

from number_orders.http.responses import json_response


@cache
def openapi_document() -> dict[str, Any]:
    text = resources.files("number_orders").joinpath("openapi.yaml").read_text("utf-8")
    document: dict[str, Any] = yaml.safe_load(text)
    return document


@cache
def _openapi_bytes() -> bytes:
    return orjson.dumps(openapi_document())


async def openapi_json(_request: Request) -> Response:
    return json_response(_openapi_bytes())
