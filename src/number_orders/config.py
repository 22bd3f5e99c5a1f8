"""Settings, read from an explicit mapping (normally `os.environ`), never at import time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from number_orders.domain.regulatory import RequirementRules
from number_orders.storage.database import default_url

DEFAULT_RATE_LIMIT = 6_000  # requests per minute per key, as the contract sets
DEFAULT_BODY_LIMIT = 1_048_576


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    rate_limit: int = DEFAULT_RATE_LIMIT
    body_limit: int = DEFAULT_BODY_LIMIT
    fulfilment_delay: float = 1.0
    run_worker: bool = True
    demo: bool = True
    # How long a key that passed authentication is trusted without a lookup (see
    # `service.RecentKeys`); 0 looks every key up on every request.
    auth_cache_seconds: float = 1.0
    # Webhook delivery: attempts per round, seconds per attempt, and the backoff curve
    # (attempt n waits up to min(cap, base * 2^(n-1)) seconds, uniformly at random).
    webhook_max_attempts: int = 12
    webhook_timeout: float = 10.0
    webhook_backoff_base: float = 1.0
    webhook_backoff_cap: float = 1800.0
    webhook_poll_interval: float = 0.2
    # Regulatory requirements per country, `RequirementRules.parse` format; "" = defaults.
    requirements: str = ""
    # -- limits against hostile or unlucky load (see docs/ARCHITECTURE.md) ------------------
    # Seconds a connection has, from its start or its last response, to send a whole
    # request head (also how long an idle kept-alive connection stays open).
    head_timeout: float = 5.0
    # Open connections per server process; past it a request is a 503. 0: no limit.
    max_connections: int = 1024
    # Retention, applied by the background worker every `prune_interval` seconds (0: never;
    # `prune` does it on demand) in transactions of at most `prune_batch` rows: delivered
    # and dead webhook events (with their attempts) older than `event_retention_days`
    # (0: kept forever), tally rows counting zero, and expired idempotency keys.
    event_retention_days: float = 30.0
    prune_interval: float = 600.0
    prune_batch: int = 500
    # Webhook attempts one account may have in flight over every delivery loop (0: no limit).
    webhook_account_concurrency: int = 4
    # When set, `/metrics` answers only `Authorization: Bearer <this token>`.
    metrics_token: str = ""
    # Failed authentications one client address may make per minute and process before it
    # is answered 429 (a valid key always passes). 0: no limit.
    auth_failure_limit: int = 1000
    # PostgreSQL connections all processes of one `serve` may open together; each process
    # takes an equal share, split between its two pools.
    database_connections: int = 64

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        def get(name: str, default: Any, kind: type = str) -> Any:
            raw = environ.get(f"NUMBER_ORDERS_{name}")
            return default if raw in (None, "") else kind(raw)

        requirements = get("REQUIREMENTS", "")
        RequirementRules.parse(requirements)  # a bad rule stops the start, with its reason
        return cls(
            database_url=get("DATABASE_URL", default_url()),
            host=get("HOST", "127.0.0.1"),
            port=get("PORT", 8000, int),
            workers=get("WORKERS", 1, int),
            rate_limit=get("RATE_LIMIT", DEFAULT_RATE_LIMIT, int),
            body_limit=get("BODY_LIMIT", DEFAULT_BODY_LIMIT, int),
            fulfilment_delay=get("FULFILMENT_DELAY", 1.0, float),
            run_worker=get("RUN_WORKER", "1") not in ("0", "false", "no"),
            demo=get("DEMO", "1") not in ("0", "false", "no"),
            auth_cache_seconds=get("AUTH_CACHE_SECONDS", 1.0, float),
            webhook_max_attempts=get("WEBHOOK_MAX_ATTEMPTS", 12, int),
            webhook_timeout=get("WEBHOOK_TIMEOUT", 10.0, float),
            webhook_backoff_base=get("WEBHOOK_BACKOFF_BASE", 1.0, float),
            webhook_backoff_cap=get("WEBHOOK_BACKOFF_CAP", 1800.0, float),
            webhook_poll_interval=get("WEBHOOK_POLL_INTERVAL", 0.2, float),
            requirements=requirements,
            # -- limits against hostile or unlucky load
            head_timeout=get("HEAD_TIMEOUT", 5.0, float),
            max_connections=get("MAX_CONNECTIONS", 1024, int),
            event_retention_days=get("EVENT_RETENTION_DAYS", 30.0, float),
            prune_interval=get("PRUNE_INTERVAL", 600.0, float),
            prune_batch=get("PRUNE_BATCH", 500, int),
            webhook_account_concurrency=get("WEBHOOK_ACCOUNT_CONCURRENCY", 4, int),
            metrics_token=get("METRICS_TOKEN", ""),
            auth_failure_limit=get("AUTH_FAILURE_LIMIT", 1000, int),
            database_connections=get("DATABASE_CONNECTIONS", 64, int),
        )

    @property
    def requirement_rules(self) -> RequirementRules:
        return RequirementRules.parse(self.requirements)

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def to_env(self) -> dict[str, str]:
        """The environment that makes `from_env` rebuild these settings in a child process."""
        return {
            "NUMBER_ORDERS_DATABASE_URL": self.database_url,
            "NUMBER_ORDERS_HOST": self.host,
            "NUMBER_ORDERS_PORT": str(self.port),
            "NUMBER_ORDERS_WORKERS": str(self.workers),
            "NUMBER_ORDERS_RATE_LIMIT": str(self.rate_limit),
            "NUMBER_ORDERS_BODY_LIMIT": str(self.body_limit),
            "NUMBER_ORDERS_FULFILMENT_DELAY": str(self.fulfilment_delay),
            "NUMBER_ORDERS_RUN_WORKER": "1" if self.run_worker else "0",
            "NUMBER_ORDERS_DEMO": "1" if self.demo else "0",
            "NUMBER_ORDERS_AUTH_CACHE_SECONDS": str(self.auth_cache_seconds),
            "NUMBER_ORDERS_WEBHOOK_MAX_ATTEMPTS": str(self.webhook_max_attempts),
            "NUMBER_ORDERS_WEBHOOK_TIMEOUT": str(self.webhook_timeout),
            "NUMBER_ORDERS_WEBHOOK_BACKOFF_BASE": str(self.webhook_backoff_base),
            "NUMBER_ORDERS_WEBHOOK_BACKOFF_CAP": str(self.webhook_backoff_cap),
            "NUMBER_ORDERS_WEBHOOK_POLL_INTERVAL": str(self.webhook_poll_interval),
            "NUMBER_ORDERS_REQUIREMENTS": self.requirements,
            # -- limits against hostile or unlucky load
            "NUMBER_ORDERS_HEAD_TIMEOUT": str(self.head_timeout),
            "NUMBER_ORDERS_MAX_CONNECTIONS": str(self.max_connections),
            "NUMBER_ORDERS_EVENT_RETENTION_DAYS": str(self.event_retention_days),
            "NUMBER_ORDERS_PRUNE_INTERVAL": str(self.prune_interval),
            "NUMBER_ORDERS_PRUNE_BATCH": str(self.prune_batch),
            "NUMBER_ORDERS_WEBHOOK_ACCOUNT_CONCURRENCY": str(self.webhook_account_concurrency),
            "NUMBER_ORDERS_METRICS_TOKEN": self.metrics_token,
            "NUMBER_ORDERS_AUTH_FAILURE_LIMIT": str(self.auth_failure_limit),
            "NUMBER_ORDERS_DATABASE_CONNECTIONS": str(self.database_connections),
        }
