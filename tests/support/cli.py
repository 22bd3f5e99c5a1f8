"""The command line: in this process through `cli.main` (a process costs seconds of
imports), or as users run it, in a process of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from number_orders.cli import main

Result = subprocess.CompletedProcess[str]


def _with_url(args: tuple[str, ...], url: str | None) -> list[str]:
    return [*args, "--database-url", url] if url else list(args)


def run_process(
    *args: str,
    url: str | None = None,
    cwd: Path | None = None,
    settings: dict[str, str] | None = None,
) -> Result:
    """`python -m number_orders ARGS [--database-url URL]`, free of this environment's
    `NUMBER_ORDERS_*` settings but for `settings` (variables by name)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBER_ORDERS_")}
    env.update(settings or {})
    command = [sys.executable, "-m", "number_orders", *_with_url(args, url)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=cwd, env=env)


@dataclass
class Cli:
    """`number-orders ARGS [--database-url URL]` run in this process, its output captured."""

    capsys: pytest.CaptureFixture[str]

    def __call__(self, *args: str, url: str | None = None) -> Result:
        self.capsys.readouterr()
        code = main(_with_url(args, url))
        out, err = self.capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, out, err)


def last_line(text: str) -> str:
    return text.rstrip("\n").splitlines()[-1]
