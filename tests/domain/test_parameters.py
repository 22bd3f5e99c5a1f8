"""The shared query-parameter engine: one problem per bad parameter, arrays both ways."""

from __future__ import annotations

import pytest

from number_orders.domain.parameters import (
    PAGE_RULES,
    Page,
    Rule,
    SortKey,
    choice,
    country_code,
    e164,
    read_params,
    sort_rules,
    sorted_by,
    text,
    uuid_text,
    whole_list_meta,
)
from number_orders.errors import ApiError

RULES = {
    "filter[kind]": Rule("kind", choice(("a", "b"))),
    "filter[country]": Rule("country", country_code),
    "filter[numbers]": Rule("numbers", e164, many=True),
    "filter[id]": Rule("id", uuid_text),
    "filter[name]": Rule("name", text),
    **sort_rules(("name", "created_at")),
    **PAGE_RULES,
}


def problems(pairs: list[tuple[str, str]]) -> list[tuple[str | None, str]]:
    with pytest.raises(ApiError) as raised:
        read_params(pairs, RULES)
    assert raised.value.status == 400
    return [(p.parameter, p.detail) for p in raised.value.problems]


def test_good_parameters_fill_their_fields() -> None:
    values = read_params(
        [
            ("filter[kind]", "b"),
            ("filter[country]", "de"),
            ("filter[id]", "6A09CDC3-8948-47F0-AA62-74AC943D6C58"),
            ("page[number]", "002"),
            ("unrelated", "ignored, as Telnyx ignores it"),
        ],
        RULES,
    )
    assert values == {
        "kind": "b",
        "country": "DE",
        "id": "6a09cdc3-8948-47f0-aa62-74ac943d6c58",
        "page_number": 2,
    }


def test_arrays_arrive_comma_joined_or_repeated() -> None:
    joined = read_params([("sort", "-created_at,name")], RULES)
    repeated = read_params([("sort[]", "-created_at"), ("sort", "name")], RULES)
    assert joined == repeated == {"sort": (SortKey("created_at", True), SortKey("name", False))}
    numbers = read_params([("filter[numbers]", "+4930123456,+13125550123")], RULES)
    assert numbers == {"numbers": ("+4930123456", "+13125550123")}


def test_every_bad_parameter_is_reported_once_in_order() -> None:
    found = problems(
        [
            ("filter[kind]", "c"),
            ("filter[nope]", "x"),
            ("page[size]", "251"),
            ("sort", "name,-name"),
            ("filter[kind]", "a"),
            ("filter[country]", "DEU"),
            ("filter[numbers]", "4930123456"),
            ("filter[name]", ""),
            ("filter[id]", "not-a-uuid"),
        ]
    )
    assert [parameter for parameter, _ in found] == [
        "filter[kind]",
        "filter[nope]",
        "page[size]",
        "sort",
        "filter[country]",
        "filter[numbers]",
        "filter[name]",
        "filter[id]",
    ]
    details = dict(found)
    assert details["filter[kind]"] == 'filter[kind] must be one of a, b; got "c"'
    assert "supported: filter[kind]" in details["filter[nope]"]
    assert details["sort"] == 'sort names "-name" more than once.'


def test_a_repeated_single_value_and_hostile_text_are_refused() -> None:
    found = problems(
        [
            ("filter[kind]", "a"),
            ("filter[kind]", "a"),
            ("filter[name]", "a\x00b"),
            ("page[\udcff]", "1"),
        ]
    )
    assert found == [
        ("filter[kind]", "filter[kind] may be given only once."),
        ("filter[name]", "filter[name] must not contain control characters."),
        ("page[\ufffd]", "page[\ufffd] must be valid UTF-8 text."),
    ]


def test_sorting_applies_keys_in_order() -> None:
    rows = [("b", 1), ("a", 2), ("a", 1)]
    keys = (SortKey("name", False), SortKey("n", True))
    ordered = sorted_by(rows, keys, lambda row, f: row[0] if f == "name" else row[1])
    assert ordered == [("a", 2), ("a", 1), ("b", 1)]


def test_pages_and_their_meta() -> None:
    page = Page(2, 3)
    assert page.of(list(range(7))) == [3, 4, 5]
    assert page.meta(7) == {"page_number": 2, "page_size": 3, "total_pages": 3, "total_results": 7}
    assert Page().meta(0)["total_pages"] == 0
    assert whole_list_meta(4) == {
        "page_number": 1,
        "page_size": 4,
        "total_pages": 1,
        "total_results": 4,
    }
