"""Candidates in a fixed order: each pick takes a source at a keyed-hash position and
draws its next number from a keyed permutation, so the order depends only on the seed
and the query. Every candidate is confirmed by `phonenumbers` as the orders classify it.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import phonenumbers

from number_orders.domain.forced_outcomes import FORCED_SUFFIXES
from number_orders.domain.inventory.catalogue import Source, TypeCatalogue, calling_code
from number_orders.domain.inventory.draw import Space, key_of, mix
from number_orders.domain.inventory.plan import Phase
from number_orders.domain.inventory.templates import Template
from number_orders.domain.numbering import classify_national


@dataclass(frozen=True, slots=True)
class Found:
    """An available number and where it comes from."""

    phone_number: str  # E.164
    source: Source
    best_effort: bool = False


class SourceDraw:
    """The numbers of one source, taking turns between its narrowed templates."""

    def __init__(self, spaces: list[Space]) -> None:
        self.spaces = spaces
        self.turn = 0

    @property
    def spent(self) -> bool:
        return not self.spaces

    def next(self) -> str | None:
        if not self.spaces:
            return None
        self.turn %= len(self.spaces)
        space = self.spaces[self.turn]
        national = space.next()
        if space.exhausted:  # dropped at once, so a spent source costs no extra pick
            self.spaces.pop(self.turn)
        else:
            self.turn += 1
        return national


class Draw:
    """The candidates of one phase, in its fixed order.

    Pick `k` takes the source at a keyed-hash position among the sources still live;
    a source with nothing left leaves the live set, swapped with the last live one (the
    swaps are kept in `moved`, so the sources of a big country are never copied).
    """

    def __init__(
        self,
        seed: str,
        segments: list[tuple[TypeCatalogue, Sequence[int]]],
        open_source: Callable[[Source], list[SourceDraw]],
    ) -> None:
        self.segments = segments
        self.starts: list[int] = []
        self.live = 0
        for _, indexes in segments:
            self.starts.append(self.live)
            self.live += len(indexes)
        self.moved: dict[int, int] = {}
        self.open_source = open_source
        self.opened: dict[int, list[SourceDraw]] = {}
        self.key = key_of(seed, "sources")
        self.picks = 0
        self.position = -1

    def pick(self) -> tuple[Source, list[SourceDraw]] | None:
        """The next source and its draws, or None when every source is spent."""
        if not self.live:
            return None
        self.position = mix(self.key, self.picks) % self.live
        self.picks += 1
        index = self.moved.get(self.position, self.position)
        source = self._source(index)
        draws = self.opened.get(index)
        if draws is None:
            draws = self.opened[index] = self.open_source(source)
        return source, draws

    def retire(self) -> None:
        """Take the source of the last pick out of the live set."""
        self.live -= 1
        last = self.moved.pop(self.live, self.live)
        if self.position != self.live:
            self.moved[self.position] = last

    def _source(self, index: int) -> Source:
        segment = bisect.bisect_right(self.starts, index) - 1
        catalogue, indexes = self.segments[segment]
        return catalogue.sources[indexes[index - self.starts[segment]]]


def space(seed: str, template: Template) -> Space:
    return Space(template, key_of(seed, *template))


def candidates(seed: str, phase: Phase, seen: set[str], picks: int) -> Iterator[Found]:
    """The phase's valid candidates in order, skipping numbers in `seen` (and adding
    every candidate to it), within `picks` picks."""
    digits = phase.digits

    def open_source(source: Source) -> list[SourceDraw]:
        return [SourceDraw([space(seed, t) for t in digits.narrow(source.template)])]

    draw = Draw(seed, phase.segments(), open_source)
    while draw.picks < picks:
        picked = draw.pick()
        if picked is None:
            return
        source, [numbers] = picked
        national = numbers.next()
        if numbers.spent:
            draw.retire()
        if national is None:
            continue
        number = confirmed(source, national, digits.ndc, seen)
        if number is not None:
            yield Found(number, source, phase.best_effort)


def confirmed(source: Source, national: str, ndc: str, seen: set[str]) -> str | None:
    """The number in E.164 if it is one the inventory offers and was not seen yet."""
    if national.endswith(FORCED_SUFFIXES):
        return None
    code = calling_code(source.country)
    e164 = f"+{code}{national}"
    if e164 in seen:
        return None
    seen.add(e164)
    number = classify_national(code, national)
    if number is None or number.country_code != source.country:
        return None
    if number.phone_number_type != source.phone_number_type:
        return None
    if ndc and _ndc_length(e164) != len(ndc):
        return None
    return e164


def _ndc_length(e164: str) -> int:
    length: int = phonenumbers.length_of_national_destination_code(phonenumbers.parse(e164))
    return length
