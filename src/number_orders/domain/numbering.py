"""Phone numbers: E.164 validation, country and number type, from the numbering plans
that `phonenumbers` (Google's libphonenumber) carries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import phonenumbers
from phonenumbers import PhoneNumberType

_TYPES = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "local",
    PhoneNumberType.UAN: "national",
    PhoneNumberType.VOIP: "national",
    PhoneNumberType.PERSONAL_NUMBER: "national",
    PhoneNumberType.PREMIUM_RATE: "national",
}


@dataclass(frozen=True, slots=True)
class ClassifiedNumber:
    e164: str
    country_code: str  # ISO 3166-1 alpha-2
    phone_number_type: str


def classify(text: str) -> ClassifiedNumber | None:
    """The number's country and type if `text` is a valid number in +E.164 form, else None."""
    if not (text.startswith("+") and text[1:].isascii() and text[1:].isdigit()):
        return None
    if not 3 <= len(text) <= 16:
        return None
    split = _split(text[1:])
    if split is None:
        return classify_parsed(text)
    return classify_national(*split)


def classify_parsed(text: str) -> ClassifiedNumber | None:
    """`classify` by `phonenumbers.parse`: the reference the quicker path must agree with,
    and the path of every number that path leaves to it."""
    try:
        parsed = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return None
    return _classified(parsed, text)


def _split(digits: str) -> tuple[str, str] | None:
    """The calling code and national number that `phonenumbers.parse` would find in
    "+digits", when finding them takes no more than the calling code (about a third of
    what parsing costs, on every number of every create); None for every case that takes
    more, left to `parse`: no known calling code, a national number of fewer than two
    digits or of zeros only, and one that starts like the region's national prefix
    (which `parse` may strip)."""
    for length in (1, 2, 3):
        code = digits[:length]
        if code[0] != "0" and int(code) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            national = digits[length:]
            if len(national) < 2 or not national.strip("0"):
                return None
            prefix = _national_prefix(int(code))
            if prefix is not None and prefix.match(national):
                return None
            return code, national
    return None


@cache
def _national_prefix(calling_code: int) -> re.Pattern[str] | None:
    """What `parse` strips as a national prefix (and carrier code) after this calling
    code, from the metadata of the code's main region, as `parse` reads it."""
    region = phonenumbers.region_code_for_country_code(calling_code)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(calling_code, region)
    pattern = metadata.national_prefix_for_parsing if metadata is not None else None
    return re.compile(pattern) if pattern else None


def classify_national(calling_code: str, national: str) -> ClassifiedNumber | None:
    """`classify(f"+{calling_code}{national}")` for digits known to be a calling code and
    a national number, without parsing text: the number search confirms thousands."""
    zeros = len(national) - len(national.lstrip("0"))
    parsed = phonenumbers.PhoneNumber(
        country_code=int(calling_code),
        national_number=int(national),
        italian_leading_zero=True if zeros else None,
        number_of_leading_zeros=zeros if zeros > 1 else None,
    )
    return _classified(parsed, f"+{calling_code}{national}")


def _classified(parsed: phonenumbers.PhoneNumber, text: str) -> ClassifiedNumber | None:
    # `number_type` is UNKNOWN exactly when `is_valid_number` is false (both judge the
    # number against the metadata of `region_code_for_number`); asking once is cheaper.
    kind = phonenumbers.number_type(parsed)
    if kind == PhoneNumberType.UNKNOWN:
        return None
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if e164 != text:
        return None
    region = phonenumbers.region_code_for_number(parsed) or "001"
    return ClassifiedNumber(e164, region, _kind_name(kind, parsed))


def number_type(parsed: phonenumbers.PhoneNumber) -> str:
    return _kind_name(phonenumbers.number_type(parsed), parsed)


def _kind_name(kind: int, parsed: phonenumbers.PhoneNumber) -> str:
    # `is_number_geographical`, without working out the type a second time.
    country_code = parsed.country_code or 0
    if kind == PhoneNumberType.FIXED_LINE and not phonenumbers.is_number_type_geographical(
        kind, country_code
    ):
        return "landline"
    return type_name(kind)


def type_name(kind: int) -> str:
    """The API's name for numbers of a `phonenumbers` type (fixed lines being geographic)."""
    if kind == PhoneNumberType.FIXED_LINE:
        return "local"
    return _TYPES.get(kind, "national")


def example_number(region: str, kind: str) -> str | None:
    """An example +E.164 number of this region and type, for seeding and documentation."""
    wanted = {
        "local": PhoneNumberType.FIXED_LINE,
        "mobile": PhoneNumberType.MOBILE,
        "toll_free": PhoneNumberType.TOLL_FREE,
    }[kind]
    example = phonenumbers.example_number_for_type(region, wanted)
    if example is None:
        return None
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
