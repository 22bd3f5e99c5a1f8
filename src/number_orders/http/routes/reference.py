"""The interactive API reference at `/v2/docs` (and `/docs`): Swagger UI over the served
OpenAPI document, with "try it out" authorised by an API key.

Swagger UI's files come from the `swagger-ui-bundle-v2` package, so the page works
offline; the page and the script that starts Swagger UI are this project's
(`http/reference/`), because the policy allows no inline script.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from number_orders.http.assets import Asset, asset_or_404, load_directory

_SWAGGER_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png")


@cache
def reference_assets() -> dict[str, Asset]:
    ours = load_directory(resources.files("number_orders.http").joinpath("reference"))
    vendor = resources.files("swagger_ui_bundle").joinpath("vendor")
    (swagger,) = (d for d in vendor.iterdir() if d.name.startswith("swagger-ui-"))
    return ours | {name: Asset.load(swagger.joinpath(name)) for name in _SWAGGER_FILES}


async def reference_page(request: Request) -> Response:
    return reference_assets()["reference.html"].response(request)


async def reference_asset(request: Request) -> Response:
    asset = asset_or_404(reference_assets(), request.path_params["name"])
    return asset.response(request)


ROUTES = [
    Route("/v2/docs", reference_page, methods=["GET"]),
    Route("/docs", reference_page, methods=["GET"]),
    Route("/docs/assets/{name}", reference_asset, methods=["GET"]),
]
