"""The first-start experience: an empty default store gets a demo account and data; and
on the default store the sandbox's admin token is shown, for `make run`, which makes a
new one each start."""

from __future__ import annotations

from collections.abc import Callable

from number_orders.config import Settings
from number_orders.seed.factory import OrderFactory
from number_orders.service import NumberOrdersService

DEMO_ACCOUNT = "demo"
DEMO_ORDERS = 300


def prepare_demo(
    service: NumberOrdersService,
    settings: Settings,
    say: Callable[[str], None],
    *,
    default_store: bool,
) -> None:
    """`default_store`: the service's store is the embedded file used when no URL is given
    (only a first start there gets a demo, never a store someone pointed at)."""
    if not settings.demo or not default_store:
        return
    if not service.count_accounts():
        _create_demo(service, settings, say)
    if settings.admin_token:
        # An assignment, ready for the shell of a test suite or a `curl` of /_sandbox.
        say(f"NUMBER_ORDERS_ADMIN_TOKEN={settings.admin_token}")


def _create_demo(
    service: NumberOrdersService, settings: Settings, say: Callable[[str], None]
) -> None:
    issued = service.create_api_key(DEMO_ACCOUNT)
    service.insert_number_orders(
        issued.account.account_id, OrderFactory(seed=1).orders(DEMO_ORDERS)
    )
    base = f"http://{settings.host}:{settings.port}/v2"
    say(f"Created account '{DEMO_ACCOUNT}' with {DEMO_ORDERS} demo orders.")
    say(f"Demo API key (shown once): {issued.token}")
    say(f"  curl -g -H 'Authorization: Bearer {issued.token}' '{base}/number_orders?page[size]=2'")
    say(f"  export TELNYX_BASE_URL={base} TELNYX_API_KEY={issued.token}")
    say(f"  curl -g -H 'Authorization: Bearer {issued.token}' '{base}/phone_numbers?page[size]=2'")
    say(f"Console: http://{settings.host}:{settings.port}/console (sign in with the key above)")
