"""The project's OpenAPI document, merged from one fragment per resource (served by
`routes/docs.py`; the interactive reference over it is `routes/reference.py`)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import orjson
import yaml

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
