"""`accounts`, `webhooks` and `events` commands on both engines: in this process through
`cli.main` (a CLI process costs seconds of imports), and once as a separate process."""

from __future__ import annotations

import base64
import subprocess
from typing import Any

import pytest

from number_orders import cli
from number_orders.server import open_store
from tests.outbox_helpers import orders, settle
from tests.test_cli import run as run_process


@pytest.fixture(autouse=True)
def _capture(capsys: pytest.CaptureFixture[str]) -> None:
    global _capsys
    _capsys = capsys


_capsys: Any = None


def run(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    """`number-orders ARGS --database-url URL`, run in this process."""
    _capsys.readouterr()
    code = cli.main([*args, "--database-url", url])
    out, err = _capsys.readouterr()
    return subprocess.CompletedProcess(list(args), code, out, err)


def last_line(text: str) -> str:
    return text.rstrip("\n").splitlines()[-1]


def test_set_and_show_an_accounts_webhook(database_url: str) -> None:
    assert (
        run("accounts", "set-webhook", "acme", "https://x.test/h", url=database_url).returncode == 1
    )
    assert run("keys", "create", "--account", "acme", url=database_url).returncode == 0
    refused = run("accounts", "set-webhook", "acme", "ftp://x.test/h", url=database_url)
    assert refused.returncode == 1 and "http:// or https://" in refused.stderr
    accepted = run("accounts", "set-webhook", "acme", "https://x.test/h", url=database_url)
    assert accepted.returncode == 0, accepted.stderr
    shown = run("accounts", "show", "acme", url=database_url)
    assert "https://x.test/h" in shown.stdout and "pending 0" in shown.stdout
    assert run("accounts", "clear-webhook", "acme", url=database_url).returncode == 0
    assert "(none)" in run("accounts", "show", "acme", url=database_url).stdout
    assert run("accounts", "show", "nobody", url=database_url).returncode == 1


def test_public_key_is_stable_until_rotated_and_old_keys_are_listed(database_url: str) -> None:
    first = last_line(run("webhooks", "public-key", url=database_url).stdout)
    assert len(base64.b64decode(first, validate=True)) == 32
    assert last_line(run("webhooks", "public-key", url=database_url).stdout) == first
    rotated = run("webhooks", "rotate-key", url=database_url)
    assert rotated.returncode == 0, rotated.stderr
    second = last_line(rotated.stdout)
    assert second != first
    assert last_line(run("webhooks", "public-key", url=database_url).stdout) == second
    listed = run("webhooks", "public-key", "--all", url=database_url).stdout
    assert first in listed and second in listed and "retired" in listed


def test_events_list_show_and_redeliver(database_url: str) -> None:
    store = open_store(database_url)
    try:
        account_id = store.ensure_account("acme").account_id
        event_id = settle(store, account_id, orders(store, account_id, 1)[0])
    finally:
        store.close()
    listed = run("events", "list", "--account", "acme", "--status", "pending", url=database_url)
    assert event_id in listed.stdout and "number_order.complete" in listed.stdout
    assert run("events", "list", "--status", "dead", url=database_url).stdout == ""
    assert run("events", "list", "--account", "nobody", url=database_url).returncode == 1
    assert event_id in run("events", "show", event_id, url=database_url).stdout
    redelivered = run("events", "redeliver", event_id, url=database_url)
    assert redelivered.returncode == 0 and event_id in redelivered.stdout
    unknown = run("events", "redeliver", "00000000-0000-4000-8000-000000000000", url=database_url)
    assert unknown.returncode == 1 and "no event" in unknown.stderr


def test_public_key_as_a_separate_process_prints_the_key_last(database_url: str) -> None:
    shown = run_process("webhooks", "public-key", url=database_url)
    assert shown.returncode == 0, shown.stderr
    assert last_line(shown.stdout) == last_line(
        run("webhooks", "public-key", url=database_url).stdout
    )


def test_webhook_settings_come_from_the_environment_and_survive_to_env() -> None:
    from number_orders.config import Settings

    settings = Settings.from_env(
        {"NUMBER_ORDERS_WEBHOOK_MAX_ATTEMPTS": "3", "NUMBER_ORDERS_WEBHOOK_TIMEOUT": "2.5"}
    )
    assert (settings.webhook_max_attempts, settings.webhook_timeout) == (3, 2.5)
    assert Settings.from_env(settings.to_env()) == settings


def test_a_webhook_attempt_limit_below_one_is_refused(database_url: str) -> None:
    assert cli.main(["worker", "--webhook-max-attempts", "0", "--database-url", database_url]) == 2
    assert "1 or more" in _capsys.readouterr().err
