"""The ceiling: a raw ASGI app that answers every request with fixed bytes.

Served under exactly the uvicorn settings `number-orders serve` uses, it measures what the
HTTP server alone can do on this machine, so the project's throughput reads as a ratio.

    python -m bench.ceiling BODY_FILE PORT
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import uvicorn

from number_orders.server import UVICORN_OPTIONS


def constant_app(body: bytes) -> Any:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    start = {"type": "http.response.start", "status": 200, "headers": headers}
    message = {"type": "http.response.body", "body": body}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await send(start)
        await send(message)

    return app


def main() -> None:
    body = Path(sys.argv[1]).read_bytes()
    uvicorn.run(constant_app(body), host="127.0.0.1", port=int(sys.argv[2]), **UVICORN_OPTIONS)


if __name__ == "__main__":
    main()
