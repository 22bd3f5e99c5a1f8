"""Response bodies checked against the published spec of the resources around an order
(`spec/number-ordering-surface.yaml`, a verbatim copy), and against the official Python
client's models, which is what a strict client does with them.

The spec's objects allow undeclared fields, so a misspelt field would pass; here every
object is closed (`unevaluatedProperties: false`) so each field sent must be one the spec
declares.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from pydantic import BaseModel

SPEC = Path(__file__).parent.parent / "spec" / "number-ordering-surface.yaml"

# Where the official clients accept more than the spec's enum, the clients win: they are
# what must work. `/requirements` lists mobile and shared_cost requirements too, which
# telnyx 4.189 (Python) types as local, mobile, multipurpose, national, shared_cost, toll_free.
_CLIENT_ENUMS = {
    ("DocReqsRequirement", "phone_number_type"): [
        "local",
        "mobile",
        "multipurpose",
        "national",
        "shared_cost",
        "toll_free",
    ],
}


@cache
def _spec() -> dict[str, Any]:
    document: dict[str, Any] = yaml.load(SPEC.read_text(), Loader=yaml.CSafeLoader)
    schemas = document["components"]["schemas"]
    for (schema, field), values in _CLIENT_ENUMS.items():
        schemas[schema]["properties"][field]["enum"] = values
    return document


def _resolve(node: Any, seen: tuple[str, ...] = ()) -> Any:
    """The schema with every `$ref` inlined (the surface's schemas are not recursive)."""
    if isinstance(node, list):
        return [_resolve(item, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        assert ref not in seen, f"recursive schema at {ref}"
        target: Any = _spec()
        for part in ref.removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        return _resolve(copy.deepcopy(target), (*seen, ref))
    return {key: _resolve(value, seen) for key, value in node.items()}


def _closed(node: Any, in_all_of: bool = False) -> Any:
    if isinstance(node, list):
        return [_closed(item, in_all_of) for item in node]
    if not isinstance(node, dict):
        return node
    closed = {
        key: [_closed(member, True) for member in value] if key == "allOf" else _closed(value)
        for key, value in node.items()
    }
    # A member of allOf sees only its own properties; the object that joins them closes.
    if ("properties" in node or "allOf" in node) and not in_all_of:
        closed.setdefault("unevaluatedProperties", False)
    return closed


@cache
def _validator(path: str, method: str, status: str) -> Draft202012Validator:
    response = _resolve(_spec()["paths"][path][method]["responses"][status])
    schema = _closed(response["content"]["application/json"]["schema"])
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def assert_response(path: str, method: str, body: Any, status: str = "200") -> None:
    """Fail with every violation if `body` is not what the spec says `method path` answers."""
    validator = _validator(path, method, status)
    problems = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
    assert not problems, problems


def assert_client_reads(model: type[BaseModel], body: Any) -> None:
    """The official Python client's model accepts `body` (it raises if not)."""
    model.model_validate(body)
