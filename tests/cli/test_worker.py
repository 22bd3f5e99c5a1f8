"""`worker`: what it refuses before it starts. Running it: `tests/system/test_processes.py`."""

from __future__ import annotations

from tests.support.cli import Cli


def test_a_webhook_attempt_limit_below_one_is_refused(cli: Cli, database_url: str) -> None:
    refused = cli("worker", "--webhook-max-attempts", "0", url=database_url)
    assert refused.returncode == 2
    assert ">= 1" in refused.stderr
