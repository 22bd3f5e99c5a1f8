"""The OpenAPI documents tests check against: the project's own (responses are checked
against its schemas, JSON Schema 2020-12) and the published seed spec of the list
endpoint, vendored in `tests/spec/` so that every run reads the same copy."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from number_orders.http.docs import openapi_document

_URI = "urn:number-orders:openapi"
SEED_SPEC = Path(__file__).resolve().parents[1] / "spec" / "seed-list-number-orders.yaml"


@cache
def _registry() -> Registry[Any]:
    # The document itself is no schema; its components are, in the 2020-12 dialect.
    resource: Resource[Any] = DRAFT202012.create_resource(openapi_document())
    registry: Registry[Any] = Registry().with_resource(_URI, resource)
    return registry


def assert_matches(schema_name: str, instance: Any) -> None:
    """Fail with every violation if `instance` does not fit `#/components/schemas/NAME`."""
    validator = Draft202012Validator(
        {"$ref": f"{_URI}#/components/schemas/{schema_name}"}, registry=_registry()
    )
    problems = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]
    assert not problems, problems
