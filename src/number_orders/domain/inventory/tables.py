"""What the simulated carrier sells where: countries, prices, features, and which
numbers can be reserved or work at once.

Prices are in US dollars, as Telnyx bills them, per number: what is charged on purchase
and every month after. A (country, type) without its own row takes the type's default.
"""

from __future__ import annotations

from decimal import Decimal

from number_orders.domain.inventory.catalogue import NANP_COUNTRIES

SUPPORTED_COUNTRIES = (
    "US", "CA", "GB", "DE", "FR", "NL", "IE", "ES", "IT", "SE", "AU", "BR", "MX", "JP",
)  # fmt: skip

CURRENCY = "USD"

# The spec's feature names, in the order results list them.
FEATURES = (
    "sms",
    "mms",
    "voice",
    "fax",
    "emergency",
    "hd_voice",
    "international_sms",
    "local_calling",
)

_DEFAULT_PRICES = {
    "local": ("1.00", "1.50"),
    "mobile": ("2.00", "4.00"),
    "toll_free": ("2.00", "5.00"),
    "national": ("1.00", "2.50"),
    "shared_cost": ("3.00", "6.00"),
}

_PRICES: dict[str, dict[str, tuple[str, str]]] = {
    "US": {"local": ("1.00", "1.00"), "toll_free": ("1.00", "2.00"), "national": ("1.00", "2.00")},
    "CA": {"local": ("1.00", "1.00"), "toll_free": ("1.00", "2.00"), "national": ("1.00", "2.00")},
    "GB": {"local": ("1.00", "1.00"), "mobile": ("1.00", "2.50"), "toll_free": ("5.00", "5.00")},
    "DE": {"local": ("1.00", "1.50"), "mobile": ("5.00", "10.00"), "toll_free": ("10.00", "15.00")},
    "FR": {"local": ("1.00", "2.00"), "mobile": ("5.00", "12.00"), "toll_free": ("10.00", "15.00")},
    "NL": {"local": ("1.00", "1.50"), "mobile": ("5.00", "10.00"), "toll_free": ("10.00", "15.00")},
    "IE": {"local": ("1.00", "2.00"), "mobile": ("5.00", "10.00"), "toll_free": ("10.00", "20.00")},
    "ES": {"local": ("1.00", "1.50"), "mobile": ("5.00", "10.00"), "toll_free": ("10.00", "15.00")},
    "IT": {"local": ("1.00", "2.00"), "mobile": ("5.00", "12.00"), "toll_free": ("10.00", "20.00")},
    "SE": {"local": ("1.00", "2.00"), "mobile": ("3.00", "6.00"), "toll_free": ("10.00", "15.00")},
    "AU": {"local": ("1.00", "3.00"), "mobile": ("3.00", "8.00"), "toll_free": ("10.00", "20.00")},
    "BR": {"local": ("2.00", "4.00"), "mobile": ("5.00", "10.00"), "toll_free": ("15.00", "25.00")},
    "MX": {"local": ("1.00", "2.00"), "mobile": ("3.00", "6.00"), "toll_free": ("10.00", "15.00")},
    "JP": {
        "local": ("5.00", "8.00"),
        "mobile": ("10.00", "15.00"),
        "toll_free": ("20.00", "30.00"),
    },
}

_DEFAULT_FEATURES = {
    "local": ("voice", "fax", "emergency", "hd_voice"),
    "mobile": ("sms", "voice", "emergency", "hd_voice", "international_sms"),
    "toll_free": ("voice",),
    "national": ("voice", "fax"),
    "shared_cost": ("voice",),
}

_NANP_FEATURES = {
    "local": FEATURES,
    "toll_free": ("sms", "mms", "voice", "fax", "hd_voice"),
    "national": ("voice", "fax"),
}

_FEATURES: dict[str, dict[str, tuple[str, ...]]] = {
    "US": _NANP_FEATURES,
    "CA": _NANP_FEATURES,
    # Local numbers that take text messages.
    "GB": {"local": ("sms", "voice", "fax", "emergency", "hd_voice")},
    "AU": {"local": ("sms", "voice", "fax", "emergency", "hd_voice")},
    "SE": {"mobile": ("sms", "mms", "voice", "emergency", "hd_voice", "international_sms")},
}


def prices(country: str, phone_number_type: str) -> tuple[Decimal, Decimal]:
    """(upfront, monthly) per number."""
    upfront, monthly = _PRICES.get(country, {}).get(
        phone_number_type, _DEFAULT_PRICES[phone_number_type]
    )
    return Decimal(upfront), Decimal(monthly)


def features(country: str, phone_number_type: str) -> tuple[str, ...]:
    """The features numbers of this country and type offer, in `FEATURES` order."""
    offered = _FEATURES.get(country, {}).get(
        phone_number_type, _DEFAULT_FEATURES[phone_number_type]
    )
    return tuple(f for f in FEATURES if f in offered)


def reservable(country: str) -> bool:
    return country in NANP_COUNTRIES


def quickship(country: str, phone_number_type: str) -> bool:
    """Whether a number works at once after purchase: +1 toll-free numbers."""
    return country in NANP_COUNTRIES and phone_number_type == "toll_free"
