"""The README's "From search to release", run as written: its shell lines (curl and jq)
and its Python with the official client, against `serve` on both engines."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from number_orders.config import Settings
from number_orders.server import open_store
from number_orders.testing import ServeProcess
from tests.support.app import new_key

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## From search to release"


def block(language: str) -> str:
    """The section's first fenced block in `language`."""
    section = README.read_text().split(SECTION, 1)[1].split("\n## ", 1)[0]
    found = re.search(rf"```{language}\n(.*?)```", section, re.S)
    assert found, f"no {language} block under {SECTION!r}"
    return found.group(1)


@pytest.fixture
def served(database_url: str) -> Iterator[tuple[str, str]]:
    """A running server (its base URL) and a key of an account on it."""
    store = open_store(database_url)
    key = new_key(store, "acme")
    store.close()
    settings = Settings(database_url=database_url, demo=False, fulfilment_delay=0.2)
    with ServeProcess(settings) as server:
        yield f"http://127.0.0.1:{server.port}", key


def test_the_shell_lines_search_reserve_order_and_release(served: tuple[str, str]) -> None:
    assert shutil.which("curl") and shutil.which("jq"), "make test installs curl and jq"
    base, key = served
    script = block("sh").replace("http://127.0.0.1:8000", base)
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        env={**os.environ, "KEY": key},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["success", "success", "deleted"]


def test_the_python_lines_with_the_official_client(served: tuple[str, str]) -> None:
    base, key = served
    env = {**os.environ, "TELNYX_BASE_URL": f"{base}/v2", "TELNYX_API_KEY": key}
    result = subprocess.run(
        [sys.executable, "-c", block("python")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["success", "True", "deleted"]
