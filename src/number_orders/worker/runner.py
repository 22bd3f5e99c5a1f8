"""Background work, run beside the HTTP server (`serve`, via the app's lifespan) or on its
own (`number-orders worker`): the step threads, the pruner, and the webhook delivery loop
on a thread with an event loop of its own, so none competes with request handling."""

from __future__ import annotations

import asyncio
import logging
import threading

import httpx

from number_orders.config import Settings
from number_orders.domain.sandbox import Drained
from number_orders.domain.webhooks import DeliveryPolicy
from number_orders.service import NumberOrdersService, Store
from number_orders.service.webhooks import Webhooks
from number_orders.worker.delivery import LoopOptions, WebhookDelivery
from number_orders.worker.retention import Pruner
from number_orders.worker.steps import STEPS, Step, Work, drain
from number_orders.worker.threads import StepWorker, WorkerThreads

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
    """A delivery loop with a service of its own over `store`."""
    return _delivery(settings, NumberOrdersService(store), transport)


def _delivery(
    settings: Settings, service: Webhooks, transport: httpx.AsyncBaseTransport | None
) -> WebhookDelivery:
    options = LoopOptions(
        per_account=settings.webhook_account_concurrency,
        poll_interval=settings.webhook_poll_interval,
    )
    return WebhookDelivery(service, delivery_policy(settings), options, transport=transport)


class DeliveryThread:
    """A webhook delivery loop on a thread of its own."""

    def __init__(self, delivery: WebhookDelivery) -> None:
        self.delivery = delivery
        self._loop = asyncio.new_event_loop()
        self._stop = asyncio.Event()
        self._thread = threading.Thread(target=self._run, name="webhook-delivery", daemon=True)

    def start(self) -> DeliveryThread:
        self._thread.start()
        return self

    def stop(self, timeout: float = 15.0) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(timeout)

    def _run(self) -> None:
        try:
            self._loop.run_until_complete(self._main())
        finally:
            self._loop.close()

    async def _main(self) -> None:
        # The signing key exists before the first event can be sent ("generated on first
        # start"); if the store is down now, the loop makes it on its first claim instead.
        try:
            await asyncio.to_thread(self.delivery.service.ensure_signing_key)
        except Exception as error:
            log.warning("could not make sure a webhook signing key exists yet (%s)", error)
        await self.delivery.run(self._stop)


class Background:
    """The registry's steps (`steps.STEPS`): those without a loop of their own on step
    threads; webhook delivery and retention on their own threads. Work done on the step
    threads wakes the delivery loop, so a settled order's event goes out at once rather
    than at its next poll."""

    def __init__(
        self,
        settings: Settings,
        service: NumberOrdersService,
        fulfilment_threads: int = 1,
        webhook_transport: httpx.AsyncBaseTransport | None = None,
        steps: tuple[Step, ...] = STEPS,
    ) -> None:
        delivery = _delivery(settings, service, webhook_transport)
        self.delivery = DeliveryThread(delivery)
        work = Work(service, delivery, settings)
        self.steps = WorkerThreads(
            [StepWorker(work, steps, on_work=delivery.wake) for _ in range(fulfilment_threads)]
        )
        self.pruner = Pruner(service, settings)

    def start(self) -> Background:
        self.delivery.start()
        self.steps.start()
        self.pruner.start()
        return self

    def stop(self) -> None:
        self.pruner.stop()
        self.steps.stop()
        self.delivery.stop()

    def wake(self) -> None:
        """New orders are due: look now (the service calls this after a create/update)."""
        self.steps.wake()


def drain_now(
    settings: Settings,
    service: NumberOrdersService,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Drained:
    """Every step, run until nothing is due (the sandbox's drain), in this thread."""
    return drain(Work(service, _delivery(settings, service, transport), settings))
