"""Documents: the upload rules (JSON with base64 content, or multipart), their review,
their JSON, updates, the listing query, and what a `document` requirement accepts.

Content is stored as uploaded; its SHA-256, size and content type are computed here. A new
document is `pending`; once its review is due (`review_at`, the upload plus the review
delay) the worker settles it: `denied` when its filename contains `deny` (a sandbox
trigger, like the test numbers), else `verified`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from number_orders.domain.fields import FieldReader, json_type, shown
from number_orders.domain.listing import DEFAULT_PAGE_SIZE
from number_orders.domain.orders import parse_order_id
from number_orders.domain.parameters import (
    PAGE_RULES,
    Page,
    Rule,
    SortKey,
    instant,
    read_params,
    sort_rules,
    text,
)
from number_orders.domain.requirements_status import declines
from number_orders.domain.timestamps import format_micros
from number_orders.errors import Problem, bad_field, invalid_body

PENDING, VERIFIED, DENIED = "pending", "verified", "denied"
DOCUMENT_STATUSES = (PENDING, VERIFIED, DENIED)
DENY_TRIGGER = "deny"
DEFAULT_FILENAME = "document"
OCTET_STREAM = "application/octet-stream"

_WHITESPACE = re.compile(rb"\s+")
# RFC 6838's restricted names: what a declared media type must be to be served back.
_MEDIA_TYPE = re.compile(
    r"[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}", re.ASCII
)
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)
# A fixed table rather than `mimetypes`, whose answers depend on the machine's files.
_EXTENSIONS = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "txt": "text/plain",
    "csv": "text/csv",
    "json": "application/json",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def content_type_of(data: bytes, filename: str, declared: str | None = None) -> str:
    """What the content is: its signature first, then the filename's extension, then
    what the upload declared."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    extension = filename.rpartition(".")[2].lower() if "." in filename else ""
    if extension in _EXTENSIONS:
        return _EXTENSIONS[extension]
    return _media_type(declared) or OCTET_STREAM


def _media_type(declared: str | None) -> str | None:
    """A declared type without its parameters, or None unless it is a plain media type
    (it becomes a response header when the document is downloaded)."""
    if declared is None:
        return None
    kind = declared.split(";", 1)[0].strip().lower()
    return kind if _MEDIA_TYPE.fullmatch(kind) else None


def review_outcome(filename: str) -> str:
    return DENIED if DENY_TRIGGER in filename.lower() else VERIFIED


@dataclass(frozen=True, slots=True)
class Document:
    """A document's record; its content is stored beside it."""

    id: str
    filename: str
    content_type: str
    sha256: str
    size: int
    status: str
    created_at: int
    updated_at: int
    review_at: int
    customer_reference: str | None = None

    def review_due(self, now: int) -> bool:
        return self.status == PENDING and now >= self.review_at

    def reviewed(self, now: int) -> Document:
        """The document once its review has run (unchanged if it is not due)."""
        if not self.review_due(now):
            return self
        return replace(
            self, status=review_outcome(self.filename), updated_at=max(now, self.updated_at)
        )


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """The file part of a multipart upload, as the HTTP layer read it."""

    filename: str | None
    content_type: str | None
    data: bytes


@dataclass(frozen=True, slots=True)
class NewDocument:
    data: bytes
    filename: str
    content_type: str
    customer_reference: str | None = None

    @classmethod
    def from_json(cls, body: Mapping[str, Any], max_bytes: int) -> NewDocument:
        """`{file (base64), filename, customer_reference}`, or one 422 listing every problem."""
        reader = FieldReader()
        if body.get("url") is not None:
            reader.bad(
                "/url", "url uploads are not offered; send the content base64-encoded in file."
            )
        data = _base64_file(reader, body.get("file"), max_bytes)
        filename = reader.text(body, "filename", "/filename") or DEFAULT_FILENAME
        reference = reader.text(body, "customer_reference", "/customer_reference")
        if reader.problems or data is None:
            raise invalid_body(reader.problems)
        return cls(data, filename, content_type_of(data, filename), reference)

    @classmethod
    def from_form(
        cls, fields: Mapping[str, str], file: UploadedFile | None, max_bytes: int
    ) -> NewDocument:
        """A `multipart/form-data` upload: the `file` part and a `customer_reference` field."""
        reader = FieldReader()
        if file is None:
            reader.missing("/file", "file (the document, as a file part)")
        else:
            _check_size(reader, file.data, max_bytes)
        filename = _form_filename(reader, fields, file)
        reference = reader.text(fields, "customer_reference", "/customer_reference")
        if reader.problems or file is None:
            raise invalid_body(reader.problems)
        kind = content_type_of(file.data, filename, file.content_type)
        return cls(file.data, filename, kind, reference)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def build(self, now: int, review_delay: int, make_id: Callable[[], str]) -> Document:
        """The pending record; its review is due `review_delay` microseconds from now."""
        return Document(
            id=make_id(),
            filename=self.filename,
            content_type=self.content_type,
            sha256=self.sha256,
            size=len(self.data),
            status=PENDING,
            created_at=now,
            updated_at=now,
            review_at=now + review_delay,
            customer_reference=self.customer_reference,
        )


def _base64_file(reader: FieldReader, value: Any, max_bytes: int) -> bytes | None:
    if value is None:
        reader.missing("/file", "file (the document's content, base64-encoded)")
        return None
    if not isinstance(value, str):
        reader.bad("/file", f"file must be a base64-encoded string; got {json_type(value)}.")
        return None
    compact = _WHITESPACE.sub(b"", value.encode("ascii", "replace"))  # MIME line breaks
    if len(compact) > -(-max_bytes // 3) * 4:  # too big, known before decoding
        reader.bad("/file", f"file must hold at most {max_bytes} bytes once decoded.")
        return None
    try:
        data = base64.b64decode(compact + b"=" * (-len(compact) % 4), validate=True)
    except (binascii.Error, ValueError):
        reader.bad("/file", "file must be base64-encoded (standard alphabet, as RFC 4648 says).")
        return None
    return data if _check_size(reader, data, max_bytes) else None


def _check_size(reader: FieldReader, data: bytes, max_bytes: int) -> bool:
    if not data:
        reader.bad("/file", "file must not be empty.")
    elif len(data) > max_bytes:
        reader.bad("/file", f"file must hold at most {max_bytes} bytes; got {len(data)}.")
    else:
        return True
    return False


def _form_filename(
    reader: FieldReader, fields: Mapping[str, str], file: UploadedFile | None
) -> str:
    if "filename" in fields:
        return reader.text(fields, "filename", "/filename") or DEFAULT_FILENAME
    name = (file.filename if file else None) or DEFAULT_FILENAME
    # A browser may send a client-side path; only its last part names the file.
    name = re.split(r"[\\/]", name)[-1] or DEFAULT_FILENAME
    return reader.text_value(name, "the file part's filename", "/file") or DEFAULT_FILENAME


def document_json(document: Document) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": document.id,
        "record_type": "document",
        "filename": document.filename,
        "content_type": document.content_type,
        "sha256": document.sha256,
        "size": {"amount": document.size, "unit": "bytes"},
        "status": document.status,
        "av_scan_status": "pending_scan" if document.status == PENDING else "scanned",
        "created_at": format_micros(document.created_at),
        "updated_at": format_micros(document.updated_at),
    }
    if document.customer_reference is not None:
        body["customer_reference"] = document.customer_reference
    return body


_KEEP = object()  # a field absent from an update: leave it as it is


@dataclass(frozen=True, slots=True)
class DocumentUpdate:
    """`PATCH /documents/{id}`: `filename` and `customer_reference` change; the other
    fields of the body are read-only and ignored, as the spec marks them."""

    filename: Any = _KEEP  # a string or _KEEP
    customer_reference: Any = _KEEP  # a string, None to clear it, or _KEEP

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> DocumentUpdate:
        reader = FieldReader()
        filename = _KEEP
        if "filename" in body:
            filename = reader.text(body, "filename", "/filename", required=True)
        reference = _KEEP
        if "customer_reference" in body:
            reference = reader.text(body, "customer_reference", "/customer_reference")
        if reader.problems:
            raise invalid_body(reader.problems)
        return cls(filename, reference)

    def apply(self, document: Document, now: int) -> Document | None:
        """The document after this update, or None when nothing would change. The review
        outcome stays: it judged the content, not the name."""
        changed = replace(
            document,
            filename=document.filename if self.filename is _KEEP else self.filename,
            customer_reference=(
                document.customer_reference
                if self.customer_reference is _KEEP
                else self.customer_reference
            ),
        )
        if changed == document:
            return None
        return replace(changed, updated_at=max(now, document.updated_at + 1))


@dataclass(frozen=True, slots=True)
class DocumentsQuery:
    """`GET /documents`: filters, `sort` (newest first by default) and `page`."""

    filename_contains: str | None = None
    customer_reference: str | None = None
    customer_references: tuple[str, ...] = ()
    created_after: int | None = None
    created_before: int | None = None
    sort: tuple[SortKey, ...] = (SortKey("created_at", True),)
    page_number: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    @classmethod
    def from_params(cls, pairs: Iterable[tuple[str, str]]) -> DocumentsQuery:
        return cls(**read_params(pairs, _RULES))

    @property
    def page(self) -> Page:
        return Page(self.page_number, self.page_size)

    def admits(self, document: Document) -> bool:
        reference = document.customer_reference
        return (
            (
                self.filename_contains is None
                or self.filename_contains.casefold() in document.filename.casefold()
            )
            and self.customer_reference in (None, reference)
            and (not self.customer_references or reference in self.customer_references)
            and (self.created_after is None or document.created_at > self.created_after)
            and (self.created_before is None or document.created_at < self.created_before)
        )


_IN = Rule("customer_references", text, many=True)
_RULES = {
    "filter[filename][contains]": Rule("filename_contains", text),
    "filter[customer_reference][eq]": Rule("customer_reference", text),
    "filter[customer_reference][in]": _IN,
    "filter[customer_reference][in][]": _IN,
    "filter[created_at][gt]": Rule("created_after", instant),
    "filter[created_at][lt]": Rule("created_before", instant),
    **sort_rules(("filename", "created_at", "updated_at")),
    **PAGE_RULES,
}


def named_document_ids(values: Iterable[str]) -> set[str]:
    """The values that could name documents, as canonical ids: the statuses to read for
    `document_value_problem`."""
    return {i for i in (parse_order_id(v) for v in values) if i is not None}


def document_value_problem(where: str, value: str, statuses: Mapping[str, str]) -> Problem | None:
    """Why `value` cannot answer a `document` requirement, or None if it can.

    `statuses` maps the caller's document ids to their status (the service reads those
    the values name). `decline` passes here: the regulator's check declines it later, as
    it does for every field type.
    """
    if declines(value):
        return None
    status = statuses.get(value.lower())
    if status is None:
        return bad_field(
            where,
            f"field_value {shown(value)} is not a document of this account; "
            "upload one at /documents and give its id.",
        )
    if status != VERIFIED:
        return bad_field(
            where,
            f"document {value} is {status}; a document requirement accepts only a verified document.",
        )
    return None
