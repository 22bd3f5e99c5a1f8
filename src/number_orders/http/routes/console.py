"""The web console at `/console`: one HTML page and its ES modules and styles.

The console is a client of the public `/v2` API, run in the browser with the user's own
key, so the server only hands out files: every path under `/console` that is not a file
is the same page, which reads the path and shows the matching view (deep links and
reloads land on the right page).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from number_orders.http.assets import Asset, asset_or_404, load_directory

ASSETS_PREFIX = "assets/"


@cache
def console_assets() -> dict[str, Asset]:
    return load_directory(resources.files("number_orders.http").joinpath("console"))


async def console_page(request: Request) -> Response:
    path: str = request.path_params.get("path", "")
    if path.startswith(ASSETS_PREFIX):
        name = path.removeprefix(ASSETS_PREFIX)
        if name != "index.html":
            return asset_or_404(console_assets(), name).response(request)
    return console_assets()["index.html"].response(request)


ROUTES = [
    Route("/console", console_page, methods=["GET"]),
    Route("/console/{path:path}", console_page, methods=["GET"]),
]
