"""What generated orders are made of, shared by the order factory and the row maker: the
countries and kinds of numbers with their weights, the per-country number templates, the
customer references, and the time span orders are spread over.

Numbers come from per-country templates checked once against the numbering plans, so bulk
generation never calls the (slow) validator per number.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from number_orders.domain.numbering import classify, example_number

YEAR = 365 * 86_400 * 1_000_000
COUNTRY_WEIGHTS = {
    "US": 50,
    "CA": 10,
    "GB": 10,
    "DE": 8,
    "FR": 6,
    "AU": 5,
    "NL": 4,
    "BR": 4,
    "JP": 3,
}
KINDS = ("local", "mobile", "toll_free")
KIND_WEIGHTS = (70, 20, 10)
COUNT_WEIGHTS = (40, 18, 12, 8, 6, 5, 4, 3, 2, 2)  # 1..10 numbers per order
REFERENCE_WORDS = ("acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka")
# Customer references, `acme-000` to `wonka-039`: few enough that filters find many orders.
REFERENCES = tuple(f"{w}-{i:03d}" for w in REFERENCE_WORDS for i in range(40))


@dataclass(frozen=True, slots=True)
class Template:
    country_code: str
    phone_number_type: str
    prefix: str
    free_digits: int


@cache
def templates() -> tuple[Template, ...]:
    found = []
    for country in COUNTRY_WEIGHTS:
        for kind in KINDS:
            template = _template(country, kind)
            if template is not None:
                found.append(template)
    return tuple(found)


def _template(country: str, kind: str) -> Template | None:
    example = example_number(country, kind)
    if example is None:
        return None
    probe = random.Random(f"{country}{kind}")
    for free in (6, 5, 4):
        prefix = example[:-free]
        samples = [prefix + str(probe.randrange(10 ** (free - 1), 10**free)) for _ in range(12)]
        classified = [classify(s) for s in samples]
        if all(c and c.country_code == country and c.phone_number_type == kind for c in classified):
            return Template(country, kind, prefix, free)
    return None
