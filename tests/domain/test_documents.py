"""Documents: upload rules both ways, the review, JSON, updates, the query, and what a
`document` requirement accepts."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
from telnyx.types.doc_service_document import DocServiceDocument
from telnyx.types.document_delete_response import DocumentDeleteResponse
from telnyx.types.document_retrieve_response import DocumentRetrieveResponse
from telnyx.types.document_update_response import DocumentUpdateResponse
from telnyx.types.document_upload_json_response import DocumentUploadJsonResponse

from number_orders.domain.documents import (
    DENIED,
    PENDING,
    VERIFIED,
    Document,
    DocumentsQuery,
    DocumentUpdate,
    NewDocument,
    UploadedFile,
    content_type_of,
    document_json,
    document_value_problem,
    named_document_ids,
)
from number_orders.domain.parameters import SortKey
from number_orders.errors import ApiError
from tests.domain.surface import assert_client_reads, assert_response

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
ID = "6a09cdc3-8948-47f0-aa62-74ac943d6c58"


def encoded(data: bytes) -> str:
    return base64.b64encode(data).decode()


def uploaded(filename: str = "lease.pdf", data: bytes = PDF, now: int = 10) -> Document:
    new = NewDocument.from_json({"file": encoded(data), "filename": filename}, max_bytes=1024)
    return new.build(now=now, review_delay=5, make_id=lambda: ID)


def problems(body: dict[str, Any], max_bytes: int = 1024) -> list[tuple[str | None, str]]:
    with pytest.raises(ApiError) as raised:
        NewDocument.from_json(body, max_bytes)
    assert raised.value.status == 422
    return [(p.pointer, p.detail) for p in raised.value.problems]


def test_a_json_upload_is_decoded_hashed_and_typed() -> None:
    body = {"file": encoded(PDF), "filename": "lease.bin", "customer_reference": "MY REF 001"}
    new = NewDocument.from_json(body, max_bytes=len(PDF))
    assert new.data == PDF and new.content_type == "application/pdf"  # the content decides
    document = new.build(now=10, review_delay=5, make_id=lambda: ID)
    assert document.sha256 == hashlib.sha256(PDF).hexdigest() and document.size == len(PDF)
    assert (document.status, document.review_at, document.customer_reference) == (
        PENDING,
        15,
        "MY REF 001",
    )


def test_base64_with_line_breaks_or_without_padding_is_read() -> None:
    text = base64.encodebytes(b"x" * 100).decode()  # MIME: a line break every 76 characters
    assert NewDocument.from_json({"file": text}, 1024).data == b"x" * 100
    assert NewDocument.from_json({"file": "eA"}, 1024).data == b"x"
    assert NewDocument.from_json({"file": "eA"}, 1024).filename == "document"


def test_every_bad_field_of_a_json_upload_is_reported() -> None:
    assert problems({}) == [("/file", "file (the document's content, base64-encoded) is required.")]
    found = problems({"file": "not base64!", "filename": "", "url": "https://example.com/a.pdf"})
    assert [pointer for pointer, _ in found] == ["/url", "/file", "/filename"]
    assert problems({"file": 7}) == [
        ("/file", "file must be a base64-encoded string; got a number.")
    ]
    assert problems({"file": ""}) == [("/file", "file must not be empty.")]
    assert problems({"file": encoded(b"x" * 11)}, max_bytes=10) == [
        ("/file", "file must hold at most 10 bytes; got 11.")
    ]
    assert problems({"file": encoded(b"x" * 40)}, max_bytes=10) == [
        ("/file", "file must hold at most 10 bytes once decoded.")
    ]


def test_a_multipart_upload_names_the_file_by_its_part() -> None:
    part = UploadedFile(
        "C:\\scans\\passport.png", "application/octet-stream", b"\x89PNG\r\n\x1a\n..."
    )
    new = NewDocument.from_form({"customer_reference": "REF"}, part, max_bytes=100)
    assert (new.filename, new.content_type, new.customer_reference) == (
        "passport.png",
        "image/png",
        "REF",
    )
    declared = UploadedFile(None, "text/markdown", b"# notes")
    assert NewDocument.from_form({}, declared, 100).content_type == "text/markdown"
    with pytest.raises(ApiError) as raised:
        NewDocument.from_form({"customer_reference": ""}, None, max_bytes=100)
    assert [p.pointer for p in raised.value.problems] == ["/file", "/customer_reference"]


@pytest.mark.parametrize(
    ("data", "filename", "kind"),
    [
        (b"\xff\xd8\xff\xe0", "scan", "image/jpeg"),
        (b"GIF89a", "x.pdf", "image/gif"),
        (b"plain", "notes.TXT", "text/plain"),
        (
            b"PK\x03\x04",
            "form.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (b"\x00\x01", "blob", "application/octet-stream"),
    ],
)
def test_content_type_from_signature_then_extension(data: bytes, filename: str, kind: str) -> None:
    assert content_type_of(data, filename) == kind


def test_the_review_verifies_unless_the_filename_says_deny() -> None:
    document = uploaded()
    assert document.reviewed(now=14) == document  # not due yet
    verified = document.reviewed(now=15)
    assert (verified.status, verified.updated_at) == (VERIFIED, 15)
    assert verified.reviewed(now=20) == verified
    assert uploaded("please-DENY-me.pdf").reviewed(now=16).status == DENIED


def test_documents_match_the_spec_and_the_client() -> None:
    pending = uploaded()
    verified = DocumentUpdate.from_body({"customer_reference": "R"}).apply(pending.reviewed(15), 16)
    assert verified is not None
    for document in (pending, verified):
        body = {"data": document_json(document)}
        for path, method in [
            ("/documents", "post"),
            ("/documents/{id}", "get"),
            ("/documents/{id}", "patch"),
            ("/documents/{id}", "delete"),
        ]:
            assert_response(path, method, body)
        for model in (
            DocumentUploadJsonResponse,
            DocumentRetrieveResponse,
            DocumentUpdateResponse,
            DocumentDeleteResponse,
        ):
            assert_client_reads(model, body)
    listed = [document_json(pending), document_json(verified)]
    assert_response("/documents", "get", {"data": listed, "meta": DocumentsQuery().page.meta(2)})
    assert_client_reads(DocServiceDocument, listed[1])
    assert document_json(pending)["av_scan_status"] == "pending_scan"
    assert document_json(verified)["size"] == {"amount": len(PDF), "unit": "bytes"}


def test_an_update_renames_and_references_but_keeps_the_verdict() -> None:
    document = uploaded().reviewed(now=15)
    renamed = DocumentUpdate.from_body(
        {"filename": "deny.pdf", "status": "denied", "id": "x"}
    ).apply(document, 15)
    assert renamed is not None
    assert (renamed.filename, renamed.status, renamed.updated_at) == ("deny.pdf", VERIFIED, 16)
    assert DocumentUpdate.from_body({"filename": "lease.pdf"}).apply(document, 20) is None
    cleared = DocumentUpdate.from_body({"customer_reference": None})
    assert cleared.apply(document, 20) is None  # it had none
    with pytest.raises(ApiError) as raised:
        DocumentUpdate.from_body({"filename": None, "customer_reference": 5})
    assert [p.pointer for p in raised.value.problems] == ["/filename", "/customer_reference"]


def test_the_query_reads_filters_sort_and_page() -> None:
    query = DocumentsQuery.from_params(
        [
            ("filter[filename][contains]", "LEASE"),
            ("filter[customer_reference][in][]", "A"),
            ("filter[customer_reference][in]", "B,C"),
            ("filter[created_at][gt]", "1970-01-01T00:00:00.000009Z"),
            ("sort", "filename"),
            ("page[size]", "5"),
        ]
    )
    assert query.customer_references == ("A", "B", "C") and query.sort == (
        SortKey("filename", False),
    )
    assert query.page.size == 5 and DocumentsQuery().sort == (SortKey("created_at", True),)
    referenced = NewDocument.from_json(
        {"file": encoded(PDF), "filename": "lease.pdf", "customer_reference": "B"}, 1024
    )
    assert query.admits(referenced.build(now=10, review_delay=0, make_id=lambda: ID))
    assert not query.admits(referenced.build(now=9, review_delay=0, make_id=lambda: ID))
    assert not query.admits(uploaded())  # no reference
    with pytest.raises(ApiError) as raised:
        DocumentsQuery.from_params([("filter[created_at][gt]", "yesterday"), ("sort", "size")])
    assert [p.parameter for p in raised.value.problems] == ["filter[created_at][gt]", "sort"]


def test_a_document_requirement_takes_only_a_verified_document() -> None:
    statuses = {ID: VERIFIED, "11111111-1111-4111-8111-111111111111": PENDING}
    assert document_value_problem("/v", ID.upper(), statuses) is None
    assert document_value_problem("/v", "decline", statuses) is None  # declined by review instead
    pending = document_value_problem("/v", "11111111-1111-4111-8111-111111111111", statuses)
    assert pending is not None and "is pending" in pending.detail
    foreign = document_value_problem("/v", "22222222-2222-4222-8222-222222222222", statuses)
    assert (
        foreign is not None
        and foreign.pointer == "/v"
        and "not a document of this account" in foreign.detail
    )


@pytest.mark.parametrize(
    ("declared", "kind"),
    [
        ("Text/Markdown; charset=utf-8", "text/markdown"),
        ("text/html\r\nX-Injected: 1", "application/octet-stream"),
        ("no-slash", "application/octet-stream"),
        ("a/" + "b" * 200, "application/octet-stream"),
        (None, "application/octet-stream"),
    ],
)
def test_a_declared_type_counts_only_as_a_plain_media_type(declared: str | None, kind: str) -> None:
    assert content_type_of(b"\x00", "blob", declared) == kind


def test_values_that_could_name_documents_are_canonical_ids() -> None:
    assert named_document_ids([ID.upper(), "decline", "1 Main St", ID]) == {ID}
