"""Bulk seed rows: repeatable for a seed, obeying the same rules as real orders, and
buying each successful number once."""

from __future__ import annotations

import uuid

import orjson

from number_orders.domain.forced_outcomes import ALWAYS_FAILS, FORCED_SUFFIXES
from number_orders.domain.fulfilment import has_work
from number_orders.domain.numbering import classify
from number_orders.domain.orders import OrderedNumber, RegulatoryRequirement, derive_order_state
from number_orders.domain.phone_numbers import phone_number_id
from number_orders.seed.rows import CHUNK, RowMaker, chunks
from number_orders.storage import PHONE_NUMBER_COLUMNS
from number_orders.storage.bulk import ORDER_COLUMNS
from number_orders.storage.periods import period_start

NOW = 1_780_000_000_000_000


def test_same_seed_same_rows_and_chunks_do_not_depend_on_each_other() -> None:
    maker = RowMaker("acct", NOW, 3 * CHUNK)
    assert maker.chunk(7, 1, 50).rows == RowMaker("acct", NOW, 3 * CHUNK).chunk(7, 1, 50).rows
    assert maker.chunk(7, 1, 50).rows != maker.chunk(8, 1, 50).rows
    assert list(chunks(2 * CHUNK + 5)) == [(0, CHUNK), (1, CHUNK), (2, 5)]


def test_rows_obey_the_order_rules() -> None:
    made = RowMaker("acct", NOW, 400).chunk(3, 0, 400)
    created = [dict(zip(ORDER_COLUMNS, row, strict=True)) for row in made.rows]
    assert [o["created_at"] for o in created] == sorted(o["created_at"] for o in created)
    for order in created:
        details = orjson.loads(order["phone_number_details"])
        numbers = [
            OrderedNumber(
                d["id"],
                d["phone_number"],
                d["country_code"],
                d["phone_number_type"],
                d["status"],
                regulatory_requirements=[
                    RegulatoryRequirement(*r) for r in d["regulatory_requirements"]
                ],
            )
            for d in details
        ]
        assert (order["status"], order["requirements_met"]) == derive_order_state(numbers)
        assert order["phone_numbers_count"] == len(numbers)
        assert orjson.loads(order["phone_numbers"]) == [
            {"id": n.id, "phone_number": n.phone_number} for n in numbers
        ]
        assert len(orjson.loads(order["sub_number_orders_ids"])) == len(
            {(n.country_code, n.phone_number_type) for n in numbers}
        )
        assert order["created_at"] <= order["updated_at"] <= NOW
        assert (order["fulfil_at"] is not None) == has_work(numbers)
        for number in numbers:
            assert (number.status == "failure") == number.phone_number.endswith(ALWAYS_FAILS)
            if not number.requirements_met:
                assert number.status == "pending"
    for number in (n for o in created[:40] for n in orjson.loads(o["phone_number_details"])):
        found = classify(number["phone_number"])
        assert found and (found.country_code, found.phone_number_type) == (
            number["country_code"],
            number["phone_number_type"],
        )
    assert sum(made.counts.values()) == 400
    assert (
        made.counts[
            (
                created[0]["status"],
                created[0]["requirements_met"],
                created[0]["phone_numbers_count"],
                created[0]["customer_reference"],
                period_start(created[0]["created_at"], 1),
            )
        ]
        >= 1
    )


def test_ids_are_unique_uuids_and_order_ids_rise_with_the_orders() -> None:
    maker = RowMaker("acct", NOW, 2 * CHUNK)
    rows = maker.chunk(5, 0, 2000).rows + maker.chunk(5, 1, 2000).rows
    order_ids = [row[1] for row in rows]
    assert order_ids == sorted(order_ids)
    assert {uuid.UUID(i).version for i in order_ids} == {7}
    every = list(order_ids)
    for row in rows:
        every += [n["id"] for n in orjson.loads(row[13])]
        every += orjson.loads(row[12])
    assert all(str(uuid.UUID(i)) == i for i in every)
    assert len(set(every)) == len(every)
    # The ids do not depend on the time anchor: the same seed gives the same ids.
    later = RowMaker("acct", NOW + 10**9, 2 * CHUNK).chunk(5, 0, 2000).rows
    assert [row[1] for row in later] == order_ids[:2000]


def test_every_successful_number_is_bought_with_its_orders_fields() -> None:
    made = RowMaker("acct", NOW, 400).chunk(3, 0, 400)
    orders = {row[1]: dict(zip(ORDER_COLUMNS, row, strict=True)) for row in made.rows}
    bought = [dict(zip(PHONE_NUMBER_COLUMNS, row, strict=True)) for row in made.numbers]
    succeeded = {
        (n["phone_number"], order_id, n["id"], n["country_code"], n["phone_number_type"])
        for order_id, order in orders.items()
        for n in orjson.loads(order["phone_number_details"])
        if n["status"] == "success"
    }
    assert {
        (b["phone_number"], b["order_id"], b["id"], b["country_iso_alpha2"], b["phone_number_type"])
        for b in bought
    } == {(p, o, phone_number_id(i), c, t) for p, o, i, c, t in succeeded}
    for number in bought:
        order = orders[number["order_id"]]
        assert number["account_id"] == "acct" and number["status"] == "active"
        assert number["customer_reference"] == order["customer_reference"]
        assert number["connection_id"] == order["connection_id"]
        assert number["purchased_at"] == number["updated_at"] == order["updated_at"]
        assert (number["tags"], number["tagged"], number["source_type"]) == (
            "[]",
            False,
            "number_order",
        )


def test_one_seed_offers_each_number_once_across_chunks() -> None:
    maker = RowMaker("acct", NOW, 4 * CHUNK)
    offered: list[str] = []
    for number in range(4):
        for row in maker.chunk(6, number, 1500).rows:
            offered += [
                n["phone_number"] for n in orjson.loads(row[13]) if n["status"] != "failure"
            ]
    assert len(offered) == len(set(offered)) > 15_000
    assert not any(p.endswith(FORCED_SUFFIXES) for p in offered)
