"""Reading fields of a JSON request body, one problem per bad field.

Text is bounded (255 characters keeps every indexed value far below PostgreSQL's btree
row limit) and free of control characters: PostgreSQL refuses NUL in text, and the
listing filters refuse control characters, so such a value could never be found again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from number_orders.errors import Problem, bad_field, missing_field

MAX_TEXT = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

_JSON_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "a boolean"),  # before int: bool is a subclass of int
    (str, "a string"),
    (int, "a number"),
    (float, "a number"),
    (list, "an array"),
    (dict, "an object"),
)


def json_type(value: Any) -> str:
    """The JSON name of a decoded value's type, for messages."""
    if value is None:
        return "null"
    return next((name for kind, name in _JSON_TYPES if isinstance(value, kind)), "a value")


def pointer(*parts: str | int) -> str:
    """A JSON pointer (RFC 6901) to a body location."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def shown(value: str) -> str:
    """A value quoted for a message, cut short if long."""
    return '"' + (value if len(value) <= 64 else value[:64] + "...") + '"'


class FieldReader:
    """Collects problems while fields are read, so a body yields all of them at once."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def missing(self, where: str, what: str) -> None:
        self.problems.append(missing_field(where, f"{what} is required."))

    def bad(self, where: str, detail: str) -> None:
        self.problems.append(bad_field(where, detail))

    def text(
        self, body: Mapping[str, Any], name: str, where: str, *, required: bool = False
    ) -> str | None:
        """An optional (or required) bounded string; absent and null read as None."""
        value = body.get(name)
        if value is None:
            if required:
                self.missing(where, name)
            return None
        return self.text_value(value, name, where)

    def text_value(self, value: Any, name: str, where: str) -> str | None:
        if not isinstance(value, str):
            self.bad(where, f"{name} must be a string; got {json_type(value)}.")
            return None
        if not 1 <= len(value) <= MAX_TEXT:
            self.bad(where, f"{name} must be 1 to {MAX_TEXT} characters long; got {len(value)}.")
            return None
        if _CONTROL.search(value):
            self.bad(where, f"{name} must not contain control characters (U+0000 to U+001F).")
            return None
        return value

    def array(self, body: Mapping[str, Any], name: str, where: str) -> list[Any] | None:
        value = body.get(name)
        if value is not None and not isinstance(value, list):
            self.bad(where, f"{name} must be an array; got {json_type(value)}.")
            return None
        return value

    def object(self, value: Any, name: str, where: str) -> Mapping[str, Any] | None:
        if not isinstance(value, dict):
            self.bad(where, f"{name} must be an object; got {json_type(value)}.")
            return None
        return value
