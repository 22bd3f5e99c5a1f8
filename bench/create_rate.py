"""Create rate: orders per second that `number-orders serve` accepts while list requests
run beside the creates. Starts its own server on a free loopback port and stops it.

    .venv/bin/python bench/create_rate.py [--database-url URL] [--seconds 10]
        [--creators 8] [--listers 2] [--numbers 1] [--server-workers 1]

Without --database-url it uses a fresh SQLite file under bench/work/.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from number_orders.server import open_store
from number_orders.service import NumberOrdersService
from number_orders.testing import free_port

ROOT = Path(__file__).resolve().parent.parent
COMMAND = Path(sys.executable).parent / "number-orders"
# Chicago numbers +1 312 2XX XXXX are all valid; none may end like a test number.
_numbers = (f"+13122{i:06d}" for i in itertools.count(int(time.time()) % 500_000))


def next_number() -> str:
    for candidate in _numbers:
        if not candidate.endswith(("0000", "0001", "0002")):
            return candidate
    raise AssertionError("unreachable")


def cpu_seconds(pid: int) -> float:
    """CPU time used by a process and its children (Linux /proc), to compare runs on a
    busy machine: orders per CPU-second does not depend on what else runs."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    args = [str(COMMAND), "serve", "--port", str(port), "--rate-limit", "0"]
    args += ["--workers", str(workers), "--database-url", url]
    env = {**os.environ, "NUMBER_ORDERS_DEMO": "0"}
    return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def wait_ready(client: httpx.AsyncClient) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if (await client.get("/number_orders")).status_code == 200:
                return
        except httpx.TransportError:
            await asyncio.sleep(0.1)
    raise RuntimeError("server did not start")


async def creator(
    client: httpx.AsyncClient, until: float, numbers: int, out: dict[str, Any]
) -> None:
    while time.monotonic() < until:
        body = {"phone_numbers": [{"phone_number": next_number()} for _ in range(numbers)]}
        started = time.perf_counter()
        response = await client.post("/number_orders", json=body)
        out["latency"].append(time.perf_counter() - started)
        out["created" if response.status_code == 200 else "errors"] += 1


async def lister(client: httpx.AsyncClient, until: float, out: dict[str, Any]) -> None:
    queries = itertools.cycle(
        ["page[size]=20", "filter[status]=pending", "filter[status]=success&page[number]=2"]
    )
    while time.monotonic() < until:
        response = await client.get(f"/number_orders?{next(queries)}")
        out["lists" if response.status_code == 200 else "errors"] += 1


async def run(args: argparse.Namespace, base_url: str, key: str, pid: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=args.creators + args.listers)
    async with httpx.AsyncClient(
        base_url=base_url, headers=headers, limits=limits, timeout=30
    ) as client:
        await wait_ready(client)
        out: dict[str, Any] = {"created": 0, "lists": 0, "errors": 0, "latency": []}
        until = time.monotonic() + args.seconds
        tasks = [creator(client, until, args.numbers, out) for _ in range(args.creators)]
        tasks += [lister(client, until, out) for _ in range(args.listers)]
        started, cpu = time.monotonic(), cpu_seconds(pid)
        await asyncio.gather(*tasks)
        out["elapsed"] = time.monotonic() - started
        out["server_cpu"] = cpu_seconds(pid) - cpu
        return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--creators", type=int, default=8)
    parser.add_argument("--listers", type=int, default=2)
    parser.add_argument("--numbers", type=int, default=1, help="phone numbers per order")
    parser.add_argument("--server-workers", type=int, default=1)
    args = parser.parse_args()
    url = args.database_url
    if url is None:
        work = ROOT / "bench" / "work"
        work.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{work / f'create-rate-{os.getpid()}.sqlite3'}"
    store = open_store(url)
    key = NumberOrdersService(store).create_api_key(f"bench-{os.getpid()}").token
    store.close()
    port = free_port()
    server = start_server(url, port, args.server_workers)
    try:
        out = asyncio.run(run(args, f"http://127.0.0.1:{port}/v2", key, server.pid))
    finally:
        server.terminate()
        server.wait(20)
    latency = sorted(out["latency"]) or [0.0]
    print(f"database: {url.split('@')[-1]}")
    print(
        f"creates: {out['created']} in {out['elapsed']:.1f}s = "
        f"{out['created'] / out['elapsed']:.0f} orders/s "
        f"({args.creators} concurrent creators, {args.numbers} number(s) per order)"
    )
    print(
        f"lists beside them: {out['lists'] / out['elapsed']:.0f} requests/s ({args.listers} listers)"
    )
    requests = out["created"] + out["lists"]
    print(
        f"server CPU: {out['server_cpu']:.1f} s, {out['server_cpu'] / max(requests, 1) * 1000:.2f} ms "
        f"per request; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print(
        f"create latency: p50 {statistics.median(latency) * 1000:.1f} ms, "
        f"p99 {latency[int(len(latency) * 0.99) - 1] * 1000:.1f} ms; errors: {out['errors']}"
    )
    return 1 if out["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
