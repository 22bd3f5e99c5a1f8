"""Who may use the control API under `/_sandbox`, on both engines: only the operator's
token; without one configured the prefix does not exist; API keys never work there and
the token never works on `/v2`; wrong tokens count as failed authentications."""

from __future__ import annotations

import httpx

from number_orders.config import Settings
from number_orders.storage.sql_store import SqlStore
from tests.support.live import LiveServer
from tests.support.sandbox import ADMIN_TOKEN, LiveSandbox, live_sandbox

CONTROL = [
    ("GET", "/_sandbox/clock"),
    ("POST", "/_sandbox/clock"),
    ("POST", "/_sandbox/drain"),
    ("POST", "/_sandbox/accounts"),
    ("POST", "/_sandbox/reset"),
    ("GET", "/_sandbox/faults"),
    ("GET", "/_sandbox/requests"),
    ("GET", "/_sandbox"),
]


def error_code(response: httpx.Response) -> str:
    code: str = response.json()["errors"][0]["code"]
    return code


def test_without_an_admin_token_the_prefix_is_not_there(live: LiveServer) -> None:
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    for method, path in CONTROL:
        response = httpx.request(method, live.root_url + path, headers=headers, json={})
        assert response.status_code == 404 and error_code(response) == "10005", path


def test_anything_but_the_token_is_refused(sandbox: LiveSandbox) -> None:
    for authorization in [
        None,
        "Bearer wrong-token-0123456789",
        f"Basic {ADMIN_TOKEN}",
        f"Bearer {ADMIN_TOKEN}x",
    ]:
        headers = {"Authorization": authorization} if authorization else {}
        response = httpx.get(sandbox.server.root_url + "/_sandbox/clock", headers=headers)
        assert response.status_code == 401 and error_code(response) == "10009", authorization
    assert sandbox.raw("GET", "/clock").status_code == 200


def test_an_api_key_never_opens_the_sandbox(sandbox: LiveSandbox) -> None:
    account = sandbox.new_account()
    with sandbox.v2(account) as client:
        assert client.get("/number_orders").status_code == 200
        response = client.get(sandbox.server.root_url + "/_sandbox/clock")
    assert response.status_code == 401 and error_code(response) == "10009"


def test_the_admin_token_never_works_on_v2(sandbox: LiveSandbox) -> None:
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    response = httpx.get(sandbox.base_url + "/number_orders", headers=headers)
    assert response.status_code == 401 and error_code(response) == "10009"


def test_unknown_routes_and_methods_answer_in_the_envelope(sandbox: LiveSandbox) -> None:
    missing = sandbox.raw("GET", "/nothing-here")
    assert missing.status_code == 404 and error_code(missing) == "10005"
    wrong = sandbox.raw("DELETE", "/clock")
    assert wrong.status_code == 405 and wrong.headers["allow"] == "GET, HEAD, POST"
    assert error_code(wrong) == "10015"


def test_bodies_are_checked_like_the_apis(sandbox: LiveSandbox) -> None:
    json_type = {"content-type": "application/json"}
    for content, headers, status in [
        (b"{}", {"content-type": "text/plain"}, 415),
        (b"{not json", json_type, 400),
        (b"[]", json_type, 400),
    ]:
        response = sandbox.raw("POST", "/accounts", content=content, headers=headers)
        assert response.status_code == status, response.text
        assert response.json()["errors"]


def test_wrong_tokens_count_against_the_address_but_the_token_still_opens(
    settings: Settings, store: SqlStore
) -> None:
    limited = settings.with_changes(auth_failure_limit=3, run_worker=False)
    with live_sandbox(limited, store) as sandbox:
        clock = sandbox.server.root_url + "/_sandbox/clock"
        wrong = {"Authorization": "Bearer wrong-token-0123456789"}
        statuses = [httpx.get(clock, headers=wrong).status_code for _ in range(4)]
        assert statuses == [401, 401, 401, 429]
        assert sandbox.raw("GET", "/clock").status_code == 200  # checked first, as keys are
