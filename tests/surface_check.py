"""Instances checked against the public spec of the number-ordering surface
(`tests/spec/number-ordering-surface.yaml`, JSON Schema 2020-12 in OpenAPI 3.1)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SURFACE = Path(__file__).parent / "spec" / "number-ordering-surface.yaml"
_URI = "urn:telnyx:number-ordering-surface"


@cache
def surface() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(SURFACE.read_text())
    return document


@cache
def _registry() -> Registry[Any]:
    resource: Resource[Any] = DRAFT202012.create_resource(surface())
    registry: Registry[Any] = Registry().with_resource(_URI, resource)
    return registry


def _problems(pointer: str, instance: Any) -> list[str]:
    validator = Draft202012Validator({"$ref": f"{_URI}#{pointer}"}, registry=_registry())
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]


def assert_matches_schema(name: str, instance: Any) -> None:
    """Fail with every violation if `instance` does not fit `#/components/schemas/NAME`."""
    problems = _problems(f"/components/schemas/{name}", instance)
    assert not problems, problems


def assert_matches_response(path: str, instance: Any, status: str = "200") -> None:
    """Fail unless `instance` fits the JSON body of `GET path` answering `status`."""
    escaped = path.replace("~", "~0").replace("/", "~1")
    pointer = f"/paths/{escaped}/get/responses/{status}/content/application~1json/schema"
    problems = _problems(pointer, instance)
    assert not problems, problems


def schema_properties(name: str) -> set[str]:
    """The property names of `#/components/schemas/NAME`."""
    return set(surface()["components"]["schemas"][name]["properties"])
