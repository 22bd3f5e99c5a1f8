"""The performance goals, each judged met or not met from the latest results.

`make bench` ends with this: it reads what the parts just wrote in `bench/results/`
(`latest.json` for the list, owned numbers and search; `journal_cost.json`;
`create_rate.json`;
`seed_rate.json`; `large.json` from `make bench-large`), prints one row per goal and
engine with the figure that decides it, and writes the table to `goals.md`. A goal whose
results are missing is "not measured", which is not met. Every figure is a ratio taken
within one run (against the ceiling of that run, or the same query at the smallest size),
so the verdicts hold on a shared, noisy machine.

    python -m bench.goals
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.create_rate import GOAL as CREATE_GOAL
from bench.journal_cost import GOAL as JOURNAL_GOAL
from bench.report import FLATNESS_LIMIT
from bench.run import RESULTS
from bench.seed_rate import GOAL as SEED_GOAL

PAGE_ONE_GOAL = 0.25  # page 1 req/s as a share of the raw-ASGI ceiling
DEEP_PAGE_LIMIT = 3.0  # a deep page's p50 over page 1's, at the largest size
LARGE_SIZE = 10_000_000
DEEP_PAGES = ("page 2000", "last page")

Document = dict[str, Any]


@dataclass(frozen=True)
class Verdict:
    goal: str
    engine: str
    measured: str
    met: bool


@dataclass(frozen=True)
class Goal:
    """A goal, the results file it is judged from, and the judge: one verdict per engine."""

    text: str
    source: str
    judge: Callable[[Document], Iterator[tuple[str, str, bool]]]


def by_engine(runs: list[Document], size_key: str = "size") -> dict[str, list[Document]]:
    """Each engine's runs, smallest size first."""
    engines: dict[str, list[Document]] = {}
    for run in sorted(runs, key=lambda r: r[size_key]):
        engines.setdefault(run["engine"], []).append(run)
    return engines


def page_one(document: Document) -> Iterator[tuple[str, str, bool]]:
    for engine, runs in by_engine(document["runs"]).items():
        ratios = [r["queries"]["page 1"]["rps"] / r["ceiling_rps"] for r in runs]
        yield engine, f"{min(ratios):.2f}-{max(ratios):.2f}x", min(ratios) >= PAGE_ONE_GOAL


def growth(small: Document, large: Document) -> tuple[str, float]:
    """The query whose p50 grew most from `small` to `large` (query -> figures), and how much."""
    grown = {name: large[name]["p50_ms"] / small[name]["p50_ms"] for name in large}
    worst = max(grown, key=grown.__getitem__)
    return worst, grown[worst]


def flat_list(document: Document) -> Iterator[tuple[str, str, bool]]:
    # Deep pages have a goal of their own: page 2000 is past the end at 10^4 orders.
    for engine, runs in by_engine(document["runs"]).items():
        shallow = {k: v for k, v in runs[-1]["queries"].items() if k not in DEEP_PAGES}
        worst, grown = growth(runs[0]["queries"], shallow)
        sizes = f"{runs[-1]['size']:,} / {runs[0]['size']:,}"
        yield engine, f"worst {worst}: {grown:.2f}x ({sizes})", grown <= FLATNESS_LIMIT


def deep_pages(document: Document) -> Iterator[tuple[str, str, bool]]:
    for engine, runs in by_engine(document["runs"]).items():
        queries = runs[-1]["queries"]
        over = {name: queries[name]["p50_ms"] / queries["page 1"]["p50_ms"] for name in DEEP_PAGES}
        worst = max(over, key=over.__getitem__)
        measured = f"worst {worst}: {over[worst]:.2f}x at {runs[-1]['size']:,}"
        yield engine, measured, over[worst] <= DEEP_PAGE_LIMIT


def creates(document: Document) -> Iterator[tuple[str, str, bool]]:
    for run in document["runs"]:
        rate = sorted(run["creates_rps"])[len(run["creates_rps"]) // 2]
        clean = run["failed"] == 0 and run["missing"] == 0
        measured = (
            f"{rate:,.0f}/s, {run['ratio']:.3f}x, {run['failed']} failed, {run['missing']} lost"
        )
        yield run["engine"], measured, clean and run["ratio"] >= CREATE_GOAL


def journal(document: Document) -> Iterator[tuple[str, str, bool]]:
    for run in document["runs"]:
        yield run["engine"], f"{run['cost']:.1%} of list throughput", run["cost"] <= JOURNAL_GOAL


def seeding(document: Document) -> Iterator[tuple[str, str, bool]]:
    for run in document["runs"]:
        rate = run["orders_per_s"]
        yield run["engine"], f"{rate:,.0f} orders/s ({run['orders']:,} orders)", run["met"]


def large_flat(document: Document) -> Iterator[tuple[str, str, bool]]:
    for engine, runs in by_engine(document["runs"]).items():
        if runs[-1]["size"] < LARGE_SIZE:
            yield engine, f"largest size {runs[-1]['size']:,}", False
            continue
        yield from flat_list({"runs": runs})


def large_deep(document: Document) -> Iterator[tuple[str, str, bool]]:
    yield from deep_pages({"runs": [r for r in document["runs"] if r["size"] >= LARGE_SIZE]})


def owned_numbers(document: Document) -> Iterator[tuple[str, str, bool]]:
    for engine, runs in by_engine(document["runs"]).items():
        if not runs[0].get("numbers"):
            continue
        worst, grown = growth(runs[0]["numbers"], runs[-1]["numbers"])
        largest = runs[-1]
        ratio = largest["numbers"]["page 1"]["rps"] / largest["numbers_ceiling_rps"]
        owned = largest["numbers"]["page 1"]["total_results"]
        measured = f"worst {worst}: {grown:.2f}x to {owned:,} numbers; page 1 {ratio:.2f}x ceiling"
        yield engine, measured, grown <= FLATNESS_LIMIT


def search(document: Document) -> Iterator[tuple[str, str, bool]]:
    for engine, runs in by_engine(document.get("searches", []), size_key="held").items():
        grown = runs[-1]["p50_ms"] / runs[0]["p50_ms"]
        ratio = runs[-1]["rps"] / runs[-1]["ceiling_rps"]
        measured = f"{grown:.2f}x to {runs[-1]['held']:,} held; {ratio:.3f}x ceiling"
        yield engine, measured, grown <= FLATNESS_LIMIT


GOALS = [
    Goal(f"page 1 >= {PAGE_ONE_GOAL}x the raw-ASGI ceiling, every size", "latest", page_one),
    Goal(
        f"every list query but deep pages: p50 at the largest size within {FLATNESS_LIMIT}x of the smallest",
        "latest",
        flat_list,
    ),
    Goal(
        f"deep pages within {DEEP_PAGE_LIMIT}x of page 1 at the largest size", "latest", deep_pages
    ),
    Goal(
        f"creates/s >= {CREATE_GOAL}x the ceiling with lists beside, none lost",
        "create_rate",
        creates,
    ),
    Goal(f"the request journal costs the list at most {JOURNAL_GOAL:.0%}", "journal_cost", journal),
    Goal(f"bulk seed >= {SEED_GOAL:,} orders/s", "seed_rate", seeding),
    Goal(
        f"PostgreSQL at {LARGE_SIZE:,}: every list query within {FLATNESS_LIMIT}x of 10^4",
        "large",
        large_flat,
    ),
    Goal(
        f"PostgreSQL at {LARGE_SIZE:,}: deep pages within {DEEP_PAGE_LIMIT}x of page 1",
        "large",
        large_deep,
    ),
    Goal(
        f"owned numbers list flat (within {FLATNESS_LIMIT}x) from 10^4 to 10^6 orders",
        "latest",
        owned_numbers,
    ),
    Goal(
        f"number search flat (within {FLATNESS_LIMIT}x) from 10^4 to 10^6 held numbers",
        "latest",
        search,
    ),
]


def verdicts(results: Path = RESULTS) -> Iterator[tuple[Verdict, str]]:
    """Each goal's verdict per engine, with when its results were measured."""
    for goal in GOALS:
        path = results / f"{goal.source}.json"
        if not path.exists():
            yield Verdict(goal.text, "-", f"not measured ({path.name} missing)", False), "-"
            continue
        document = json.loads(path.read_text())
        judged = list(goal.judge(document))
        if not judged:
            yield Verdict(goal.text, "-", f"not measured (nothing in {path.name})", False), "-"
        for engine, measured, met in judged:
            yield Verdict(goal.text, engine, measured, met), document["when"]


def markdown(rows: list[tuple[Verdict, str]]) -> str:
    lines = [
        "| goal | engine | measured | verdict | measured at |",
        "|---|---|---|---|---|",
    ]
    for verdict, when in rows:
        mark = "met" if verdict.met else "not met"
        lines.append(
            f"| {verdict.goal} | {verdict.engine} | {verdict.measured} | {mark} | {when} |"
        )
    met = sum(v.met for v, _ in rows)
    return "\n".join([*lines, "", f"{met} of {len(rows)} met."]) + "\n"


def main() -> None:
    table = markdown(list(verdicts()))
    (RESULTS / "goals.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
