"""A quick look at page 1's throughput against the ceiling, alternating the two.

Seeds one database, starts `number-orders serve` as `make bench` does, and prints req/s
of page 1 and of the ceiling app, each `--rounds` times, with the median ratio. On SQLite
the database is kept between runs (`--database`); with `--engine postgresql` a PostgreSQL
server of its own, tuned as `make bench` tunes it, lives as long as the run.

`--code NAME=SRC` (repeatable) serves the same database from other source trees too (a
`src` folder, put first on `PYTHONPATH`), one server each, all measured in every round
beside the ceiling (in a turning order), so versions of the code are compared under the
same neighbours; each figure comes with the server's CPU time per request. With
`--profile SECONDS`, `py-spy` records the server under load instead and writes a flame
graph (`py-spy` must be installed).

    python -m bench.hot_path [--engine postgresql] [--orders 100000] [--rounds 3]
        [--code before=/tmp/before/src] [--profile 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from bench.run import CLI, NOW, ceiling, cli, databases, get, prepare, wait_for, wrk
from number_orders.testing import free_port

THIS = "this"  # the tree this module runs from


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--database", default=str(Path(tempfile.gettempdir()) / "hot.sqlite3"))
    parser.add_argument("--rate-limit", default="0")
    parser.add_argument("--code", action="append", default=[], metavar="NAME=SRC")
    parser.add_argument("--profile", type=int, default=0, help="py-spy seconds, 0: none")
    args = parser.parse_args()
    trees = {THIS: "", **dict(code.split("=", 1) for code in args.code)}
    with database(args) as (url, key), ExitStack() as servers:
        pages = {
            name: servers.enter_context(serve(url, key, src, args.rate_limit))
            for name, src in trees.items()
        }
        if args.profile:
            profile(*pages[THIS], key, args.profile)
            return
        body = get(pages[THIS][1], key)
        rates: dict[str, list[float]] = {name: [] for name in pages}
        costs: dict[str, list[float]] = {name: [] for name in pages}
        ceilings = []
        for number in range(args.rounds):
            # Each round in another order, so no version always follows the ceiling.
            names = list(pages)
            names = names[number % len(names) :] + names[: number % len(names)]
            for name in names:
                pid, page = pages[name]
                before = cpu_seconds(pid)
                found = wrk(page, key, 32, args.seconds)
                rates[name].append(found["rps"])
                answered = found["rps"] * args.seconds
                costs[name].append((cpu_seconds(pid) - before) / answered * 1e6)
            ceilings.append(ceiling(body, args.seconds))
            round_ = ", ".join(
                f"{name} {rates[name][-1]:,.0f} ({costs[name][-1]:.0f} us)" for name in names
            )
            print(f"page 1 req/s (server CPU a request): {round_}; ceiling {ceilings[-1]:,.0f}")
        for name, rps in rates.items():
            ratio = statistics.median(o / c for o, c in zip(rps, ceilings, strict=True))
            print(
                f"{name}: median page 1 {statistics.median(rps):,.0f} req/s, ratio {ratio:.3f}, "
                f"server CPU {statistics.median(costs[name]):.0f} us a request"
            )
        print(f"median ceiling {statistics.median(ceilings):,.0f} req/s", flush=True)


def cpu_seconds(pid: int) -> float:
    """User and system CPU of a process so far, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def database(args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    """The seeded database's URL and a key of its account."""
    if args.engine == "sqlite":
        url = f"sqlite:///{args.database}"
        key_file = Path(args.database + ".key")
        if not key_file.exists():
            key_file.write_text(seeded(url, args.orders))
        yield url, key_file.read_text()
        return
    with tempfile.TemporaryDirectory() as work, databases("postgresql", Path(work)) as create:
        url = create("hot")
        key = seeded(url, args.orders)
        prepare(url)
        yield url, key


def seeded(url: str, orders: int) -> str:
    key = cli(url, "keys", "create", "--account", "acme").strip().splitlines()[-1]
    cli(url, "seed", "--account", "acme", "--orders", str(orders), "--now", str(NOW))
    return key


@contextmanager
def serve(url: str, key: str, src: str, rate_limit: str) -> Iterator[tuple[int, str]]:
    """A server of the tree at `src` (this one if empty): its pid and page 1's URL."""
    port = free_port()
    env = {**os.environ, "NUMBER_ORDERS_RUN_WORKER": "0", "NUMBER_ORDERS_DEMO": "0"}
    if src:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (src, env.get("PYTHONPATH"))))
    command = [*CLI, "serve", "--port", str(port), "--rate-limit", rate_limit]
    server = subprocess.Popen(
        [*command, "--database-url", url],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        page = f"http://127.0.0.1:{port}/v2/number_orders"
        wait_for(page, key)
        yield server.pid, page
    finally:
        server.terminate()
        server.wait(10)


def profile(pid: int, page: str, key: str, seconds: int) -> None:
    out = Path(tempfile.gettempdir()) / "hot_path.txt"
    spy = subprocess.Popen(
        [
            "py-spy",
            "record",
            "-p",
            str(pid),
            "-d",
            str(seconds),
            "-o",
            str(out),
            "-f",
            "raw",
            "-t",
            "--gil",
            "-r",
            "500",
            *os.environ.get("SPY_FLAGS", "").split(),
        ]
    )
    wrk(page, key, 32, seconds)
    spy.wait()
    print(f"collapsed stacks: {out}")


if __name__ == "__main__":
    main()
