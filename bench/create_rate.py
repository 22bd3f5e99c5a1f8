"""Create rate: `POST /v2/number_orders` per second that one `number-orders serve` process
acknowledges while page 1 is listed beside the creates, against the HTTP server's ceiling.

For each engine a fresh database (PostgreSQL with its durability settings on: fsync,
synchronous commit, full page writes, so an acknowledged order is on disk as it would be
in production) and one server process as users run it, its background worker off (with
`--worker` on, settling the orders as they come: results then go to
`create_rate_worker.{json,md}`, not over the goal's), with the number search's catalogues
left cold (nothing here searches; building them costs
seconds of CPU at start). `wrk` drives it over loopback: 16 connections each creating
one-number orders, a new number each time, while 4 more list page 1. Every answer counted
must be 2xx (the script counts statuses itself, and any socket error or timeout fails the
run), and afterwards every acknowledged order id must be in the database. The ceiling is
the raw ASGI app (`bench/ceiling.py`) serving a create's answer under the same uvicorn
settings and `wrk` settings as the list's (32 connections); rounds alternate ceiling and
creates so both see the same neighbours on a shared machine, and the medians are compared.

Goal: creates/s >= GOAL x the ceiling, on each engine; the last lines say it per engine,
`<engine>: creates: <rate>/s, ratio <r> of ceiling, goal 0.035: met|not met`.

    python -m bench.create_rate [--engines sqlite,postgresql] [--rounds 3] [--seconds 8]
                                [--worker]
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from bench.run import CLI, ceiling, cli, database, parse_wrk, wait_for, write_results
from number_orders.server import open_store
from number_orders.storage.schema import number_orders
from number_orders.testing import free_port

GOAL = 0.035  # creates/s as a share of the raw-ASGI ceiling
CREATORS, LISTERS = 16, 4

# Each wrk thread creates orders of its own numbers, of +1 312 2XX XXXX (all valid
# Chicago numbers) upwards from the round's start (a quarter million apart), skipping the test numbers' endings
# (0000-0002 force outcomes). It keeps the id of every acknowledged order and counts
# every other answer; `done` writes both where the bench reads them.
CREATE_SCRIPT = r"""
local threads, next_index = {}, 0
function setup(thread)
  thread:set("index", next_index)
  next_index = next_index + 1
  table.insert(threads, thread)
end
function init(args)
  start = tonumber(args[1]) + index * 250000
  out = args[2]
  made, ids, bad = 0, {}, 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end
function request()
  repeat
    made = made + 1
  until (start + made) % 10000 > 2
  local n = 2000000 + (start + made) % 1000000
  local body = string.format('{"phone_numbers":[{"phone_number":"+1312%07d"}]}', n)
  return wrk.format(nil, nil, nil, body)
end
function response(status, headers, body)
  if status == 200 then
    ids[#ids + 1] = string.match(body, '^{"data":{"id":"([^"]+)"')
  else
    bad = bad + 1
  end
end
function done(summary, latency, requests)
  local file = io.open(threads[1]:get("out"), "w")
  for _, thread in ipairs(threads) do
    file:write("bad ", thread:get("bad"), "\n")
    for _, id in ipairs(thread:get("ids")) do file:write(id, "\n") end
  end
  file:close()
end
"""


# For other benches that create orders one by one (`bench/webhook_delivery.py`): Chicago
# numbers +1 313 2XX XXXX, none ending like a test number.
_numbers = (f"+13132{i:06d}" for i in itertools.count(int(time.time()) % 500_000))


def next_number() -> str:
    for candidate in _numbers:
        if not candidate.endswith(("0000", "0001", "0002")):
            return candidate
    raise AssertionError("unreachable")


@dataclass
class Creates:
    engine: str
    creates_rps: list[float] = field(default_factory=list)
    lists_rps: list[float] = field(default_factory=list)
    ceiling_rps: list[float] = field(default_factory=list)
    create_p50_ms: list[float] = field(default_factory=list)
    create_p99_ms: list[float] = field(default_factory=list)
    server_cpu_ms_per_create: list[float] = field(default_factory=list)
    acknowledged: int = 0
    missing: int = 0
    failed: int = 0

    @property
    def ratio(self) -> float:
        return statistics.median(self.creates_rps) / statistics.median(self.ceiling_rps)

    @property
    def met(self) -> bool:
        return self.ratio >= GOAL and not self.missing and not self.failed

    def goal_line(self) -> str:
        """The verdict alone: `<engine>: creates: <rate>/s, ratio <r> of ceiling, goal ...`."""
        return (
            f"{self.engine}: creates: {statistics.median(self.creates_rps):,.0f}/s, "
            f"ratio {self.ratio:.3f} of ceiling, goal {GOAL}: {'met' if self.met else 'not met'}"
        )

    def line(self) -> str:
        verdict = "met" if self.met else "NOT met"
        rounds = ", ".join(f"{r:,.0f}" for r in self.creates_rps)
        return (
            f"{self.engine}: {statistics.median(self.creates_rps):,.0f} creates/s "
            f"(rounds {rounds}; p50 {statistics.median(self.create_p50_ms):.1f} ms, "
            f"p99 {statistics.median(self.create_p99_ms):.1f} ms; server CPU "
            f"{statistics.median(self.server_cpu_ms_per_create):.2f} ms per create) with "
            f"{statistics.median(self.lists_rps):,.0f} lists/s beside them; ceiling "
            f"{statistics.median(self.ceiling_rps):,.0f} req/s; ratio {self.ratio:.3f} "
            f"(goal >= {GOAL}); {self.acknowledged:,} acknowledged, {self.missing} missing "
            f"afterwards, {self.failed} not 2xx: {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument(
        "--worker", action="store_true", help="settle the orders in the same process meanwhile"
    )
    args = parser.parse_args()
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-creates-") as work:
        for engine in args.engines.split(","):
            with database(engine, Path(work), "creates", durable=True) as url:
                runs.append(
                    bench_creates(engine, url, args.rounds, args.seconds, Path(work), args.worker)
                )
                print(runs[-1].line(), flush=True)
    for run in runs:
        print(run.goal_line(), flush=True)
    document = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at the end",
        "worker": args.worker,
        "goal": GOAL,
        "runs": [{**vars(r), "ratio": r.ratio, "met": r.met} for r in runs],
    }
    # With the worker on the figure is a different one: kept beside the goal's, not over it.
    name = "create_rate_worker" if args.worker else "create_rate"
    write_results(name, document, [*(r.line() for r in runs), "", *(r.goal_line() for r in runs)])
    if any(r.failed or r.missing for r in runs):
        sys.exit("creates: an answer was not 2xx, or an acknowledged order is missing")


def bench_creates(
    engine: str, url: str, rounds: int, seconds: int, work: Path, worker: bool
) -> Creates:
    key = cli(url, "keys", "create", "--account", "acme").strip().splitlines()[-1]
    script = work / "create.lua"
    script.write_text(CREATE_SCRIPT)
    found = Creates(engine)
    acknowledged: list[str] = []
    with serve(url, key, worker) as (base, pid):
        body = post_one(base, key)
        for round_number in range(rounds):
            found.ceiling_rps.append(ceiling(body, seconds))
            start = round_number * 60_000 + int(time.time()) % 1000
            ids, failed = create_round(found, base, key, script, start, seconds, pid, work)
            acknowledged += ids
            found.failed += failed
    found.acknowledged = len(acknowledged)
    found.missing = len(set(acknowledged) - stored_ids(url))
    return found


def create_round(
    found: Creates,
    base: str,
    key: str,
    script: Path,
    start: int,
    seconds: int,
    pid: int,
    work: Path,
) -> tuple[list[str], int]:
    """One round of creates with lists beside them: the acknowledged ids, how many failed."""
    out = work / "acknowledged.txt"
    auth = ["-H", f"Authorization: Bearer {key}", "--latency", "--timeout", "30s"]
    creates = [
        "wrk", "-t2", f"-c{CREATORS}", f"-d{seconds}s", *auth, "-s", str(script),
        f"{base}/number_orders", "--", str(start), str(out),
    ]  # fmt: skip
    lists = ["wrk", "-t1", f"-c{LISTERS}", f"-d{seconds}s", *auth, f"{base}/number_orders"]
    cpu = cpu_seconds(pid)
    with subprocess.Popen(lists, stdout=subprocess.PIPE, text=True) as lister:
        created = subprocess.run(creates, capture_output=True, text=True, check=True).stdout
        listed = lister.communicate()[0]
    cpu = cpu_seconds(pid) - cpu
    lines = out.read_text().splitlines()
    failed = sum(int(line.split()[1]) for line in lines if line.startswith("bad "))
    ids = [line for line in lines if not line.startswith("bad ")]
    failed += socket_errors(created) + socket_errors(listed)
    figures = parse_wrk(created)  # raises on any non-2xx answer as well
    found.creates_rps.append(figures["rps"])
    found.create_p50_ms.append(figures["p50_ms"])
    found.create_p99_ms.append(figures["p99_ms"])
    found.lists_rps.append(parse_wrk(listed)["rps"])
    found.server_cpu_ms_per_create.append(cpu * 1000 / max(len(ids), 1))
    return ids, failed


def socket_errors(output: str) -> int:
    """wrk's connect, read, write and timeout errors (a line only when there are any)."""
    for line in output.splitlines():
        if "Socket errors:" in line:
            return sum(int(part.split()[-1]) for part in line.split(":", 1)[1].split(","))
    return 0


def stored_ids(url: str) -> set[str]:
    store = open_store(url)
    try:
        with store.reading() as conn:
            return set(conn.scalars(select(number_orders.c.id)))
    finally:
        store.close()


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) of a process and its children so far (Linux /proc)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


@contextmanager
def serve(url: str, key: str, worker: bool) -> Iterator[tuple[str, int]]:
    """One `number-orders serve` process, with or without its background worker; its /v2
    URL and pid."""
    port = free_port()
    env = {
        **os.environ,
        "NUMBER_ORDERS_DEMO": "0",
        "NUMBER_ORDERS_INVENTORY_WARM": "0",
        "NUMBER_ORDERS_RUN_WORKER": "1" if worker else "0",
    }
    command = [*CLI, "serve", "--port", str(port), "--rate-limit", "0", "--database-url", url]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        base = f"http://127.0.0.1:{port}/v2"
        wait_for(f"{base}/number_orders", key)
        yield base, server.pid
    finally:
        server.terminate()
        server.wait(20)


def post_one(base: str, key: str) -> bytes:
    """A create's answer: the bytes the ceiling serves."""
    import urllib.request

    request = urllib.request.Request(
        f"{base}/number_orders",
        data=b'{"phone_numbers":[{"phone_number":"+13129999998"}]}',
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        answer: bytes = response.read()
        return answer


if __name__ == "__main__":
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    main()
