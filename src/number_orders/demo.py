"""The first-start experience: an empty default store gets a demo account and data."""

from __future__ import annotations

from collections.abc import Callable

from number_orders.config import Settings
from number_orders.seeding import OrderFactory
from number_orders.service import NumberOrdersService
from number_orders.storage.database import default_url
from number_orders.storage.sql_store import SqlStore

DEMO_ACCOUNT = "demo"
DEMO_ORDERS = 300


def prepare_demo(store: SqlStore, settings: Settings, say: Callable[[str], None]) -> None:
    if not settings.demo or settings.database_url != default_url() or store.count_accounts():
        return
    issued = NumberOrdersService(store).create_api_key(DEMO_ACCOUNT)
    store.insert_number_orders(issued.account.account_id, OrderFactory(seed=1).orders(DEMO_ORDERS))
    base = f"http://{settings.host}:{settings.port}/v2"
    say(f"Created account '{DEMO_ACCOUNT}' with {DEMO_ORDERS} demo orders.")
    say(f"Demo API key (shown once): {issued.token}")
    say(f"  curl -g -H 'Authorization: Bearer {issued.token}' '{base}/number_orders?page[size]=2'")
    say(f"  export TELNYX_BASE_URL={base} TELNYX_API_KEY={issued.token}")
    say(f"Console: http://{settings.host}:{settings.port}/console (sign in with the key above)")
