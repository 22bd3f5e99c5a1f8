"""Commands run in this process, as `main` runs them."""

from __future__ import annotations

import os

import pytest

from tests.support.cli import Cli


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Runs a command with the settings of a clean environment, as `run_process` does."""
    for name in [n for n in os.environ if n.startswith("NUMBER_ORDERS_")]:
        monkeypatch.delenv(name)
    return Cli(capsys)
