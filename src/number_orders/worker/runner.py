"""Background work as one coroutine, run beside the HTTP server (`serve`, via the app's
lifespan) or on its own (`number-orders worker`)."""

from __future__ import annotations

import asyncio
import logging
import signal

import httpx

from number_orders.config import Settings
from number_orders.domain.webhooks import DeliveryPolicy
from number_orders.service import NumberOrdersService
from number_orders.storage import Store
from number_orders.worker.delivery import LoopOptions, WebhookDelivery

log = logging.getLogger("number_orders.worker")


def delivery_policy(settings: Settings) -> DeliveryPolicy:
    return DeliveryPolicy(
        max_attempts=settings.webhook_max_attempts,
        timeout=settings.webhook_timeout,
        backoff_base=settings.webhook_backoff_base,
        backoff_cap=settings.webhook_backoff_cap,
    )


def webhook_delivery(
    settings: Settings, store: Store, transport: httpx.AsyncBaseTransport | None = None
) -> WebhookDelivery:
    options = LoopOptions(poll_interval=settings.webhook_poll_interval)
    return WebhookDelivery(store, delivery_policy(settings), options, transport=transport)


async def run_background(
    settings: Settings,
    store: Store,
    stop: asyncio.Event,
    transport: httpx.AsyncBaseTransport | None = None,
) -> None:
    # The signing key exists before the first event can be sent ("generated on first start");
    # if the store is down now, the delivery loop makes it on its first claim instead.
    try:
        await asyncio.to_thread(NumberOrdersService(store).ensure_signing_key)
    except Exception:
        log.exception("could not make sure a webhook signing key exists; will retry")
    await webhook_delivery(settings, store, transport).run(stop)


def run_worker(settings: Settings, store: Store) -> None:
    """`number-orders worker`: background work until SIGINT or SIGTERM."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await run_background(settings, store, stop)

    asyncio.run(main())
