"""Settings: one table (`SETTINGS`) names each setting, its environment variable, type,
default, allowed values and help text, and drives everything else here: reading the
environment (`Settings.from_env`), writing it for child processes (`Settings.to_env`),
the checks, and the command-line flags (`add_flags`, `Settings.with_args`).

Nothing is read at import time. A value comes from, in rising precedence: the table's
default, the environment variable, the command-line flag.

A command offers flags for the settings it uses, then applies what was given::

    parser = argparse.ArgumentParser()
    add_flags(parser, "database_url", "host", "port", "run_worker")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env(os.environ).with_args(args)
    except ValueError as error:  # names the variable or flag and what it allows
        print(f"invalid configuration: {error}", file=sys.stderr)
        return 2

A flag left out of the command line leaves the setting as the environment had it; flags
of other names on the same parser are ignored by `with_args`.
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from number_orders.domain.available_numbers import (
    DEFAULT_SEED,
    SUPPORTED_COUNTRIES,
    Inventory,
    parse_countries,
)
from number_orders.domain.number_reservations import RESERVATION_SECONDS
from number_orders.domain.regulatory import RequirementRules
from number_orders.domain.requirements_status import DEADLINE_DAYS

# Relative to the working directory, as `make run` and a first `serve` expect.
DEFAULT_DATABASE_URL = "sqlite:///var/number-orders.sqlite3"
_FALSE = ("0", "false", "no", "off")
_TRUE = ("1", "true", "yes", "on")


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting. `minimum` is inclusive, `above` exclusive; `rule` raises ValueError
    for a text the setting refuses; a boolean that is on by default has a `--no-name`
    flag, which turns it off; `flag` overrides the flag's spelling."""

    name: str
    variable: str
    kind: type
    default: Any
    help: str
    minimum: float | None = None
    above: float | None = None
    maximum: float | None = None
    rule: Callable[[str], object] | None = None
    metavar: str | None = None
    flag: str | None = None

    @property
    def option(self) -> str:
        if self.flag is not None:
            return self.flag
        turns_off = self.kind is bool and self.default
        return ("--no-" if turns_off else "--") + self.name.replace("_", "-")

    @property
    def choices(self) -> tuple[str, ...] | None:
        return (*_TRUE, *_FALSE) if self.kind is bool else None

    def parse(self, text: str, label: str) -> Any:
        """The value `text` stands for, checked; ValueError names `label` and the rule."""
        if self.kind is bool:
            lowered = text.strip().lower()
            if lowered not in _TRUE + _FALSE:
                allowed = ", ".join(self.choices or ())
                raise ValueError(f"{label} must be one of {allowed}; got {text!r}")
            return lowered in _TRUE
        try:
            value = self.kind(text)
        except ValueError:
            noun = "an integer" if self.kind is int else "a number"
            raise ValueError(f"{label} must be {noun}; got {text!r}") from None
        self.check(value, label, text)
        return value

    def check(self, value: Any, label: str, given: str | None = None) -> None:
        """Raise ValueError, naming `label`, if `value` is outside what the setting allows."""
        problem = self._range_problem(value)
        if problem is not None:
            raise ValueError(f"{label} {problem}; got {given or _shown(value)}")
        if self.rule is not None:
            try:
                self.rule(value)
            except ValueError as error:
                raise ValueError(f"{label}: {error}") from None

    def _range_problem(self, value: Any) -> str | None:
        if self.kind is float and not math.isfinite(value):
            return "must be a finite number"
        if self.minimum is not None and not value >= self.minimum:
            return f"must be >= {self.minimum:g}"
        if self.above is not None and not value > self.above:
            return f"must be > {self.above:g}"
        if self.maximum is not None and not value <= self.maximum:
            return f"must be <= {self.maximum:g}"
        return None

    def text(self, value: Any) -> str:
        """`value` as the environment carries it; `parse` reads it back unchanged."""
        if self.kind is bool:
            return "1" if value else "0"
        return str(value)  # a float's str is its shortest exact form


def _shown(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


_ADMIN_TOKEN = re.compile(r"[A-Za-z0-9._~-]{16,256}", re.ASCII)


def _check_admin_token(token: str) -> None:
    # URL-safe characters only: the token goes into headers and, redacted, is searched
    # for in journal text.
    if token and not _ADMIN_TOKEN.fullmatch(token):
        raise ValueError("must be 16 to 256 characters of A-Z, a-z, 0-9, '.', '_', '~' or '-'")


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "database_url",
        "NUMBER_ORDERS_DATABASE_URL",
        str,
        DEFAULT_DATABASE_URL,
        "sqlite:///PATH or postgresql://USER@HOST:PORT/DB",
        metavar="URL",
    ),
    Setting("host", "NUMBER_ORDERS_HOST", str, "127.0.0.1", "address to listen on"),
    Setting("port", "NUMBER_ORDERS_PORT", int, 8000, "port to listen on", minimum=0, maximum=65535),
    Setting("workers", "NUMBER_ORDERS_WORKERS", int, 1, "server processes", minimum=1, metavar="N"),
    Setting(
        "rate_limit",
        "NUMBER_ORDERS_RATE_LIMIT",
        int,
        6_000,  # as the contract sets
        "requests per minute per API key; 0: off",
        minimum=0,
        metavar="PER_MINUTE",
    ),
    Setting(
        "body_limit",
        "NUMBER_ORDERS_BODY_LIMIT",
        int,
        1_048_576,
        "largest request body in bytes",
        minimum=1,
        metavar="BYTES",
    ),
    Setting(
        "fulfilment_delay",
        "NUMBER_ORDERS_FULFILMENT_DELAY",
        float,
        1.0,
        "how long an order (or a submitted requirement group) waits for the worker",
        minimum=0,
        metavar="SECONDS",
    ),
    Setting(
        "deadline_days",
        "NUMBER_ORDERS_DEADLINE_DAYS",
        float,
        DEADLINE_DAYS,
        "days a pending number waits for approved requirements before it fails",
        above=0,
        maximum=36_500,
        metavar="DAYS",
    ),
    Setting(
        "run_worker",
        "NUMBER_ORDERS_RUN_WORKER",
        bool,
        True,
        "background work (fulfilment, webhooks) in the server processes",
        flag="--no-worker",
    ),
    Setting(
        "demo",
        "NUMBER_ORDERS_DEMO",
        bool,
        True,
        "demo account and orders on the first start of the default database",
    ),
    # A key that passed authentication is trusted this long without a lookup (see
    # `service.RecentKeys`).
    Setting(
        "auth_cache_seconds",
        "NUMBER_ORDERS_AUTH_CACHE_SECONDS",
        float,
        1.0,
        "how long an authenticated key is trusted without a lookup; 0: look up every time",
        minimum=0,
        metavar="SECONDS",
    ),
    # Webhook delivery: attempts per round, seconds per attempt, and the backoff curve
    # (attempt n waits up to min(cap, base * 2^(n-1)) seconds, uniformly at random).
    Setting(
        "webhook_max_attempts",
        "NUMBER_ORDERS_WEBHOOK_MAX_ATTEMPTS",
        int,
        12,
        "attempts per event before it is kept as dead",
        minimum=1,
        metavar="N",
    ),
    Setting(
        "webhook_timeout",
        "NUMBER_ORDERS_WEBHOOK_TIMEOUT",
        float,
        10.0,
        "seconds a webhook receiver has to answer an attempt",
        above=0,
        metavar="SECONDS",
    ),
    Setting(
        "webhook_backoff_base",
        "NUMBER_ORDERS_WEBHOOK_BACKOFF_BASE",
        float,
        1.0,
        "longest wait in seconds before the second attempt, doubling for each after it",
        minimum=0,
        metavar="SECONDS",
    ),
    Setting(
        "webhook_backoff_cap",
        "NUMBER_ORDERS_WEBHOOK_BACKOFF_CAP",
        float,
        1800.0,
        "longest wait in seconds between two attempts",
        minimum=0,
        metavar="SECONDS",
    ),
    Setting(
        "webhook_poll_interval",
        "NUMBER_ORDERS_WEBHOOK_POLL_INTERVAL",
        float,
        0.2,
        "seconds between looks for due webhook events",
        above=0,
        metavar="SECONDS",
    ),
    Setting(
        "reservation_seconds",
        "NUMBER_ORDERS_RESERVATION_SECONDS",
        int,
        RESERVATION_SECONDS,
        "how long a number reservation (and each extension of it) holds its numbers",
        minimum=1,
        metavar="SECONDS",
    ),
    # Regulatory requirements per country; empty: the defaults (`RequirementRules`).
    Setting(
        "requirements",
        "NUMBER_ORDERS_REQUIREMENTS",
        str,
        "",
        "the fields each country needs, e.g. US=,GB=address+document,*=address",
        rule=RequirementRules.parse,
        metavar="RULES",
    ),
    # The number search's inventory: the seed draws which numbers are on offer, the
    # countries say where (`domain.available_numbers.Inventory`).
    Setting(
        "inventory_seed",
        "NUMBER_ORDERS_INVENTORY_SEED",
        str,
        DEFAULT_SEED,
        "seed of the numbers the search offers; another seed offers other numbers",
        metavar="TEXT",
    ),
    Setting(
        "inventory_countries",
        "NUMBER_ORDERS_INVENTORY_COUNTRIES",
        str,
        ",".join(SUPPORTED_COUNTRIES),
        "countries whose numbers the search offers (ISO alpha-2 codes, comma-separated)",
        rule=parse_countries,
        metavar="CODES",
    ),
    Setting(
        "inventory_warm",
        "NUMBER_ORDERS_INVENTORY_WARM",
        bool,
        True,
        "build every country's search catalogue at start, on a thread, so no first search "
        "waits seconds for it",
        flag="--cold-inventory",
    ),
    # -- limits against hostile or unlucky load (see docs/ARCHITECTURE.md) ------------------
    Setting(
        "head_timeout",
        "NUMBER_ORDERS_HEAD_TIMEOUT",
        float,
        5.0,
        "seconds a connection has, from its start or its last response, to send a whole "
        "request head (also how long an idle kept-alive connection stays open)",
        above=0,
        metavar="SECONDS",
    ),
    Setting(
        "max_connections",
        "NUMBER_ORDERS_MAX_CONNECTIONS",
        int,
        1024,
        "open connections per server process; past it a request is a 503; 0: no limit",
        minimum=0,
        metavar="N",
    ),
    # Retention, applied by the background worker every `prune_interval` seconds (`prune`
    # does it on demand) in transactions of at most `prune_batch` rows.
    Setting(
        "event_retention_days",
        "NUMBER_ORDERS_EVENT_RETENTION_DAYS",
        float,
        30.0,
        "days delivered and dead webhook events (with their attempts) are kept; 0: forever",
        minimum=0,
        metavar="DAYS",
    ),
    Setting(
        "prune_interval",
        "NUMBER_ORDERS_PRUNE_INTERVAL",
        float,
        600.0,
        "seconds between the worker's pruning rounds; 0: never",
        minimum=0,
        metavar="SECONDS",
    ),
    Setting(
        "prune_batch",
        "NUMBER_ORDERS_PRUNE_BATCH",
        int,
        500,
        "most rows one pruning transaction deletes",
        minimum=1,
        metavar="ROWS",
    ),
    Setting(
        "webhook_account_concurrency",
        "NUMBER_ORDERS_WEBHOOK_ACCOUNT_CONCURRENCY",
        int,
        4,
        "webhook attempts one account may have in flight over every delivery loop; 0: no limit",
        minimum=0,
        metavar="N",
    ),
    Setting(
        "metrics_token",
        "NUMBER_ORDERS_METRICS_TOKEN",
        str,
        "",
        "when set, /metrics answers only 'Authorization: Bearer <this token>'",
        metavar="TOKEN",
    ),
    Setting(
        "auth_failure_limit",
        "NUMBER_ORDERS_AUTH_FAILURE_LIMIT",
        int,
        1000,
        "failed authentications one client address may make per minute and process before "
        "it is answered 429 (a valid key always passes); 0: no limit",
        minimum=0,
        metavar="PER_MINUTE",
    ),
    Setting(
        "database_connections",
        "NUMBER_ORDERS_DATABASE_CONNECTIONS",
        int,
        64,
        "PostgreSQL connections all processes of one serve may open together",
        minimum=1,
        metavar="N",
    ),
    # The sandbox (`/_sandbox`): on when an operator token is set, off (and free) without.
    Setting(
        "admin_token",
        "NUMBER_ORDERS_ADMIN_TOKEN",
        str,
        "",
        "operator token for the /_sandbox control API; empty: no sandbox",
        rule=_check_admin_token,
        metavar="TOKEN",
    ),
    Setting(
        "journal",
        "NUMBER_ORDERS_JOURNAL",
        bool,
        True,
        "the request journal of the sandbox (GET /_sandbox/requests)",
    ),
    Setting(
        "journal_limit",
        "NUMBER_ORDERS_JOURNAL_LIMIT",
        int,
        1_000,
        "journal entries kept per account",
        minimum=1,
        maximum=100_000,
        metavar="N",
    ),
)
BY_NAME = {s.name: s for s in SETTINGS}


def _default(name: str) -> Any:
    return BY_NAME[name].default


@dataclass(frozen=True, slots=True)
class Settings:
    """One field per entry of `SETTINGS`, in its order, with its default."""

    database_url: str = _default("database_url")
    host: str = _default("host")
    port: int = _default("port")
    workers: int = _default("workers")
    rate_limit: int = _default("rate_limit")
    body_limit: int = _default("body_limit")
    fulfilment_delay: float = _default("fulfilment_delay")
    deadline_days: float = _default("deadline_days")
    run_worker: bool = _default("run_worker")
    demo: bool = _default("demo")
    auth_cache_seconds: float = _default("auth_cache_seconds")
    webhook_max_attempts: int = _default("webhook_max_attempts")
    webhook_timeout: float = _default("webhook_timeout")
    webhook_backoff_base: float = _default("webhook_backoff_base")
    webhook_backoff_cap: float = _default("webhook_backoff_cap")
    webhook_poll_interval: float = _default("webhook_poll_interval")
    reservation_seconds: int = _default("reservation_seconds")
    requirements: str = _default("requirements")
    inventory_seed: str = _default("inventory_seed")
    inventory_countries: str = _default("inventory_countries")
    inventory_warm: bool = _default("inventory_warm")
    head_timeout: float = _default("head_timeout")
    max_connections: int = _default("max_connections")
    event_retention_days: float = _default("event_retention_days")
    prune_interval: float = _default("prune_interval")
    prune_batch: int = _default("prune_batch")
    webhook_account_concurrency: int = _default("webhook_account_concurrency")
    metrics_token: str = _default("metrics_token")
    auth_failure_limit: int = _default("auth_failure_limit")
    database_connections: int = _default("database_connections")
    admin_token: str = _default("admin_token")
    journal: bool = _default("journal")
    journal_limit: int = _default("journal_limit")

    def __post_init__(self) -> None:
        # Settings built in code get the same checks as those read from outside.
        for setting in SETTINGS:
            setting.check(getattr(self, setting.name), setting.name)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """An unset or empty variable leaves its default; a bad one is a ValueError that
        names it (a bad requirement rule stops the start, with its reason)."""
        values = {}
        for setting in SETTINGS:
            raw = environ.get(setting.variable)
            if raw not in (None, ""):
                values[setting.name] = setting.parse(raw, setting.variable)
        return cls(**values)

    def with_args(self, args: argparse.Namespace) -> Settings:
        """These settings with the flags `add_flags` added and the command line gave."""
        changes = {}
        for setting in SETTINGS:
            value = getattr(args, setting.name, None)
            if value is not None:
                setting.check(value, setting.option)
                changes[setting.name] = value
        return replace(self, **changes)

    def with_changes(self, **changes: Any) -> Settings:
        """These settings with the given fields changed; None leaves a field as it is."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def to_env(self) -> dict[str, str]:
        """The environment that makes `from_env` rebuild these settings in a child process."""
        return {s.variable: s.text(getattr(self, s.name)) for s in SETTINGS}

    @property
    def requirement_rules(self) -> RequirementRules:
        return RequirementRules.parse(self.requirements)

    @property
    def inventory(self) -> Inventory:
        return Inventory(self.inventory_seed, parse_countries(self.inventory_countries))


def add_flags(parser: argparse.ArgumentParser, *names: str) -> None:
    """Add a flag to `parser` for each named setting (see the module's docstring).

    A flag that is not given parses as None, so `Settings.with_args` keeps the value the
    environment set. A boolean that is on by default gets a flag that turns it off.
    """
    for name in names:
        setting = BY_NAME[name]
        if setting.kind is bool:
            parser.add_argument(
                setting.option,
                dest=setting.name,
                action="store_const",
                const=not setting.default,
                help=f"{'no ' if setting.default else ''}{setting.help} ("
                f"{'on' if setting.default else 'off'} unless "
                f"${setting.variable}={setting.text(not setting.default)})",
            )
        else:
            fallback = setting.text(setting.default) or "none"
            parser.add_argument(
                setting.option,
                dest=setting.name,
                type=setting.kind,
                metavar=setting.metavar,
                help=f"{setting.help} (default: ${setting.variable}, else {fallback})",
            )
