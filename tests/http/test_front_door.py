"""The front door, before authentication: bounded request heads, connections that must
deliver a head in time, and a cap on open connections with a clean refusal. Every request
is sent byte for byte over sockets to a live server, on both engines."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator

import orjson
import pytest

from number_orders.config import Settings
from number_orders.http.front_door import MAX_HEAD_BYTES
from number_orders.storage.sql_store import SqlStore
from tests.support.app import new_key
from tests.support.live import LiveServer


class Reply:
    def __init__(self, raw: bytes) -> None:
        head, _, self.body = raw.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        self.status = int(lines[0].split(b" ")[1])
        self.headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            self.headers[name.decode().lower()] = value.decode().strip()

    def codes(self) -> list[str]:
        assert self.headers["content-type"] == "application/json"
        return [e["code"] for e in orjson.loads(self.body)["errors"]]


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=30)


def read_reply(sock: socket.socket) -> Reply:
    """One response, read to the end of its body (by content-length)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"closed before a response: {data!r}"
        data += chunk
    reply = Reply(data)
    while len(reply.body) < int(reply.headers.get("content-length", "0")):
        chunk = sock.recv(65536)
        assert chunk, "closed in the middle of a body"
        reply.body += chunk
    return reply


def send_all(sock: socket.socket, raw: bytes) -> None:
    # The server may answer and stop reading before everything is sent.
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        sock.sendall(raw)


def is_closed(sock: socket.socket) -> bool:
    """Whether the server has closed the connection (reading would end, not block)."""
    sock.settimeout(0.01)
    try:
        return sock.recv(65536) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    finally:
        sock.settimeout(30)


def get(path: str, key: str | None = None, extra: bytes = b"", close: bool = False) -> bytes:
    auth = f"Authorization: Bearer {key}\r\n".encode() if key else b""
    connection = b"Connection: close\r\n" if close else b""
    return b"GET %s HTTP/1.1\r\nHost: x\r\n%s%s%s\r\n" % (path.encode(), auth, connection, extra)


@pytest.fixture
def key(store: SqlStore) -> str:
    return new_key(store, "acme")


@contextlib.contextmanager
def served(settings: Settings, store: SqlStore, **limits: float) -> Iterator[LiveServer]:
    with LiveServer(settings.with_changes(run_worker=False, **limits), store) as server:
        yield server


# -- the size of a request head ------------------------------------------------------------


def test_three_thousand_small_headers_are_431_before_authentication(
    settings: Settings, store: SqlStore
) -> None:
    headers = b"".join(b"X-H%04d: %s\r\n" % (i, b"v" * 91) for i in range(3000))
    assert len(headers) > 300_000
    with served(settings, store) as server, connect(server.port) as sock:
        send_all(sock, get("/v2/number_orders", extra=headers))
        reply = read_reply(sock)
        assert reply.status == 431 and reply.codes() == ["10015"]
        assert reply.headers["connection"] == "close"


def test_a_url_of_megabytes_is_414_and_never_read_whole(
    settings: Settings, store: SqlStore
) -> None:
    with served(settings, store) as server, connect(server.port) as sock:
        started = time.monotonic()
        send_all(sock, b"GET /v2/number_orders?q=" + b"a" * (8 * 1024 * 1024))
        reply = read_reply(sock)
        assert reply.status == 414 and reply.codes() == ["10015"]
        assert time.monotonic() - started < 10


def test_a_head_just_under_the_limit_is_answered(
    settings: Settings, store: SqlStore, key: str
) -> None:
    count = (MAX_HEAD_BYTES - 1024) // 4010
    headers = b"".join(b"X-H%02d: %s\r\n" % (i, b"v" * 4000) for i in range(count))
    with served(settings, store) as server, connect(server.port) as sock:
        send_all(sock, get("/v2/number_orders", key, headers))
        assert read_reply(sock).status == 200


# -- the time to deliver a head ------------------------------------------------------------


def test_connections_that_never_finish_their_head_are_closed(
    settings: Settings, store: SqlStore
) -> None:
    with served(settings, store, head_timeout=2.0) as server:
        sockets = [connect(server.port) for _ in range(50)]
        try:
            for index, sock in enumerate(sockets):
                # Half send a partial head, the others nothing at all.
                if index % 2:
                    sock.sendall(b"GET /v2/number_orders HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            assert not any(is_closed(s) for s in sockets)
            deadline = time.monotonic() + 5
            while not all(is_closed(s) for s in sockets):
                assert time.monotonic() < deadline, "connections still open after 5 s"
                time.sleep(0.1)
        finally:
            for sock in sockets:
                sock.close()


def test_a_client_that_drips_its_head_is_closed_on_time(
    settings: Settings, store: SqlStore
) -> None:
    """Sending a byte now and then does not extend the deadline (slowloris)."""
    with served(settings, store, head_timeout=1.0) as server, connect(server.port) as sock:
        started = time.monotonic()
        for byte in b"GET /v2/number_orders HTTP/1.1\r\nHost: x\r\n" + b"X" * 100:
            if is_closed(sock):
                break
            send_all(sock, bytes([byte]))
            time.sleep(0.1)
        assert is_closed(sock)
        assert time.monotonic() - started < 3


def test_a_kept_alive_connection_gets_a_new_deadline_after_every_response(
    settings: Settings, store: SqlStore, key: str
) -> None:
    with served(settings, store, head_timeout=1.0) as server, connect(server.port) as sock:
        for _ in range(4):
            time.sleep(0.6)
            sock.sendall(get("/v2/number_orders", key))
            assert read_reply(sock).status == 200
        time.sleep(1.5)
        assert is_closed(sock)


# -- open connections per process ----------------------------------------------------------


def test_past_the_connection_limit_a_request_is_503_in_the_envelope_and_closed(
    settings: Settings, store: SqlStore, key: str
) -> None:
    with served(settings, store, max_connections=8, head_timeout=30.0) as server:
        held = [connect(server.port) for _ in range(8)]
        try:
            for sock in held:
                sock.sendall(get("/v2/number_orders", key))
                assert read_reply(sock).status == 200
            with connect(server.port) as extra:
                extra.sendall(get("/v2/number_orders", key))
                reply = read_reply(extra)
                assert reply.status == 503 and reply.codes() == ["10007"]
                assert reply.headers["retry-after"] == "1"
                assert reply.headers["connection"] == "close"
                time.sleep(0.2)
                assert is_closed(extra)
            held.pop().close()
            time.sleep(0.2)
            with connect(server.port) as again:
                again.sendall(get("/v2/number_orders", key))
                assert read_reply(again).status == 200
        finally:
            for sock in held:
                sock.close()


def test_two_hundred_fifty_six_connections_from_one_address_are_all_served(
    settings: Settings, store: SqlStore, key: str
) -> None:
    with served(settings, store) as server:
        sockets = [connect(server.port) for _ in range(256)]
        try:
            for sock in sockets:
                sock.sendall(get("/v2/number_orders", key))
            assert [read_reply(s).status for s in sockets] == [200] * 256
        finally:
            for sock in sockets:
                sock.close()
