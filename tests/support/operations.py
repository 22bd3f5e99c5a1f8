"""Reading what operators read: Prometheus samples, and rate-limit windows."""

from __future__ import annotations

import re
import time
from collections import defaultdict


def wait_for_a_fresh_window(needed: float = 15.0) -> None:
    """Rate-limit windows are wall-clock minutes: keep a test's requests inside one."""
    left = 60 - time.time() % 60
    if left < needed:
        time.sleep(left + 0.05)


def parse_metrics(text: str) -> defaultdict[tuple[str, str], float]:
    """(name, labels) to value, samples of several processes added up; absent ones are 0."""
    samples: defaultdict[tuple[str, str], float] = defaultdict(float)
    for line in text.splitlines():
        match = re.fullmatch(r"(\w+)(?:\{(.*)\})? (\S+)", line)
        if match and not line.startswith("#"):
            samples[(match.group(1), match.group(2) or "")] += float(match.group(3))
    return samples
