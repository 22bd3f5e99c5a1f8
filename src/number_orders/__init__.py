"""number-orders: a stateful server for the Telnyx number orders API."""

__version__ = "0.1.0"
