"""Settings: the table, the environment, the flags and the checks agree with each other."""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import fields
from typing import Any

import pytest

from number_orders.config import (
    BY_NAME,
    DEFAULT_DATABASE_URL,
    SETTINGS,
    Setting,
    Settings,
    add_flags,
)
from number_orders.domain.available_numbers import Inventory

# The public names: changing one breaks deployments, scripts and the documentation.
KNOWN = {
    "database_url": ("NUMBER_ORDERS_DATABASE_URL", "--database-url", DEFAULT_DATABASE_URL),
    "host": ("NUMBER_ORDERS_HOST", "--host", "127.0.0.1"),
    "port": ("NUMBER_ORDERS_PORT", "--port", 8000),
    "workers": ("NUMBER_ORDERS_WORKERS", "--workers", 1),
    "rate_limit": ("NUMBER_ORDERS_RATE_LIMIT", "--rate-limit", 6000),
    "body_limit": ("NUMBER_ORDERS_BODY_LIMIT", "--body-limit", 1_048_576),
    "fulfilment_delay": ("NUMBER_ORDERS_FULFILMENT_DELAY", "--fulfilment-delay", 1.0),
    "deadline_days": ("NUMBER_ORDERS_DEADLINE_DAYS", "--deadline-days", 30.0),
    "run_worker": ("NUMBER_ORDERS_RUN_WORKER", "--no-worker", True),
    "demo": ("NUMBER_ORDERS_DEMO", "--no-demo", True),
    "auth_cache_seconds": ("NUMBER_ORDERS_AUTH_CACHE_SECONDS", "--auth-cache-seconds", 1.0),
    "webhook_max_attempts": ("NUMBER_ORDERS_WEBHOOK_MAX_ATTEMPTS", "--webhook-max-attempts", 12),
    "webhook_timeout": ("NUMBER_ORDERS_WEBHOOK_TIMEOUT", "--webhook-timeout", 10.0),
    "webhook_backoff_base": ("NUMBER_ORDERS_WEBHOOK_BACKOFF_BASE", "--webhook-backoff-base", 1.0),
    "webhook_backoff_cap": ("NUMBER_ORDERS_WEBHOOK_BACKOFF_CAP", "--webhook-backoff-cap", 1800.0),
    "webhook_poll_interval": (
        "NUMBER_ORDERS_WEBHOOK_POLL_INTERVAL",
        "--webhook-poll-interval",
        0.2,
    ),
    "reservation_seconds": (
        "NUMBER_ORDERS_RESERVATION_SECONDS",
        "--reservation-seconds",
        1800,
    ),
    "requirements": ("NUMBER_ORDERS_REQUIREMENTS", "--requirements", ""),
    "inventory_seed": ("NUMBER_ORDERS_INVENTORY_SEED", "--inventory-seed", "number-orders"),
    "inventory_countries": (
        "NUMBER_ORDERS_INVENTORY_COUNTRIES",
        "--inventory-countries",
        "US,CA,GB,DE,FR,NL,IE,ES,IT,SE,AU,BR,MX,JP",
    ),
    "inventory_warm": ("NUMBER_ORDERS_INVENTORY_WARM", "--cold-inventory", True),
    "head_timeout": ("NUMBER_ORDERS_HEAD_TIMEOUT", "--head-timeout", 5.0),
    "max_connections": ("NUMBER_ORDERS_MAX_CONNECTIONS", "--max-connections", 1024),
    "event_retention_days": (
        "NUMBER_ORDERS_EVENT_RETENTION_DAYS",
        "--event-retention-days",
        30.0,
    ),
    "prune_interval": ("NUMBER_ORDERS_PRUNE_INTERVAL", "--prune-interval", 600.0),
    "prune_batch": ("NUMBER_ORDERS_PRUNE_BATCH", "--prune-batch", 500),
    "webhook_account_concurrency": (
        "NUMBER_ORDERS_WEBHOOK_ACCOUNT_CONCURRENCY",
        "--webhook-account-concurrency",
        4,
    ),
    "metrics_token": ("NUMBER_ORDERS_METRICS_TOKEN", "--metrics-token", ""),
    "auth_failure_limit": ("NUMBER_ORDERS_AUTH_FAILURE_LIMIT", "--auth-failure-limit", 1000),
    "database_connections": (
        "NUMBER_ORDERS_DATABASE_CONNECTIONS",
        "--database-connections",
        64,
    ),
    "admin_token": ("NUMBER_ORDERS_ADMIN_TOKEN", "--admin-token", ""),
    "journal": ("NUMBER_ORDERS_JOURNAL", "--no-journal", True),
    "journal_limit": ("NUMBER_ORDERS_JOURNAL_LIMIT", "--journal-limit", 1000),
}

# A valid value other than the default, as text, for every setting.
OTHER = {
    "database_url": "postgresql://orders@db.internal:5433/orders",
    "host": "0.0.0.0",
    "port": "8123",
    "workers": "3",
    "rate_limit": "0",
    "body_limit": "2000",
    "fulfilment_delay": "0.35",
    "deadline_days": "0.5",
    "run_worker": "0",
    "demo": "0",
    "auth_cache_seconds": "0",
    "webhook_max_attempts": "1",
    "webhook_timeout": "2.5",
    "webhook_backoff_base": "0.05",
    "webhook_backoff_cap": "0.2",
    "webhook_poll_interval": "0.05",
    "reservation_seconds": "2",
    "requirements": "US=,GB=address+document,*=textual",
    "inventory_seed": "staging-2",
    "inventory_countries": "GB,us",
    "inventory_warm": "0",
    "head_timeout": "2.5",
    "max_connections": "0",
    "event_retention_days": "7.5",
    "prune_interval": "0",
    "prune_batch": "50",
    "webhook_account_concurrency": "0",
    "metrics_token": "metrics-secret",
    "auth_failure_limit": "0",
    "database_connections": "12",
    "admin_token": "operator-token_0123.456~789",
    "journal": "0",
    "journal_limit": "20",
}


def parser_with_every_flag() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    add_flags(parser, *BY_NAME)
    return parser


def flag_argv(setting: Setting, text: str) -> list[str]:
    if setting.kind is bool:
        assert setting.parse(text, "") != setting.default, "a flag only turns a default over"
        return [setting.option]
    return [f"{setting.option}={text}"]


def test_the_table_keeps_every_name_flag_and_default() -> None:
    assert {s.name: (s.variable, s.option, s.default) for s in SETTINGS} == KNOWN
    defaults: dict[str, Any] = {name: default for name, (_, _, default) in KNOWN.items()}
    assert Settings() == Settings(**defaults)


def test_the_table_and_the_settings_fields_are_the_same() -> None:
    described = [(f.name, f.type, f.default) for f in fields(Settings)]
    assert described == [(s.name, s.kind.__name__, s.default) for s in SETTINGS]


def test_defaults_and_every_other_value_round_trip_through_the_environment() -> None:
    assert set(OTHER) == set(BY_NAME)
    assert Settings.from_env({}) == Settings()
    assert Settings.from_env(Settings().to_env()) == Settings()
    changed = Settings.from_env({BY_NAME[n].variable: text for n, text in OTHER.items()})
    for setting in SETTINGS:
        assert getattr(changed, setting.name) != setting.default, setting.name
    assert Settings.from_env(changed.to_env()) == changed
    assert set(changed.to_env()) == {s.variable for s in SETTINGS}


def test_an_empty_variable_leaves_the_default() -> None:
    assert Settings.from_env({s.variable: "" for s in SETTINGS}) == Settings()


@pytest.mark.parametrize("name", list(BY_NAME))
def test_a_flag_and_its_variable_give_the_same_setting(name: str) -> None:
    setting = BY_NAME[name]
    from_env = Settings.from_env({setting.variable: OTHER[name]})
    args = parser_with_every_flag().parse_args(flag_argv(setting, OTHER[name]))
    assert Settings().with_args(args) == from_env
    assert getattr(from_env, name) != setting.default


def test_flags_left_out_keep_what_the_environment_set() -> None:
    environment = Settings.from_env({BY_NAME[n].variable: text for n, text in OTHER.items()})
    assert environment.with_args(parser_with_every_flag().parse_args([])) == environment
    # Other options on the same command are not settings, and are left alone.
    assert environment.with_args(argparse.Namespace(threads=4, port=None)) == environment


def violations() -> list[tuple[Setting, str, str]]:
    """(setting, text, the rule the text breaks) for every limit in the table."""
    found = []
    for s in SETTINGS:
        if s.minimum is not None:
            below = s.minimum - (1 if s.kind is int else 0.5)
            found.append((s, f"{below:g}", f"must be >= {s.minimum:g}"))
        if s.above is not None:
            found.append((s, f"{s.above:g}", f"must be > {s.above:g}"))
            found.append((s, f"{s.above - 1:g}", f"must be > {s.above:g}"))
        if s.maximum is not None:
            found.append((s, f"{s.maximum + 1:g}", f"must be <= {s.maximum:g}"))
        if s.kind is float:
            found += [(s, "nan", "must be a finite number"), (s, "inf", "must be a finite number")]
    return found


def _id(case: Any) -> str:
    return case.name if isinstance(case, Setting) else str(case)


@pytest.mark.parametrize(("setting", "text", "rule"), violations(), ids=_id)
def test_every_range_violation_names_the_variable_or_flag(
    setting: Setting, text: str, rule: str
) -> None:
    with pytest.raises(ValueError) as from_env:
        Settings.from_env({setting.variable: text})
    assert str(from_env.value) == f"{setting.variable} {rule}; got {text}"

    args = parser_with_every_flag().parse_args([f"{setting.option}={text}"])
    with pytest.raises(ValueError) as from_flag:
        Settings().with_args(args)
    assert str(from_flag.value).startswith(f"{setting.option} {rule}; got ")

    with pytest.raises(ValueError, match=f"^{setting.name} {rule}"):
        Settings(**{setting.name: setting.kind(text)})
    with pytest.raises(ValueError, match=f"^{setting.name} {rule}"):
        Settings().with_changes(**{setting.name: setting.kind(text)})


def test_the_documented_example() -> None:
    with pytest.raises(ValueError) as caught:
        Settings.from_env({"NUMBER_ORDERS_FULFILMENT_DELAY": "-1"})
    assert str(caught.value) == "NUMBER_ORDERS_FULFILMENT_DELAY must be >= 0; got -1"


@pytest.mark.parametrize(
    ("variable", "text", "message"),
    [
        ("NUMBER_ORDERS_PORT", "eighty", "NUMBER_ORDERS_PORT must be an integer; got 'eighty'"),
        ("NUMBER_ORDERS_WORKERS", "1.5", "NUMBER_ORDERS_WORKERS must be an integer; got '1.5'"),
        ("NUMBER_ORDERS_WEBHOOK_TIMEOUT", "soon", "must be a number; got 'soon'"),
        ("NUMBER_ORDERS_DEMO", "maybe", "NUMBER_ORDERS_DEMO must be one of 1, true, yes, on"),
        ("NUMBER_ORDERS_REQUIREMENTS", "GB=passport", "NUMBER_ORDERS_REQUIREMENTS: requirement"),
        ("NUMBER_ORDERS_ADMIN_TOKEN", "short-token", "NUMBER_ORDERS_ADMIN_TOKEN: must be 16 to"),
        ("NUMBER_ORDERS_ADMIN_TOKEN", "with spaces 0123456789", "A-Z, a-z, 0-9"),
        (
            "NUMBER_ORDERS_INVENTORY_COUNTRIES",
            "US,XX",
            "NUMBER_ORDERS_INVENTORY_COUNTRIES: inventory country 'XX' has no numbering plan",
        ),
        ("NUMBER_ORDERS_INVENTORY_COUNTRIES", "USA", "'USA' is not an ISO alpha-2 code"),
    ],
)
def test_text_of_the_wrong_kind_names_the_variable(variable: str, text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        Settings.from_env({variable: text})
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "value"),
    [("0", False), ("No", False), ("off", False), ("TRUE", True), ("yes", True), ("1", True)],
)
def test_booleans_read_the_usual_spellings(text: str, value: bool) -> None:
    assert Settings.from_env({"NUMBER_ORDERS_RUN_WORKER": text}).run_worker is value


def test_flags_carry_the_table_help_metavar_and_variable() -> None:
    text = parser_with_every_flag().format_help()
    for setting in SETTINGS:
        assert setting.option in text
        assert f"${setting.variable}" in text
        if setting.metavar is not None:
            assert f"{setting.option} {setting.metavar}" in text
    with pytest.raises(KeyError):
        add_flags(argparse.ArgumentParser(), "no_such_setting")


def test_only_named_flags_are_added() -> None:
    parser = argparse.ArgumentParser()
    add_flags(parser, "port", "run_worker")
    args = parser.parse_args(["--port", "9000", "--no-worker"])
    assert Settings().with_args(args) == Settings(port=9000, run_worker=False)
    with pytest.raises(SystemExit):
        parser.parse_args(["--host", "0.0.0.0"])


def test_config_imports_nothing_from_storage() -> None:
    """Settings sit above storage: a storage module takes the URL it is given."""
    probe = (
        "import sys, number_orders.config; "
        "print([m for m in sys.modules if m.startswith('number_orders.storage')])"
    )
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == "[]"


def test_webhook_settings_come_from_the_environment_and_survive_to_env() -> None:
    settings = Settings.from_env(
        {"NUMBER_ORDERS_WEBHOOK_MAX_ATTEMPTS": "3", "NUMBER_ORDERS_WEBHOOK_TIMEOUT": "2.5"}
    )
    assert (settings.webhook_max_attempts, settings.webhook_timeout) == (3, 2.5)
    assert Settings.from_env(settings.to_env()) == settings


def test_the_inventory_is_made_of_its_seed_and_countries() -> None:
    assert Settings().inventory == Inventory()
    settings = Settings.from_env(
        {"NUMBER_ORDERS_INVENTORY_SEED": "s-2", "NUMBER_ORDERS_INVENTORY_COUNTRIES": "gb, us,GB"}
    )
    assert settings.inventory == Inventory("s-2", ("GB", "US"))
