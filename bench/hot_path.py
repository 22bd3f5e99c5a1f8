"""A quick look at page 1's throughput against the ceiling, alternating the two.

Seeds one SQLite database (kept between runs in `--database`), starts `number-orders serve`
as `make bench` does, and prints req/s of page 1 and of the ceiling app, each `--rounds`
times, with the median ratio. With `--profile SECONDS`, `py-spy` records the server under
load instead and writes a flame graph (`py-spy` must be installed).

    python -m bench.hot_path [--orders 100000] [--rounds 3] [--profile 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
from pathlib import Path

from bench.run import CLI, NOW, ceiling, cli, get, wait_for, wrk
from number_orders.testing import free_port


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--database", default=str(Path(tempfile.gettempdir()) / "hot.sqlite3"))
    parser.add_argument("--rate-limit", default="0")
    parser.add_argument("--profile", type=int, default=0, help="py-spy seconds, 0: none")
    args = parser.parse_args()
    url = f"sqlite:///{args.database}"
    key_file = Path(args.database + ".key")
    if not key_file.exists():
        key = cli(url, "keys", "create", "--account", "acme").strip().splitlines()[-1]
        cli(url, "seed", "--account", "acme", "--orders", str(args.orders), "--now", str(NOW))
        key_file.write_text(key)
    key = key_file.read_text()
    port = free_port()
    env = {**os.environ, "NUMBER_ORDERS_RUN_WORKER": "0", "NUMBER_ORDERS_DEMO": "0"}
    command = [*CLI, "serve", "--port", str(port), "--rate-limit", args.rate_limit]
    server = subprocess.Popen(
        [*command, "--database-url", url],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        page = f"http://127.0.0.1:{port}/v2/number_orders"
        wait_for(page, key)
        body = get(page, key)
        if args.profile:
            profile(server.pid, page, key, args.profile)
            return
        ours, ceilings = [], []
        for _ in range(args.rounds):
            ours.append(wrk(page, key, 32, args.seconds)["rps"])
            ceilings.append(ceiling(body, args.seconds))
            print(f"page 1 {ours[-1]:,.0f} req/s, ceiling {ceilings[-1]:,.0f} req/s")
        ratio = statistics.median(o / c for o, c in zip(ours, ceilings, strict=True))
        print(f"median page 1 {statistics.median(ours):,.0f} req/s, ratio {ratio:.3f}")
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
