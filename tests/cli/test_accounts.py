"""`accounts set-webhook`, `accounts show` and `accounts clear-webhook`, on both engines."""

from __future__ import annotations

from tests.support.cli import Cli


def test_set_and_show_an_accounts_webhook(cli: Cli, database_url: str) -> None:
    assert (
        cli("accounts", "set-webhook", "acme", "https://x.test/h", url=database_url).returncode == 1
    )
    assert cli("keys", "create", "--account", "acme", url=database_url).returncode == 0
    refused = cli("accounts", "set-webhook", "acme", "ftp://x.test/h", url=database_url)
    assert refused.returncode == 1 and "http:// or https://" in refused.stderr
    accepted = cli("accounts", "set-webhook", "acme", "https://x.test/h", url=database_url)
    assert accepted.returncode == 0, accepted.stderr
    shown = cli("accounts", "show", "acme", url=database_url)
    assert "https://x.test/h" in shown.stdout and "pending 0" in shown.stdout
    assert cli("accounts", "clear-webhook", "acme", url=database_url).returncode == 0
    assert "(none)" in cli("accounts", "show", "acme", url=database_url).stdout
    assert cli("accounts", "show", "nobody", url=database_url).returncode == 1
