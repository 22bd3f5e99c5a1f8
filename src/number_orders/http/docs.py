"""The project's OpenAPI document and a browsable, self-contained reference page."""

from __future__ import annotations

import html
from functools import cache
from importlib import resources
from typing import Any

import orjson
import yaml
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from number_orders.http.responses import json_response

_METHODS = ("get", "post", "patch", "put", "delete")


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


async def reference_page(_request: Request) -> Response:
    return HTMLResponse(_reference_html())


@cache
def _reference_html() -> str:
    document = openapi_document()
    sections = [
        _operation_html(path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in _METHODS
    ]
    title = html.escape(document["info"]["title"])
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title} API</title>"
        "<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
        "code{background:#f3f3f3;padding:0 .2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ddd;padding:.2em .5em;text-align:left}</style></head><body>"
        f"<h1>{title}</h1><p>{html.escape(document['info'].get('description', ''))}</p>"
        "<p>Base URL <code>/v2</code>; authenticate with <code>Authorization: Bearer KEY</code>. "
        "Machine-readable: <a href='/v2/openapi.json'>openapi.json</a>.</p>"
        + "".join(sections)
        + "</body></html>"
    )


def _operation_html(path: str, method: str, operation: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td><code>{html.escape(p.get('name', p.get('$ref', '').rsplit('/', 1)[-1]))}</code></td>"
        f"<td>{html.escape(p.get('in', 'query'))}</td>"
        f"<td>{html.escape(str(p.get('description', '')))}</td></tr>"
        for p in operation.get("parameters", [])
    )
    statuses = ", ".join(html.escape(str(s)) for s in operation.get("responses", {}))
    return (
        f"<h2><code>{method.upper()} /v2{html.escape(path)}</code></h2>"
        f"<p><b>{html.escape(operation.get('summary', ''))}</b>. "
        f"{html.escape(operation.get('description', ''))}</p>"
        + (
            f"<table><tr><th>parameter</th><th>in</th><th>description</th></tr>{rows}</table>"
            if rows
            else ""
        )
        + f"<p>Responses: {statuses}</p>"
    )
