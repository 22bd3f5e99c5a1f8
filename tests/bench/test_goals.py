"""`bench.goals` judges each goal from the results a run wrote, engine by engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.goals import GOALS, verdicts


def figures(p50_ms: float, rps: float = 1_000.0, total: int = 10) -> dict[str, float]:
    return {"rps": rps, "p50_ms": p50_ms, "p99_ms": p50_ms * 3, "total_results": total}


def list_run(size: int, page_one_ms: float, month_ms: float, deep_ms: float) -> dict[str, Any]:
    return {
        "engine": "sqlite",
        "size": size,
        "ceiling_rps": 4_000.0,
        "queries": {
            "page 1": figures(page_one_ms),
            "created_at month": figures(month_ms),
            "page 2000": figures(deep_ms),
            "last page": figures(deep_ms),
        },
        "numbers": {"page 1": figures(1.0), "country": figures(1.2)},
        "numbers_ceiling_rps": 10_000.0,
    }


def write(results: Path, name: str, runs: list[dict[str, Any]]) -> None:
    document = {"when": "2026-12-01T00:00:00+00:00", "runs": runs, "searches": []}
    (results / f"{name}.json").write_text(json.dumps(document))


def test_each_goal_is_judged_from_ratios_within_its_run(tmp_path: Path) -> None:
    # page 1 at 0.25 of its ceiling; the month window grows 1.6x; page 2000 is past the
    # end at 10^4 (fast) and 2.9x page 1 at 10^6; owned numbers grow 1.0x.
    write(tmp_path, "latest", [list_run(10_000, 1.0, 1.0, 0.5), list_run(10**6, 1.0, 1.6, 2.9)])
    by_goal = {v.goal: v for v, _ in verdicts(tmp_path)}
    assert by_goal[GOALS[0].text].met and by_goal[GOALS[0].text].measured == "0.25-0.25x"
    flat = by_goal[GOALS[1].text]
    assert not flat.met and flat.measured.startswith("worst created_at month: 1.60x")
    assert by_goal[GOALS[2].text].met  # 2.9x page 1; page 2000's growth is not counted
    assert by_goal[GOALS[-2].text].met  # owned numbers


def test_a_goal_without_results_is_not_measured_and_not_met(tmp_path: Path) -> None:
    rows = [v for v, _ in verdicts(tmp_path)]
    assert len(rows) == len(GOALS)
    assert all(not v.met and v.measured.startswith("not measured") for v in rows)
