"""What a search looks through: the sources of the query's country and types that fit
its geography, and where its digits stand. An exact phase first, then, for best effort
in the US and Canada, the same state and the whole country.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import chain

from number_orders.domain.inventory.catalogue import (
    NANP_COUNTRIES,
    PHONE_NUMBER_TYPES,
    Source,
    TypeCatalogue,
    calling_code,
    fold,
    type_catalogue,
)
from number_orders.domain.inventory.query import SearchQuery
from number_orders.domain.inventory.tables import features, quickship, reservable
from number_orders.domain.inventory.templates import Template, compatible, pin


@dataclass(frozen=True, slots=True)
class Digits:
    """Where the query's digits stand in a national number. With a national destination
    code, the pattern filters apply to the digits after it; a relaxed search (best
    effort) drops the code but keeps the patterns where they were."""

    ndc: str = ""
    after: int = 0  # where the digits after the code begin: len(code) as asked
    starts_with: str = ""  # at `after`
    ends_with: str = ""
    contains: str = ""

    @property
    def head(self) -> str:
        """The digits every wanted number starts with."""
        return self.ndc + self.starts_with if self.ndc or not self.after else ""

    def relaxed(self) -> Digits:
        return replace(self, ndc="")

    def admits(self, template: Template) -> bool:
        """Whether the fixed-position digits may stand in numbers of `template`."""
        return compatible(template, 0, self.ndc) and compatible(
            template, self.after, self.starts_with
        )

    def narrow(self, template: Template) -> list[Template]:
        """The template narrowed to numbers with these digits, one template per place
        `contains` can take; none when no number of the template has them."""
        narrowed = template
        tail = len(template) - len(self.ends_with)
        if tail < self.after:
            return []  # the ending would reach into the destination code
        for at, digits in ((0, self.ndc), (self.after, self.starts_with), (tail, self.ends_with)):
            if digits:
                if not compatible(narrowed, at, digits):
                    return []
                narrowed = pin(narrowed, at, digits)
        if not self.contains:
            return [narrowed]
        last = len(narrowed) - len(self.contains)
        return [
            pin(narrowed, at, self.contains)
            for at in range(self.after, last + 1)
            if compatible(narrowed, at, self.contains)
        ]


@dataclass(frozen=True, slots=True)
class Where:
    """The geography a phase searches. `states` None: any state."""

    locality: str | None = None
    rate_center: str | None = None
    states: tuple[str, ...] | None = None

    def sources(self, catalogue: TypeCatalogue, head: str) -> Sequence[int]:
        indexes = self._by_geography(catalogue)
        if indexes is None:
            return list(catalogue.starting_with(head)) if head else range(len(catalogue.sources))
        if head:
            return [i for i in indexes if catalogue.sources[i].may_start_with(head)]
        return indexes

    def _by_geography(self, catalogue: TypeCatalogue) -> Sequence[int] | None:
        sources = catalogue.sources
        indexes: Sequence[int] | None = None
        if self.locality is not None:
            indexes = catalogue.by_locality.get(fold(self.locality), ())
        if self.rate_center is not None:
            # A rate center is its locality in capitals, so the locality index finds it.
            wanted = fold(self.rate_center)
            pool = catalogue.by_locality.get(wanted, ()) if indexes is None else indexes
            indexes = [i for i in pool if _folded(_rate_center(sources[i])) == wanted]
        if self.states is not None:
            states = {fold(s) for s in self.states}
            if indexes is None:
                found = (catalogue.by_state.get(s, ()) for s in states)
                indexes = sorted(chain.from_iterable(found))
            else:
                indexes = [i for i in indexes if _folded(_state(sources[i])) in states]
        return indexes


def _state(source: Source) -> str | None:
    return source.area.state if source.area else None


def _rate_center(source: Source) -> str | None:
    return source.area.rate_center if source.area else None


def _folded(text: str | None) -> str | None:
    return fold(text) if text is not None else None


@dataclass(frozen=True, slots=True)
class Phase:
    """One pass of a search: an exact one, then, for best effort, wider ones."""

    catalogues: tuple[TypeCatalogue, ...]
    where: Where
    digits: Digits
    best_effort: bool = False

    def segments(self) -> list[tuple[TypeCatalogue, Sequence[int]]]:
        found = []
        for catalogue in self.catalogues:
            indexes = self.where.sources(catalogue, self.digits.head)
            if self.digits.starts_with and not self.digits.head:
                # Digits after a dropped code: few sources have them, so look now.
                indexes = [i for i in indexes if self.digits.admits(catalogue.sources[i].template)]
            if indexes:
                found.append((catalogue, indexes))
        return found


def plan(query: SearchQuery, countries: tuple[str, ...]) -> list[Phase]:
    """The phases of a search; none when nothing can match."""
    country = query.country_code
    catalogues = _catalogues(query) if country in countries else ()
    if not catalogues:
        return []
    digits = _digits(query, calling_code(country), catalogues)
    if digits is None:
        return []
    states = (query.administrative_area,) if query.administrative_area is not None else None
    where = Where(query.locality, query.rate_center, states)
    exact = Phase(catalogues, where, digits)
    located = where != Where() or bool(digits.ndc)
    if not (query.best_effort and country in NANP_COUNTRIES and located):
        return [exact]
    # Nearby numbers are of the types the exact search found, or else of a type that
    # has places at all: a toll-free number is near no city.
    segments = exact.segments()
    near = tuple(c for c, _ in segments) or tuple(c for c in catalogues if c.geographic)
    phases = [exact]
    if query.locality or query.rate_center or digits.ndc:
        nearby = states or _states(segments)
        if nearby:
            phases.append(Phase(near, Where(states=nearby), digits.relaxed(), True))
    phases.append(Phase(near, Where(), digits.relaxed(), True))
    return phases


def _states(segments: list[tuple[TypeCatalogue, Sequence[int]]]) -> tuple[str, ...]:
    """The states of the areas of `segments`, in order of first appearance."""
    states = (_state(catalogue.sources[i]) for catalogue, indexes in segments for i in indexes)
    return tuple(s for s in dict.fromkeys(states) if s)


def _catalogues(query: SearchQuery) -> tuple[TypeCatalogue, ...]:
    country = query.country_code
    names = (query.phone_number_type,) if query.phone_number_type else PHONE_NUMBER_TYPES
    found = []
    for name in names:
        if name not in PHONE_NUMBER_TYPES:
            continue
        if query.quickship and not quickship(country, name):
            continue
        if query.reservable and not reservable(country):
            continue
        if not set(query.features) <= set(features(country, name)):
            continue
        catalogue = type_catalogue(country, name)
        if catalogue is not None:
            found.append(catalogue)
    return tuple(found)


def _digits(query: SearchQuery, code: str, catalogues: tuple[TypeCatalogue, ...]) -> Digits | None:
    ndc = query.national_destination_code or ""
    starts_with = query.starts_with or ""
    if starts_with.startswith("+"):
        if not starts_with[1:].startswith(code):
            return None  # another country's number
        starts_with = starts_with[1 + len(code) :]
    elif starts_with.startswith(code) and not _starts_any(ndc + starts_with, catalogues):
        # No national number starts so: the digits are the calling code and what follows.
        starts_with = starts_with[len(code) :]
    return Digits(ndc, len(ndc), starts_with, query.ends_with or "", query.contains or "")


def _starts_any(head: str, catalogues: tuple[TypeCatalogue, ...]) -> bool:
    return any(next(c.starting_with(head), None) is not None for c in catalogues)
