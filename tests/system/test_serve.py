"""`number-orders serve` as operators run it, in its own processes, on both engines: the
rate limit holds across worker processes, metrics add up across them, log lines name no
key, `--body-limit` applies, and SIGTERM lets in-flight requests finish before a clean exit."""

from __future__ import annotations

import contextlib
import logging
import re
import resource
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import make_url, text

from number_orders.config import Settings
from number_orders.server import connections_per_process, log_connection_budget, open_store
from number_orders.testing import PostgresServer, ServeProcess, wait_until
from tests.support.app import bearer, new_key
from tests.support.operations import parse_metrics, wait_for_a_fresh_window


def serving(database_url: str, workdir: Path, **changes: Any) -> ServeProcess:
    """`serve` on `database_url` with these settings changed, its log in `workdir`."""
    settings = Settings(database_url=database_url, demo=False).with_changes(**changes)
    return ServeProcess(settings, log=workdir / "serve.log", cwd=workdir)


def get(server: ServeProcess, path: str, key: str | None = None, **kwargs: Any) -> httpx.Response:
    headers = {**bearer(key), **kwargs.pop("headers", {})}
    kwargs.setdefault("timeout", 30)
    return httpx.get(server.root_url + path, headers=headers, **kwargs)


def log_lines(server: ServeProcess) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in server.log_text().splitlines() if line.startswith("{")]


def wait_until_every_process_answers(server: ServeProcess, processes: int) -> None:
    """Readiness means one process answers; the others may still be starting."""

    def answered_by_all() -> bool:
        assert get(server, "/healthz").status_code == 200
        return len({line["pid"] for line in log_lines(server)}) == processes

    wait_until(answered_by_all, timeout=60, interval=0.05)


def test_the_rate_limit_holds_across_worker_processes(database_url: str, tmp_path: Path) -> None:
    store = open_store(database_url)
    key = new_key(store, "acme")
    store.close()
    with serving(database_url, tmp_path, workers=2, rate_limit=40) as served:
        wait_until_every_process_answers(served, 2)
        wait_for_a_fresh_window(25)
        with ThreadPoolExecutor(8) as pool:  # a new connection per request
            answers = list(pool.map(lambda _: get(served, "/v2/number_orders", key), range(70)))
        statuses = Counter(a.status_code for a in answers)
        assert statuses == {200: 40, 429: 30}
        assert all(a.headers["x-ratelimit-limit"] == "40" for a in answers)
        pids = {line["pid"] for line in log_lines(served) if line["path"] == "/v2/number_orders"}
        assert len(pids) == 2  # both processes answered, and together admitted exactly 40

        samples = parse_metrics(get(served, "/metrics").text)  # answered by one process
        requests = "number_orders_http_requests_total"
        route = 'method="GET",route="/v2/number_orders"'
        assert samples[(requests, route + ',status="200"')] == 40
        assert samples[(requests, route + ',status="429"')] == 30
        assert served.stop() == 0


def test_log_lines_carry_the_request_but_never_a_key(database_url: str, tmp_path: Path) -> None:
    store = open_store(database_url)
    key = new_key(store, "acme")
    account_id = store.ensure_account("acme").account_id
    store.close()
    wrong_secret = key[:-6] + "abcdef"
    garbage = "not-a-key-but-a-secret-all-the-same"
    with serving(database_url, tmp_path, body_limit=2000) as served:
        ok = get(served, "/v2/number_orders", key, headers={"x-request-id": "req-1"})
        assert ok.status_code == 200
        assert get(served, "/v2/number_orders", wrong_secret).status_code == 401
        assert get(served, "/v2/number_orders", garbage).status_code == 401
        assert get(served, f"/v2/number_orders/{key}", key).status_code == 404
        assert get(served, f"/v2/{wrong_secret}").status_code == 401
        assert get(served, f"/v2/number_orders?api_key={key}", key).status_code == 200
        big = httpx.post(
            served.base_url + "/number_orders",
            headers=bearer(key),
            json={"customer_reference": "x" * 2000},
        )
        assert big.status_code == 413  # --body-limit 2000
        assert big.json()["errors"][0]["code"] == "10015"
        assert served.stop() == 0
    log = served.log_text()
    for secret in (key, key[36:], wrong_secret, wrong_secret[36:], garbage):
        assert secret not in log
    lines = log_lines(served)
    assert len(lines) == 8  # seven requests and the readiness check that waited for the start
    first = next(line for line in lines if line["request_id"] == "req-1")
    assert first["method"] == "GET"
    assert first["path"] == "/v2/number_orders"
    assert first["route"] == "/v2/number_orders"
    assert first["status"] == 200
    assert first["account_id"] == account_id
    assert first["duration_ms"] >= 0
    assert [line["status"] for line in lines[1:]] == [200, 401, 401, 404, 401, 200, 413]
    assert lines[2]["account_id"] is None


@contextmanager
def writes_blocked(database_url: str) -> Iterator[None]:
    """Hold the lock the rate limiter's counter write needs, so a request stays in flight."""
    store = open_store(database_url)
    # On SQLite a writing transaction (BEGIN IMMEDIATE) holds the one write lock.
    with store.engine.connect().execution_options(writing=True) as conn:
        conn.begin()
        if not store.sqlite:
            conn.execute(text("LOCK TABLE rate_limit_counters IN EXCLUSIVE MODE"))
        try:
            yield
        finally:
            conn.rollback()
    store.close()


def test_sigterm_finishes_requests_in_flight_then_exits_cleanly(
    database_url: str, tmp_path: Path
) -> None:
    store = open_store(database_url)
    key = new_key(store, "acme")
    store.close()
    # A limit of 8 leases one token at a time, so every request writes the counter.
    with serving(database_url, tmp_path, workers=2, rate_limit=8) as served:
        answers: list[httpx.Response] = []
        with writes_blocked(database_url):
            request = threading.Thread(
                target=lambda: answers.append(get(served, "/v2/number_orders", key))
            )
            request.start()
            time.sleep(1.0)  # the request is now waiting on the lock inside the server
            assert not answers
            served.process.send_signal(signal.SIGTERM)
            time.sleep(1.0)
            assert served.process.poll() is None  # still draining
            try:  # no new requests are taken once draining
                late = get(served, "/healthz", timeout=2).status_code
            except httpx.TransportError:
                late = 0
            assert late == 0
        request.join(30)
        assert [a.status_code for a in answers] == [200]
        assert served.process.wait(30) == 0
    assert "Traceback" not in served.log_text()


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def test_secrets_reach_every_server_process_but_not_its_environment(
    database_url: str, tmp_path: Path
) -> None:
    """The database password, the metrics token and the admin token are not in the
    environment of the processes `serve --workers 2` starts (which their own children
    would inherit), yet every process connects and checks the tokens."""
    store = open_store(database_url)
    key = new_key(store, "acme")
    store.close()
    password = "pw-" + "7f3a9c1e5b" * 2
    if database_url.startswith("postgresql"):  # the test server trusts any password
        database_url = make_url(database_url).set(password=password).render_as_string(False)
    token = "metrics-" + "c0ffee" * 5
    admin_token = "admin-" + "5eed" * 6
    with serving(
        database_url, tmp_path, workers=2, metrics_token=token, admin_token=admin_token
    ) as served:
        workers = children(served.process.pid)
        assert len(workers) >= 2
        for pid in workers:
            environment = Path(f"/proc/{pid}/environ").read_bytes()
            assert token.encode() not in environment
            assert admin_token.encode() not in environment
            assert password.encode() not in environment
            assert b"NUMBER_ORDERS_DATABASE_URL=" in environment
        with ThreadPoolExecutor(8) as pool:  # new connections, spread over both processes
            answers = list(pool.map(lambda _: get(served, "/v2/number_orders", key), range(40)))
            metrics = list(pool.map(lambda _: get(served, "/metrics"), range(20)))
            opened = list(
                pool.map(
                    lambda _: get(served, "/metrics", token),
                    range(20),
                )
            )
            sandboxed = list(
                pool.map(lambda _: get(served, "/_sandbox/clock", admin_token), range(20))
            )
        assert {a.status_code for a in answers} == {200}
        assert len({line["pid"] for line in log_lines(served) if line["status"] == 200}) == 2
        assert {m.status_code for m in metrics} == {401}
        assert {m.status_code for m in opened} == {200}
        assert {s.status_code for s in sandboxed} == {200}
        log = served.log_text()
        assert password not in log
        if database_url.startswith("postgresql"):
            # Pools are sized from the settings, and the total is logged at start.
            assert "up to 32 connections per server process, 64 for 2 process(es)" in log
        assert served.stop() == 0


class Collected(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.levelno, record.getMessage()))


def test_a_connection_budget_past_postgresqls_limit_is_warned_about(
    postgres: PostgresServer,
) -> None:
    url = postgres.create_database("budget")
    logger, collected = logging.getLogger("number_orders.server"), Collected()
    level = logger.level
    logger.addHandler(collected)
    logger.setLevel(logging.INFO)
    try:
        log_connection_budget(Settings(database_url=url, workers=4, database_connections=400))
        log_connection_budget(Settings(database_url=url, workers=4))
    finally:
        logger.removeHandler(collected)
        logger.setLevel(level)
    lines = collected.lines
    assert [level for level, _ in lines] == [logging.INFO, logging.WARNING, logging.INFO]
    assert "up to 100 connections per server process, 400 for 4" in lines[0][1]
    assert "allows 200 connections" in lines[1][1]
    assert "up to 16 connections per server process, 64 for 4" in lines[2][1]
    # Each process's two pools split its share: 4 steady plus 4 in bursts, each.
    store = open_store(url, connections_per_process(Settings(database_url=url, workers=4)))
    try:
        pools = [store.engine.pool, store.pages.engine.pool]
        assert [(p.size(), p._max_overflow) for p in pools] == [(4, 4), (4, 4)]  # type: ignore[attr-defined]
    finally:
        store.close()


def test_serve_raises_its_open_file_limit_to_fit_its_connections(
    database_url: str, tmp_path: Path
) -> None:
    def low_limit() -> None:
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        resource.setrlimit(resource.RLIMIT_NOFILE, (512, hard))

    settings = Settings(database_url=database_url, demo=False, workers=2)
    log = tmp_path / "serve.log"
    with ServeProcess(settings, log=log, cwd=tmp_path, preexec=low_limit) as served:
        for pid in [served.process.pid, *children(served.process.pid)]:
            limits = Path(f"/proc/{pid}/limits").read_text()
            line = next(x for x in limits.splitlines() if x.startswith("Max open files"))
            assert int(line.split()[3]) >= 1024 + 256, line
        assert served.stop() == 0


# As `make run` passes one.
ADMIN_TOKEN = "made-by-make-run-0123456789"


def test_first_start_seeds_a_demo_account_and_prints_how_to_use_it(tmp_path: Path) -> None:
    # No database URL: the default store in the working directory, empty on a first start.
    first_start = Settings(workers=2, admin_token=ADMIN_TOKEN)
    with ServeProcess(first_start, log=tmp_path / "serve.log", cwd=tmp_path) as served:
        lines = served.log_text().splitlines()[:7]
        found = re.search(r"(KEY\S+)", lines[1])
        assert found, lines
        assert "curl" in lines[2] and "export TELNYX_BASE_URL=" in lines[3]
        assert "curl" in lines[4] and "/v2/phone_numbers" in lines[4]
        assert f"http://127.0.0.1:{served.port}/console" in lines[5]
        assert lines[6] == f"NUMBER_ORDERS_ADMIN_TOKEN={ADMIN_TOKEN}"
        response = get(served, "/v2/number_orders", found.group(1))
        owned = get(served, "/v2/phone_numbers", found.group(1))
        clock = get(served, "/_sandbox/clock", ADMIN_TOKEN)
    assert response.status_code == 200
    assert response.json()["meta"]["total_results"] == 300
    # The demo's successful orders bought their numbers.
    assert owned.status_code == 200 and owned.json()["meta"]["total_results"] > 300
    assert clock.status_code == 200 and clock.json()["data"]["offset_seconds"] == 0
