"""The bench's JSON as a markdown table and a plot of p50 against size per query."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def markdown(document: dict[str, Any]) -> str:
    runs = document["runs"]
    lines = [
        f"Run {document['when']} on {document['machine']}; wrk {document['wrk_seconds']} s "
        "per throughput figure, one server process.",
    ]
    if runs:
        lines += [
            "",
            "| engine | orders | query | req/s (32 conns) | p50 ms (1 conn) | p99 ms | total_results |",
            "|---|---:|---|---:|---:|---:|---:|",
        ]
        for run in runs:
            for name, q in run["queries"].items():
                lines.append(
                    f"| {run['engine']} | {run['size']:,} | {name} | {q['rps']:,.0f} | "
                    f"{q['p50_ms']:.2f} | {q['p99_ms']:.2f} | {q['total_results']:,} |"
                )
        lines += ["", *ceiling_lines(runs), "", *flatness_lines(runs)]
    if any(run.get("numbers") for run in runs):
        lines += ["", *numbers_lines(runs)]
    if document.get("searches"):
        lines += ["", *search_lines(document["searches"])]
    return "\n".join(lines) + "\n"


def numbers_lines(runs: list[dict[str, Any]]) -> list[str]:
    """`GET /phone_numbers` on the bench account's owned numbers: figures, the ratio to
    the ceiling of the same run, and p50 at the most numbers over p50 at the fewest."""
    lines = [
        "Owned phone numbers (`GET /v2/phone_numbers`, the bench account):",
        "",
        "| engine | owned numbers | query | req/s (32 conns) | p50 ms (1 conn) | p99 ms "
        "| total_results | ceiling req/s | ratio |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        owned = run["numbers"]["page 1"]["total_results"]
        for name, q in run["numbers"].items():
            ceiling = run["numbers_ceiling_rps"] if name == "page 1" else 0.0
            extra = f"{ceiling:,.0f} | {q['rps'] / ceiling:.2f}" if ceiling else " | "
            lines.append(
                f"| {run['engine']} | {owned:,} | {name} | {q['rps']:,.0f} | {q['p50_ms']:.2f} "
                f"| {q['p99_ms']:.2f} | {q['total_results']:,} | {extra} |"
            )
    lines += [
        "",
        f"| engine | query | p50 most / fewest owned numbers | within {FLATNESS_LIMIT}x |",
        "|---|---|---:|---|",
    ]
    for engine in dict.fromkeys(r["engine"] for r in runs):
        mine = sorted((r for r in runs if r["engine"] == engine), key=lambda r: r["size"])
        small, large = mine[0]["numbers"], mine[-1]["numbers"]
        for name in large:
            grow = large[name]["p50_ms"] / small[name]["p50_ms"]
            lines.append(
                f"| {engine} | {name} | {grow:.2f} | {'yes' if grow <= FLATNESS_LIMIT else 'no'} |"
            )
    return lines


# The search's p50 with the most held numbers over its p50 with the fewest, at most.
FLATNESS_LIMIT = 1.5


def search_lines(searches: list[dict[str, Any]]) -> list[str]:
    """The number search (limit 50, one US locality) against its ceiling, and how its p50
    grows from the fewest held numbers to the most."""
    lines = [
        "Number search: `GET /v2/available_phone_numbers?"
        "filter[locality]=Chicago&filter[administrative_area]=IL&filter[limit]=50`.",
        "",
        "| engine | held numbers | req/s (32 conns) | p50 ms (1 conn) | p99 ms "
        "| ceiling req/s (raw ASGI, same bytes) | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for run in searches:
        lines.append(
            f"| {run['engine']} | {run['held']:,} | {run['rps']:,.0f} | {run['p50_ms']:.2f} | "
            f"{run['p99_ms']:.2f} | {run['ceiling_rps']:,.0f} | "
            f"{run['rps'] / run['ceiling_rps']:.3f} |"
        )
    lines += [
        "",
        f"| engine | p50 most held / fewest held | within {FLATNESS_LIMIT}x |",
        "|---|---:|---|",
    ]
    for engine in dict.fromkeys(r["engine"] for r in searches):
        mine = sorted((r for r in searches if r["engine"] == engine), key=lambda r: r["held"])
        grow = mine[-1]["p50_ms"] / mine[0]["p50_ms"]
        lines.append(f"| {engine} | {grow:.2f} | {'yes' if grow <= FLATNESS_LIMIT else 'no'} |")
    return lines


def ceiling_lines(runs: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| engine | orders | page 1 req/s | ceiling req/s (raw ASGI, same bytes) | ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    for run in runs:
        rps = run["queries"]["page 1"]["rps"]
        ceiling = run["ceiling_rps"]
        lines.append(
            f"| {run['engine']} | {run['size']:,} | {rps:,.0f} | {ceiling:,.0f} | "
            f"{rps / ceiling:.2f} |"
        )
    return lines


def flatness_lines(runs: list[dict[str, Any]]) -> list[str]:
    """p50 at the largest size over p50 at the smallest; deep pages over page 1."""
    lines = [
        "| engine | query | p50 largest / smallest size | p50 / page 1 (largest size) |",
        "|---|---|---:|---:|",
    ]
    for engine in dict.fromkeys(r["engine"] for r in runs):
        mine = sorted((r for r in runs if r["engine"] == engine), key=lambda r: r["size"])
        small, large = mine[0]["queries"], mine[-1]["queries"]
        for name in large:
            grow = large[name]["p50_ms"] / small[name]["p50_ms"]
            deep = large[name]["p50_ms"] / large["page 1"]["p50_ms"]
            lines.append(f"| {engine} | {name} | {grow:.2f} | {deep:.2f} |")
    return lines


def plot(document: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = document["runs"]
    engines = list(dict.fromkeys(r["engine"] for r in runs))
    figure, axes = plt.subplots(1, len(engines), figsize=(6 * len(engines), 4.5), squeeze=False)
    for axis, engine in zip(axes[0], engines, strict=True):
        mine = sorted((r for r in runs if r["engine"] == engine), key=lambda r: r["size"])
        for name in mine[0]["queries"]:
            sizes = [r["size"] for r in mine]
            axis.plot(sizes, [r["queries"][name]["p50_ms"] for r in mine], marker="o", label=name)
        axis.set_xscale("log")
        axis.set_xlabel("orders")
        axis.set_ylabel("p50 latency, ms (one client)")
        axis.set_title(engine)
        axis.set_ylim(bottom=0)
        axis.grid(True, alpha=0.3)
    axes[0][-1].legend(fontsize=7, loc="upper left")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
