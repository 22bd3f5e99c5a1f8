"""What a country's inventory is made of: templates per number type and, for geographic
types, the areas `phonenumbers`' geocoder names.

A `Source` is one template, pinned to one area's prefix when the type is geographic.
Every number the search offers is drawn from a source, so a country's sources, filtered
by the query, are the whole of what a query can find. Catalogues are built once per
country and process (the geocoder data takes a couple of seconds to load).
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumberType

from number_orders.domain.inventory.draw import Space, key_of
from number_orders.domain.inventory.templates import Template, compatible, expand, pin
from number_orders.domain.numbering import classify, type_name

PHONE_NUMBER_TYPES = ("local", "mobile", "toll_free", "national", "shared_cost")

# Countries whose geocoder entries read "City, ST" and whose numbers have rate centers.
NANP_COUNTRIES = ("US", "CA")

# `phonenumbers` metadata: the description of each number type.
_DESCRIPTIONS = (
    (PhoneNumberType.FIXED_LINE, "fixed_line"),
    (PhoneNumberType.MOBILE, "mobile"),
    (PhoneNumberType.TOLL_FREE, "toll_free"),
    (PhoneNumberType.SHARED_COST, "shared_cost"),
    (PhoneNumberType.UAN, "uan"),
    (PhoneNumberType.VOIP, "voip"),
    (PhoneNumberType.PERSONAL_NUMBER, "personal_number"),
    (PhoneNumberType.PREMIUM_RATE, "premium_rate"),
    (PhoneNumberType.PAGER, "pager"),
    (PhoneNumberType.VOICEMAIL, "voicemail"),
)

# Numbers drawn from a template to see whether it yields its type at all.
_SAMPLES = 8

_CITY_AND_STATE = re.compile(r"(.+), ([A-Z]{2})")
_REGION_SUFFIX = re.compile(r"(?:, | - ).*")


@dataclass(frozen=True, slots=True)
class Area:
    """A prefix of national numbers the geocoder names (the most specific one)."""

    prefix: str
    locality: str  # "Chicago"
    state: str | None = None  # "IL": US states and Canadian provinces only

    @property
    def rate_center(self) -> str | None:
        # The carrier's name for the exchange: the locality in capitals, in the NANP only.
        return self.locality.upper() if self.state else None


@dataclass(frozen=True, slots=True)
class Source:
    country: str
    phone_number_type: str
    pattern: Template  # the type's template, shared by every area it fits
    area: Area | None = None

    @property
    def prefix(self) -> str:
        return self.area.prefix if self.area else ""

    @property
    def template(self) -> Template:
        """The numbers of the source: the pattern with the area's prefix pinned (built
        when needed, as most sources are never drawn)."""
        return pin(self.pattern, 0, self.area.prefix) if self.area else self.pattern

    def may_start_with(self, head: str) -> bool:
        prefix = self.prefix
        if len(head) <= len(prefix):
            return prefix.startswith(head)
        rest = head[len(prefix) :]
        return head.startswith(prefix) and compatible(self.pattern, len(prefix), rest)


@dataclass(frozen=True)
class TypeCatalogue:
    """The sources of one (country, type), sorted by prefix, with their geography."""

    sources: tuple[Source, ...]
    prefixes: tuple[str, ...] = field(init=False)
    # Indexes of sources, as compact arrays: a country has up to some 60,000 sources.
    by_locality: dict[str, array[int]] = field(init=False)
    by_state: dict[str, array[int]] = field(init=False)

    def __post_init__(self) -> None:
        localities: defaultdict[str, list[int]] = defaultdict(list)
        states: defaultdict[str, list[int]] = defaultdict(list)
        for index, source in enumerate(self.sources):
            if source.area is not None:
                localities[fold(source.area.locality)].append(index)
                if source.area.state:
                    states[fold(source.area.state)].append(index)
        object.__setattr__(self, "prefixes", tuple(s.prefix for s in self.sources))
        object.__setattr__(self, "by_locality", {k: array("l", v) for k, v in localities.items()})
        object.__setattr__(self, "by_state", {k: array("l", v) for k, v in states.items()})

    @property
    def geographic(self) -> bool:
        """Whether numbers of this type belong to areas (sources never mix)."""
        return self.sources[0].area is not None

    def starting_with(self, head: str) -> Iterator[int]:
        """Sources whose numbers may start with `head`: prefixes extending it, then
        prefixes it extends (the empty prefix of a source without area among them)."""
        low = bisect.bisect_left(self.prefixes, head)
        high = bisect.bisect_left(self.prefixes, head + "\x7f")
        yield from range(low, high)
        for length in range(len(head)):
            shorter = head[:length]
            at = bisect.bisect_left(self.prefixes, shorter)
            while at < len(self.prefixes) and self.prefixes[at] == shorter:
                if self.sources[at].may_start_with(head):
                    yield at
                at += 1


def fold(text: str) -> str:
    """How names compare: case and surrounding spaces do not matter."""
    return text.strip().casefold()


def has_numbering_plan(country: str) -> bool:
    return PhoneMetadata.metadata_for_region(country) is not None


def calling_code(country: str) -> str:
    """The country's calling code ("1" for US), or "" for a region `phonenumbers` lacks."""
    code = phonenumbers.country_code_for_region(country)
    return str(code) if code else ""


@cache
def type_catalogue(country: str, name: str) -> TypeCatalogue | None:
    """The sources of numbers of type `name` in `country` (ISO alpha-2, upper case), or
    None when the country has none."""
    templates = type_templates(country, name)
    sources = _geographic_sources(country, name, templates) if templates else []
    if not sources:
        sources = [Source(country, name, t) for t in templates]
    if not sources:
        return None
    sources.sort(key=lambda s: (s.prefix, s.pattern))
    return TypeCatalogue(tuple(sources))


@cache
def type_templates(country: str, name: str) -> tuple[Template, ...]:
    """Templates of every `phonenumbers` type that the API calls `name`, of a length the
    country's numbers of that type may have, that do yield numbers of that type (where
    two types share a pattern, `phonenumbers` decides which one a number is)."""
    metadata = PhoneMetadata.metadata_for_region(country)
    if metadata is None:
        return ()
    found: list[Template] = []
    for kind, attribute in _DESCRIPTIONS:
        description = getattr(metadata, attribute, None)
        if type_name(kind) != name or description is None:
            continue
        if not description.national_number_pattern:
            continue
        general = metadata.general_desc
        lengths = set(description.possible_length or (general.possible_length if general else ()))
        found.extend(t for t in expand(description.national_number_pattern) if len(t) in lengths)
    return tuple(t for t in dict.fromkeys(found) if _yields(country, name, t))


def _yields(country: str, name: str, template: Template) -> bool:
    space = Space(template, key_of("sample", country, *template))
    code = calling_code(country)
    for _ in range(_SAMPLES):
        national = space.next()
        if national is None:
            return False
        number = classify(f"+{code}{national}")
        if number and (number.country_code, number.phone_number_type) == (country, name):
            return True
    return False


def _geographic_sources(country: str, name: str, templates: tuple[Template, ...]) -> list[Source]:
    if not _is_geographic(country, name):
        return []
    fits = _Fits(templates)
    return [
        Source(country, name, template, area)
        for area in country_areas(country)
        for template in fits.templates(area.prefix)
    ]


class _Fits:
    """Which templates agree with a prefix and leave digits after it. Prefixes share
    most of their digits, so the answer for each prefix of a prefix is kept and
    narrowed by one digit at a time."""

    def __init__(self, templates: tuple[Template, ...]) -> None:
        self._agreeing: dict[str, list[Template]] = {"": list(templates)}

    def templates(self, prefix: str) -> list[Template]:
        return [t for t in self._agree(prefix) if len(t) > len(prefix)]

    def __call__(self, prefix: str) -> bool:
        return bool(self.templates(prefix))

    def _agree(self, prefix: str) -> list[Template]:
        found = self._agreeing.get(prefix)
        if found is None:
            at, digit = len(prefix) - 1, prefix[-1]
            shorter = self._agree(prefix[:-1])
            found = [t for t in shorter if at < len(t) and digit in t[at]]
            self._agreeing[prefix] = found
        return found


def _is_geographic(country: str, name: str) -> bool:
    if name == "local":
        return True
    if name != "mobile":
        return False
    # Mobile numbers belong to an area in a few countries (Brazil, Mexico, ...).
    example = phonenumbers.example_number_for_type(country, PhoneNumberType.MOBILE)
    return example is not None and bool(phonenumbers.is_number_geographical(example))


@cache
def country_areas(country: str) -> tuple[Area, ...]:
    """The most specific areas the geocoder names in `country`."""
    areas = [
        area
        for prefix, name in _geocoder_leaves(calling_code(country))
        if (area := _area(country, prefix, name)) is not None
    ]
    if calling_code(country) == "1":
        # One calling code for several countries: an area is the country's if its
        # prefix fits the country's own local numbers.
        fits = _Fits(type_templates(country, "local"))
        areas = [a for a in areas if fits(a.prefix)]
    return tuple(areas)


def _area(country: str, prefix: str, description: str) -> Area | None:
    if country in NANP_COUNTRIES:
        # "Chicago, IL"; entries naming a whole state ("Illinois") are not localities.
        match = _CITY_AND_STATE.fullmatch(description)
        return Area(prefix, _intern(match[1]), _intern(match[2])) if match else None
    locality = _REGION_SUFFIX.sub("", description).strip()
    return Area(prefix, _intern(locality)) if locality else None


@cache
def _geocoder_leaves(code: str) -> tuple[tuple[str, str], ...]:
    """(national prefix, name) of the geocoder's most specific entries under a calling
    code, in English where it has English."""
    data, keys = _geocoder()
    # Calling codes are prefix-free, so the entries of one are a contiguous key range,
    # and in sorted keys a prefix's extensions follow it directly.
    low = bisect.bisect_left(keys, code)
    high = bisect.bisect_left(keys, code + "\x7f")
    leaves: list[tuple[str, str]] = []
    for at in range(low, high):
        prefix = keys[at]
        if at + 1 < high and keys[at + 1].startswith(prefix):
            continue  # a more specific entry names these numbers
        names = data[prefix]
        name = names.get("en") or next((n for _, n in sorted(names.items()) if n), "")
        if name and len(prefix) > len(code):
            leaves.append((prefix[len(code) :], name))
    return tuple(leaves)


@cache
def _geocoder() -> tuple[dict[str, dict[str, str]], list[str]]:
    # Imported here: the geocoder data is large, and only a search needs it.
    from phonenumbers.geodata import GEOCODE_DATA

    return GEOCODE_DATA, sorted(GEOCODE_DATA)


_NAMES: dict[str, str] = {}


def _intern(name: str) -> str:
    """One string object per place name: tens of thousands of exchanges share a few."""
    return _NAMES.setdefault(name, name)
