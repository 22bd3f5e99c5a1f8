"""The webhook delivery loop: claim due events from the outbox, POST them signed, record
what happened, each through the service. Any number of loops (in `serve` processes and
`worker` commands) can run against one store: a claim is a lease, so no two loops send
the same attempt.

Attempts run concurrently (up to `concurrency`), each outside any transaction; one slow
receiver holds one slot, never the loop. The HTTP transport is injectable (httpx), so a
test can put anything between the loop and the network.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import orjson

from number_orders.domain.signing import SigningKey, signature_headers
from number_orders.domain.timestamps import now_micros
from number_orders.domain.webhooks import (
    AttemptResult,
    ClaimedEvent,
    DeliveryPolicy,
    NextStep,
    envelope,
    next_step,
)
from number_orders.errors import StoreUnavailable
from number_orders.service.webhooks import Webhooks

log = logging.getLogger("number_orders.webhooks")

USER_AGENT = "number-orders-webhooks/1"
_ERROR_TEXT = 500  # characters of an error kept on the event
_ERROR_WAIT = 1.0  # seconds before recording is tried again while the store is down


@dataclass(frozen=True, slots=True)
class LoopOptions:
    concurrency: int = 16
    # Attempts one account may have in flight, over every loop together; 0: no limit.
    per_account: int = 4
    poll_interval: float = 0.2
    drain_timeout: float = 5.0


class WebhookDelivery:
    def __init__(
        self,
        service: Webhooks,
        policy: DeliveryPolicy,
        options: LoopOptions | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], int] = now_micros,
    ) -> None:
        self.service = service
        self.policy = policy
        self.options = options or LoopOptions()
        self.transport = transport
        self.rng = rng or random.Random()
        self.clock = clock
        # Finished attempts waiting to be recorded (by `_record`, in batches).
        self._outcomes: list[tuple[AttemptResult, NextStep]] = []
        self._outcome_ready = asyncio.Event()
        self._woken = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._failing = False

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set, then let attempts in flight finish (briefly)."""
        inflight: set[asyncio.Task[None]] = set()
        self._loop = asyncio.get_running_loop()
        finishing = asyncio.Event()
        recorder = asyncio.create_task(self._record(finishing))
        async with httpx.AsyncClient(
            transport=self.transport, timeout=self.policy.timeout, trust_env=False
        ) as client:
            try:
                while not stop.is_set():
                    if not await self._start_attempts(client, inflight):
                        await self._pause(stop, inflight)
            finally:
                await self._drain(inflight)
                finishing.set()
                self._outcome_ready.set()
                await recorder
                self._loop = None

    async def _record(self, finishing: asyncio.Event) -> None:
        """Write outcomes in batches: one transaction for all that finished meanwhile,
        so recording keeps up with many receivers even on SQLite's single writer."""
        while True:
            await self._outcome_ready.wait()
            self._outcome_ready.clear()
            batch, self._outcomes = self._outcomes, []
            if batch and not await self._write(batch) and not finishing.is_set():
                # Kept and retried: while the store is down nobody can take the leases.
                self._outcomes[:0] = batch
                await asyncio.sleep(_ERROR_WAIT)
                self._outcome_ready.set()
            if finishing.is_set() and not self._outcomes:
                return

    async def _write(self, batch: list[tuple[AttemptResult, NextStep]]) -> bool:
        try:
            await asyncio.to_thread(self.service.finish_webhook_attempts, batch)
        except Exception as error:
            # If never recorded, the leases run out and the events are sent again.
            log.warning("recording %d webhook attempts failed (%s)", len(batch), error)
            return False
        return True

    async def _start_attempts(
        self, client: httpx.AsyncClient, inflight: set[asyncio.Task[None]]
    ) -> int:
        free = self.options.concurrency - len(inflight)
        if free <= 0 or (inflight and free < self.options.concurrency // 2):
            # Claim in batches: one claiming transaction per half a pool of attempts.
            return 0
        try:
            events = await asyncio.to_thread(self._claim, free)
            key = await asyncio.to_thread(self._signing_key) if events else None
        except StoreUnavailable as error:
            # The store is down. Nothing is lost: at worst events claimed just now wait
            # for their lease to run out. Said once, and once more when it is back.
            if not self._failing:
                log.warning("webhook delivery: store unavailable (%s); retrying", error)
            self._failing = True
            return 0
        except Exception:
            # Not an outage: a bug or a broken row. Logged in full every time it happens,
            # and tried again a little later; the loop never stops on it.
            log.exception("webhook delivery: claiming events failed; retrying")
            await asyncio.sleep(_ERROR_WAIT)
            return 0
        if self._failing:
            log.warning("webhook delivery: store available again")
            self._failing = False
        for event in events:
            assert key is not None
            task = asyncio.create_task(self._attempt(client, key, event))
            inflight.add(task)
            task.add_done_callback(inflight.discard)
        return len(events)

    def _claim(self, limit: int) -> list[ClaimedEvent]:
        return self.service.claim_webhook_events(
            self.clock(), limit, self.policy.lease_micros, self.options.per_account
        )

    def _signing_key(self) -> SigningKey:
        # Read per claim, so a rotation applies to the next attempt in every process.
        return self.service.delivery_signing_key(self.clock())

    def wake(self) -> None:
        """Look for due events now rather than at the next poll; callable from any thread
        (the fulfilment worker calls it after settling orders in this process)."""
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has just stopped
                loop.call_soon_threadsafe(self._woken.set)

    async def _pause(self, stop: asyncio.Event, inflight: set[asyncio.Task[None]]) -> None:
        """Until the next poll, a stop, a wake-up or a free slot, whichever comes first."""
        waits = {asyncio.create_task(stop.wait()), asyncio.create_task(self._woken.wait())}
        await asyncio.wait(
            waits | inflight,
            timeout=self.options.poll_interval,
            return_when=asyncio.FIRST_COMPLETED,
        )
        self._woken.clear()
        for task in waits:
            task.cancel()

    async def _drain(self, inflight: set[asyncio.Task[None]]) -> None:
        if not inflight:
            return
        _done, pending = await asyncio.wait(set(inflight), timeout=self.options.drain_timeout)
        for task in pending:
            # Its lease expires and another loop takes the event again, as the next attempt.
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def deliver_due(self) -> int:
        """Attempt each event due now once, record the outcomes, and say how many there
        were: what the loop does continuously, once and to the end (the sandbox's drain)."""
        async with httpx.AsyncClient(
            transport=self.transport, timeout=self.policy.timeout, trust_env=False
        ) as client:
            events = await asyncio.to_thread(self._claim, self.options.concurrency)
            if not events:
                return 0
            key = await asyncio.to_thread(self._signing_key)
            outcomes = await asyncio.gather(*(self._try(client, key, e) for e in events))
        await asyncio.to_thread(self.service.finish_webhook_attempts, list(outcomes))
        return len(events)

    async def _attempt(
        self, client: httpx.AsyncClient, key: SigningKey, event: ClaimedEvent
    ) -> None:
        self._outcomes.append(await self._try(client, key, event))
        self._outcome_ready.set()

    async def _try(
        self, client: httpx.AsyncClient, key: SigningKey, event: ClaimedEvent
    ) -> tuple[AttemptResult, NextStep]:
        body = orjson.dumps(envelope(event))
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            # The wall clock, not the sandbox's: receivers check it against their own.
            **signature_headers(key, int(time.time()), body),
        }
        started, clock = self.clock(), time.perf_counter()
        status, error = await self._post(client, event.url, body, headers)
        duration = int((time.perf_counter() - clock) * 1_000_000)
        result = AttemptResult(event, key.key_id, started, duration, status, error)
        step = next_step(result, self.policy, self.clock(), self.rng)
        log.debug(
            "webhook %s attempt %d to %s: %s in %.1f ms -> %s",
            event.id,
            event.attempt,
            event.url,
            status if status is not None else error,
            duration / 1000,
            step.status,
        )
        return result, step

    async def _post(
        self, client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int | None, str | None]:
        try:
            # The whole attempt is bounded, not just each read, so a receiver that drips
            # bytes cannot hold it past its lease.
            async with asyncio.timeout(self.policy.timeout):
                # Streamed and never read: only the status matters, whatever the body's size.
                async with client.stream("POST", url, content=body, headers=headers) as response:
                    status = response.status_code
        except TimeoutError:
            return None, f"TimeoutError: no answer within {self.policy.timeout:g} s"
        except Exception as exc:  # any failure is a failed attempt, to be retried
            return None, (f"{type(exc).__name__}: {exc}".rstrip(": "))[:_ERROR_TEXT]
        return status, None if 200 <= status < 300 else f"HTTP {status}"
