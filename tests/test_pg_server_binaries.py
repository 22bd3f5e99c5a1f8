"""Where the throwaway PostgreSQL's binaries are found: `PG_BIN`, else `pg_config
--bindir`, else the Debian path of PostgreSQL 15."""

from __future__ import annotations

from pathlib import Path

import pytest

from number_orders.testing import FALLBACK_BIN_DIR, find_bin_dir


def fake_pg_config(directory: Path, answer: str) -> None:
    script = directory / "pg_config"
    script.write_text(f"#!/bin/sh\necho {answer}\n")
    script.chmod(0o755)


def test_pg_bin_comes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_pg_config(tmp_path, "/from/pg_config")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("PG_BIN", "/from/variable")
    assert find_bin_dir() == "/from/variable"


def test_then_pg_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_pg_config(tmp_path, "/from/pg_config")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("PG_BIN", raising=False)
    assert find_bin_dir() == "/from/pg_config"


def test_then_the_debian_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_config here
    monkeypatch.delenv("PG_BIN", raising=False)
    assert find_bin_dir() == FALLBACK_BIN_DIR
