"""/v2/documents over a real socket, on both engines: uploads as JSON (base64) and as
multipart, the review to verified or denied, the list's filters, sort and pages, update,
delete, download, and every refusal in the envelope."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from number_orders.storage.sql_store import SqlStore
from number_orders.testing import wait_until
from tests.domain.surface import assert_response
from tests.http.regulatory import MALFORMED, UNKNOWN
from tests.support.app import new_key
from tests.support.live import LiveServer, client_for

PDF = b"%PDF-1.7\n" + bytes(range(256))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def client(live: LiveServer, store: SqlStore) -> Iterator[httpx.Client]:
    with client_for(live, new_key(store, "acme")) as client:
        yield client


@pytest.fixture
def other(live: LiveServer, store: SqlStore) -> Iterator[httpx.Client]:
    with client_for(live, new_key(store, "globex")) as client:
        yield client


def upload(client: httpx.Client, data: bytes = PDF, **fields: Any) -> dict[str, Any]:
    body = {"file": base64.b64encode(data).decode(), **fields}
    response = client.post("/documents", json=body)
    assert response.status_code == 200, response.text
    assert_response("/documents", "post", response.json())
    document: dict[str, Any] = response.json()["data"]
    return document


def reviewed(client: httpx.Client, document_id: str) -> dict[str, Any]:
    def fetch() -> dict[str, Any] | None:
        data: dict[str, Any] = client.get(f"/documents/{document_id}").json()["data"]
        return data if data["status"] != "pending" else None

    result: dict[str, Any] = wait_until(fetch)
    return result


def refused(response: httpx.Response, status: int) -> list[tuple[str, str | None, str]]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    return [
        (e["code"], (e.get("source") or {}).get("pointer"), e["detail"])
        for e in response.json()["errors"]
    ]


def test_a_json_upload_is_pending_then_verified(client: httpx.Client) -> None:
    document = upload(client, filename="lease.bin", customer_reference="REF-1")
    assert document["status"] == "pending" and document["av_scan_status"] == "pending_scan"
    assert document["content_type"] == "application/pdf"  # from the content's signature
    assert document["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert document["size"] == {"amount": len(PDF), "unit": "bytes"}
    verified = reviewed(client, document["id"])
    assert (verified["status"], verified["av_scan_status"]) == ("verified", "scanned")
    assert verified["updated_at"] > document["updated_at"]
    assert_response("/documents/{id}", "get", {"data": verified})


def test_a_filename_with_deny_is_denied(client: httpx.Client) -> None:
    document = upload(client, filename="Please-Deny-This.pdf")
    assert reviewed(client, document["id"])["status"] == "denied"


def test_a_multipart_upload_and_its_download(client: httpx.Client) -> None:
    files = {"file": ("C:\\scans\\passport.png", PNG, "application/octet-stream")}
    response = client.post("/documents", files=files, data={"customer_reference": "MP"})
    assert response.status_code == 200, response.text
    document = response.json()["data"]
    assert (document["filename"], document["content_type"], document["customer_reference"]) == (
        "passport.png",
        "image/png",
        "MP",
    )
    download = client.get(f"/documents/{document['id']}/download")
    assert download.status_code == 200 and download.content == PNG
    assert download.headers["content-type"] == "image/png"
    assert download.headers["content-disposition"] == "attachment; filename*=UTF-8''passport.png"
    assert download.headers["x-content-type-options"] == "nosniff"


def test_a_declared_type_is_kept_only_when_it_is_a_plain_media_type(client: httpx.Client) -> None:
    for declared, kept in [
        ("text/markdown; charset=utf-8", "text/markdown"),
        ("text/html\u00e9<script>", "application/octet-stream"),
    ]:
        files = {"file": ("notes", b"# notes", declared)}
        document = client.post("/documents", files=files).json()["data"]
        assert document["content_type"] == kept
        download = client.get(f"/documents/{document['id']}/download")
        assert download.headers["content-type"] == kept  # never given a charset


def test_a_filename_field_names_a_multipart_upload(client: httpx.Client) -> None:
    files = {"file": ("scan.pdf", PDF, "application/pdf")}
    response = client.post("/documents", files=files, data={"filename": "Ünïcode name.pdf"})
    document = response.json()["data"]
    assert document["filename"] == "Ünïcode name.pdf"
    download = client.get(f"/documents/{document['id']}/download")
    assert download.headers["content-disposition"].endswith("%C3%9Cn%C3%AFcode%20name.pdf")


def test_bad_uploads_are_refused_in_the_envelope(client: httpx.Client) -> None:
    assert refused(client.post("/documents", json={"file": "not base64!"}), 422) == [
        (
            "10015",
            "/file",
            "file must be base64-encoded (standard alphabet, as RFC 4648 says).",
        )
    ]
    assert [p for _, p, _ in refused(client.post("/documents", json={}), 422)] == ["/file"]
    url_only = client.post("/documents", json={"url": "https://example.com/a.pdf"})
    assert [p for _, p, _ in refused(url_only, 422)] == ["/url", "/file"]
    wrong_type = client.post("/documents", content=b"x", headers={"content-type": "text/plain"})
    assert refused(wrong_type, 415)[0][0] == "10014"
    field_not_file = client.post("/documents", files={"file": (None, "abc")})
    assert refused(field_not_file, 422)[0][1] == "/file"
    no_file = client.post("/documents", files={"other": ("a.pdf", PDF)})
    assert refused(no_file, 422)[0][1] == "/file"
    two_files = client.post("/documents", files=[("file", ("a", b"1")), ("file", ("b", b"2"))])
    assert refused(two_files, 400)[0][0] == "10015"
    empty = client.post("/documents", files={"file": ("a.pdf", b"")})
    assert refused(empty, 422)[0][2] == "file must not be empty."


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b"--x\r\n"),  # no boundary
        ("multipart/form-data; boundary=x", b"garbage without any boundary"),
        (
            "multipart/form-data; boundary=x",
            b"--x\r\nContent-Disposition: form-data\r\n\r\nv\r\n--x--\r\n",
        ),
        ("multipart/form-data; boundary=x", b"--x\r\n\r\n\r\n--x--\r\n"),
        (
            "multipart/form-data; boundary=x",
            b'--x\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\ntruncated',
        ),
    ],
)
def test_malformed_multipart_is_4xx(client: httpx.Client, content_type: str, body: bytes) -> None:
    response = client.post("/documents", content=body, headers={"content-type": content_type})
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["errors"][0]["code"] in ("10004", "10015")


def test_an_upload_over_the_body_limit_is_413(live: LiveServer, client: httpx.Client) -> None:
    big = b"x" * (1024 * 1024 + 1)
    too_big = client.post("/documents", files={"file": ("big.bin", big)})
    assert refused(too_big, 413)[0][0] == "10015"
    encoded = client.post("/documents", json={"file": base64.b64encode(big).decode()})
    assert refused(encoded, 413)[0][0] == "10015"
    # The largest file whose base64 body fits is taken, decoded off the loop.
    fits = b"y" * 700_000
    assert upload(client, fits)["size"]["amount"] == len(fits)


def test_the_list_filters_sorts_and_pages_with_exact_totals(client: httpx.Client) -> None:
    made = [
        upload(client, filename=name, customer_reference=ref)
        for name, ref in [("b-lease.pdf", "A"), ("a-ID.png", "B"), ("c-lease.txt", "A")]
    ]
    body = client.get("/documents", params={"page[size]": 2}).json()
    assert_response("/documents", "get", body)
    assert [d["id"] for d in body["data"]] == [made[2]["id"], made[1]["id"]]
    assert body["meta"] == {"page_number": 1, "page_size": 2, "total_pages": 2, "total_results": 3}

    def listed(**params: Any) -> tuple[list[str], int]:
        response = client.get("/documents", params=params)
        assert response.status_code == 200, response.text
        found = response.json()
        return [d["filename"] for d in found["data"]], found["meta"]["total_results"]

    assert listed(**{"filter[filename][contains]": "LEASE"}) == (
        ["c-lease.txt", "b-lease.pdf"],
        2,
    )
    assert listed(**{"filter[customer_reference][eq]": "B"}) == (["a-ID.png"], 1)
    assert listed(**{"filter[customer_reference][in][]": "A,B"})[1] == 3
    assert listed(sort="filename")[0] == ["a-ID.png", "b-lease.pdf", "c-lease.txt"]
    assert listed(sort="-filename")[0][0] == "c-lease.txt"
    assert listed(**{"filter[created_at][gt]": made[0]["created_at"]})[1] == 2
    assert listed(**{"filter[created_at][lt]": made[0]["created_at"]})[1] == 0
    bad = client.get("/documents", params={"sort": "size", "filter[created_at][gt]": "soon"})
    assert [p for _, p, _ in refused(bad, 400)] == [None, None]
    assert [e["source"]["parameter"] for e in bad.json()["errors"]] == [
        "sort",
        "filter[created_at][gt]",
    ]


def test_update_renames_and_references_and_keeps_the_verdict(client: httpx.Client) -> None:
    document = reviewed(client, upload(client, filename="old.pdf")["id"])
    path = f"/documents/{document['id']}"
    changed = client.patch(path, json={"filename": "deny-new.pdf", "customer_reference": "R"})
    assert changed.status_code == 200, changed.text
    assert_response("/documents/{id}", "patch", changed.json())
    data = changed.json()["data"]
    assert (data["filename"], data["customer_reference"], data["status"]) == (
        "deny-new.pdf",
        "R",
        "verified",
    )
    assert data["updated_at"] > document["updated_at"]
    cleared = client.patch(path, json={"customer_reference": None}).json()["data"]
    assert "customer_reference" not in cleared
    assert client.patch(path, json={}).json()["data"] == cleared  # nothing to change
    assert refused(client.patch(path, json={"filename": ""}), 422)[0][1] == "/filename"
    assert refused(client.patch(path, content=b"x"), 415)[0][0] == "10014"


def test_delete_answers_the_document_and_it_is_gone(client: httpx.Client) -> None:
    document = upload(client, filename="gone.pdf")
    path = f"/documents/{document['id']}"
    deleted = client.delete(path)
    assert deleted.status_code == 200 and deleted.json()["data"]["id"] == document["id"]
    assert_response("/documents/{id}", "delete", deleted.json())
    for response in (
        client.get(path),
        client.get(path + "/download"),
        client.delete(path),
        client.patch(path, json={"filename": "x.pdf"}),
    ):
        assert refused(response, 404)[0][0] == "10005"
    assert client.get("/documents").json()["meta"]["total_results"] == 0


@pytest.mark.parametrize("bad_id", [UNKNOWN, *MALFORMED])
def test_unknown_and_malformed_ids_are_404(client: httpx.Client, bad_id: str) -> None:
    for response in (
        client.get(f"/documents/{bad_id}"),
        client.get(f"/documents/{bad_id}/download"),
        client.delete(f"/documents/{bad_id}"),
        client.patch(f"/documents/{bad_id}", json={"filename": "x"}),
    ):
        assert refused(response, 404)[0][0] == "10005"


def test_one_account_never_sees_anothers_documents(
    client: httpx.Client, other: httpx.Client
) -> None:
    document = upload(client, filename="mine.pdf")
    path = f"/documents/{document['id']}"
    for response in (
        other.get(path),
        other.get(path + "/download"),
        other.patch(path, json={"filename": "theirs.pdf"}),
        other.delete(path),
    ):
        assert refused(response, 404)[0][0] == "10005"
    assert other.get("/documents").json()["meta"]["total_results"] == 0
    assert client.get(path).json()["data"]["filename"] == "mine.pdf"
