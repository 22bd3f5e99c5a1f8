"""The entry point: `python -m number_orders` names its commands."""

from __future__ import annotations

from tests.support.cli import run_process


def test_help_and_module_entry_point() -> None:
    result = run_process("--help")
    assert result.returncode == 0
    for command in ("serve", "migrate", "keys", "seed"):
        assert command in result.stdout
