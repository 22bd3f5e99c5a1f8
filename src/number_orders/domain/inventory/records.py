"""Search results in the spec's shapes (`AvailablePhoneNumber`,
`AvailablePhoneNumberBlock`, `AvailablePhoneNumbersMetadata`), as plain dicts."""

from __future__ import annotations

from typing import Any

from number_orders.domain.inventory.blocks import Block
from number_orders.domain.inventory.candidates import Found
from number_orders.domain.inventory.catalogue import Source
from number_orders.domain.inventory.tables import (
    CURRENCY,
    features,
    prices,
    quickship,
    reservable,
)


def numbers_response(found: list[Found]) -> dict[str, Any]:
    """The list body: not paged, so `meta` (and its older name `metadata`) count `data`."""
    meta = {
        "total_results": len(found),
        "best_effort_results": sum(1 for f in found if f.best_effort),
    }
    return {"data": [number_record(f) for f in found], "meta": meta, "metadata": dict(meta)}


def blocks_response(blocks: list[Block]) -> dict[str, Any]:
    meta = {"total_results": len(blocks), "best_effort_results": 0}
    return {"data": [block_record(b) for b in blocks], "meta": meta}


def number_record(found: Found) -> dict[str, Any]:
    source = found.source
    country, kind = source.country, source.phone_number_type
    return {
        "record_type": "available_phone_number",
        "phone_number": found.phone_number,
        "vanity_format": "",
        "best_effort": found.best_effort,
        "quickship": quickship(country, kind),
        "reservable": reservable(country),
        "region_information": region_information(source),
        "cost_information": cost_information(source, 1),
        "features": [{"name": name} for name in features(country, kind)],
    }


def block_record(block: Block) -> dict[str, Any]:
    source = block.source
    return {
        "record_type": "available_phone_number_block",
        "phone_number": block.phone_number,
        "range": block.range,
        "region_information": region_information(source),
        "cost_information": cost_information(source, block.range),
        "features": [{"name": name} for name in features(source.country, source.phone_number_type)],
    }


def region_information(source: Source) -> list[dict[str, str]]:
    """Country first, then what the geocoder knows of the number's area."""
    regions = [("country_code", source.country)]
    if source.area is not None:
        area = source.area
        if area.state:
            regions.append(("state", area.state))
        regions.append(("location", area.locality))
        if area.rate_center:
            regions.append(("rate_center", area.rate_center))
    return [{"region_type": kind, "region_name": name} for kind, name in regions]


def cost_information(source: Source, count: int) -> dict[str, str]:
    """What `count` numbers of the source cost, as decimal strings."""
    upfront, monthly = prices(source.country, source.phone_number_type)
    return {
        "upfront_cost": f"{upfront * count:.2f}",
        "monthly_cost": f"{monthly * count:.2f}",
        "currency": CURRENCY,
    }
