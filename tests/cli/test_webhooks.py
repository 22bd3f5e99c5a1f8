"""`webhooks public-key` and `webhooks rotate-key`, on both engines."""

from __future__ import annotations

import base64

from tests.support.cli import Cli, last_line, run_process


def test_public_key_is_stable_until_rotated_and_old_keys_are_listed(
    cli: Cli, database_url: str
) -> None:
    first = last_line(cli("webhooks", "public-key", url=database_url).stdout)
    assert len(base64.b64decode(first, validate=True)) == 32
    assert last_line(cli("webhooks", "public-key", url=database_url).stdout) == first
    rotated = cli("webhooks", "rotate-key", url=database_url)
    assert rotated.returncode == 0, rotated.stderr
    second = last_line(rotated.stdout)
    assert second != first
    assert last_line(cli("webhooks", "public-key", url=database_url).stdout) == second
    listed = cli("webhooks", "public-key", "--all", url=database_url).stdout
    assert first in listed and second in listed and "retired" in listed


def test_public_key_as_a_separate_process_prints_the_key_last(cli: Cli, database_url: str) -> None:
    shown = run_process("webhooks", "public-key", url=database_url)
    assert shown.returncode == 0, shown.stderr
    assert last_line(shown.stdout) == last_line(
        cli("webhooks", "public-key", url=database_url).stdout
    )
