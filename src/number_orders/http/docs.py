"""The project's OpenAPI document, merged from one fragment per resource, and a browsable,
self-contained reference page made from it (served by `routes/docs.py`)."""

from __future__ import annotations

import html
from functools import cache
from importlib import resources
from typing import Any

import orjson
import yaml

_METHODS = ("get", "post", "patch", "put", "delete")
_BASE = "base.yaml"
# Only these belong in a resource's fragment; the frame (info, servers, security) is the base's.
_FRAGMENT_KEYS = frozenset({"paths", "components"})


@cache
def openapi_document() -> dict[str, Any]:
    """The served document: `openapi/base.yaml` with every resource's fragment beside it
    (`openapi/<resource>.yaml`, in name order) merged in."""
    folder = resources.files("number_orders.http").joinpath("openapi")
    fragments = sorted(
        (
            (entry.name, _load(entry.read_text("utf-8")))
            for entry in folder.iterdir()
            if entry.name.endswith(".yaml") and entry.name != _BASE
        ),
        key=lambda fragment: fragment[0],
    )
    return merged(_load(folder.joinpath(_BASE).read_text("utf-8")), fragments)


def merged(base: dict[str, Any], fragments: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """One document from the base and `(name, fragment)` pairs. A path or component defined
    twice is an error, never a silent override."""
    paths: dict[str, Any] = {}
    components = {section: dict(entries) for section, entries in base["components"].items()}
    for name, fragment in fragments:
        stray = set(fragment) - _FRAGMENT_KEYS
        if stray:
            raise ValueError(f"{name}: a fragment holds only paths and components, not {stray}")
        _add(paths, fragment.get("paths", {}), f"{name}: path ")
        for section, entries in fragment.get("components", {}).items():
            _add(components.setdefault(section, {}), entries, f"{name}: components/{section}/")
    frame = {key: value for key, value in base.items() if key != "components"}
    return {**frame, "paths": paths, "components": components}


def _add(into: dict[str, Any], entries: dict[str, Any], where: str) -> None:
    for key, value in entries.items():
        if key in into:
            raise ValueError(f"{where}{key} is defined twice")
        into[key] = value


def _load(text: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


@cache
def openapi_bytes() -> bytes:
    return orjson.dumps(openapi_document())


@cache
def reference_html() -> str:
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
