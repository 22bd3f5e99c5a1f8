"""Documents: handlers named after the API operations, and their routes.

An upload is JSON (the content base64-encoded in `file`, as both official clients send
it, `upload` and `upload_json` alike) or `multipart/form-data` (a `file` part, as a form
or curl sends it). Both are bounded by the body limit as they are read; a multipart body
the parser cannot read is a 400 in the envelope.
"""

from __future__ import annotations

from urllib.parse import quote

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from number_orders import errors
from number_orders.domain.documents import (
    DocumentsQuery,
    DocumentUpdate,
    NewDocument,
    UploadedFile,
    document_json,
)
from number_orders.domain.fields import FieldReader
from number_orders.http.bodies import is_json, read_json_object
from number_orders.http.offload import off_loop
from number_orders.http.query_string import parse_pairs
from number_orders.http.responses import json_response
from number_orders.http.routes import account_of, body_limit_of, route, service_of
from number_orders.http.serializers import data_bytes
from number_orders.service import DocumentPage

MULTIPART = "multipart/form-data"
# Form fields a multipart upload may carry besides its file part.
_MAX_FIELDS = 8
# Uploads larger than this are decoded and hashed on the parsing thread, off the loop.
_INLINE_BYTES = 64 * 1024
# A download is an attachment that never runs as a page of this origin.
_DOWNLOAD_HEADERS = {
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'none'; sandbox",
}


async def upload_document(request: Request) -> Response:
    content_type = request.headers.get("content-type", "")
    limit = body_limit_of(request)
    if _media_type(content_type) == MULTIPART:
        new = await _from_form(request, limit)
    elif is_json(content_type):
        body = await read_json_object(request, limit)
        encoded = body.get("file")
        if isinstance(encoded, str) and len(encoded) > _INLINE_BYTES:
            new = await off_loop(NewDocument.from_json, body, limit)
        else:
            new = NewDocument.from_json(body, limit)
    else:
        raise errors.unsupported_media_type(content_type, f"application/json or {MULTIPART}")
    document = await run_in_threadpool(
        service_of(request).upload_document, account_of(request), new
    )
    return json_response(data_bytes(document_json(document)))


async def _from_form(request: Request, limit: int) -> NewDocument:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise errors.payload_too_large(limit)
    # Starlette answers a body its parser cannot read with a 400 (rendered in the envelope).
    form = await request.form(max_files=1, max_fields=_MAX_FIELDS, max_part_size=limit)
    try:
        fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        part = form.get("file")
        if isinstance(part, str):
            reader = FieldReader()
            reader.bad("/file", "file must be a file part (with a filename), not a form field.")
            raise errors.invalid_body(reader.problems)
        uploaded = None
        if isinstance(part, UploadFile):
            uploaded = UploadedFile(part.filename, part.content_type, await part.read())
        fields.pop("file", None)
        return NewDocument.from_form(fields, uploaded, limit)
    finally:
        await form.close()


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


async def list_documents(request: Request) -> Response:
    query = DocumentsQuery.from_params(parse_pairs(request.scope["query_string"]))
    page = await run_in_threadpool(service_of(request).list_documents, account_of(request), query)
    return json_response(_page_bytes(page))


async def retrieve_document(request: Request) -> Response:
    document = await run_in_threadpool(
        service_of(request).retrieve_document, account_of(request), request.path_params["id"]
    )
    return json_response(data_bytes(document_json(document)))


async def update_document(request: Request) -> Response:
    service, account_id, document_id = (
        service_of(request),
        account_of(request),
        request.path_params["id"],
    )
    # An unknown document is a 404 before anything about the body, as for an unknown route.
    await run_in_threadpool(service.retrieve_document, account_id, document_id)
    update = DocumentUpdate.from_body(await read_json_object(request, body_limit_of(request)))
    document = await run_in_threadpool(service.update_document, account_id, document_id, update)
    return json_response(data_bytes(document_json(document)))


async def delete_document(request: Request) -> Response:
    document = await run_in_threadpool(
        service_of(request).delete_document, account_of(request), request.path_params["id"]
    )
    return json_response(data_bytes(document_json(document)))


async def download_document(request: Request) -> Response:
    document, content = await run_in_threadpool(
        service_of(request).download_document, account_of(request), request.path_params["id"]
    )
    # The type as stored (never rewritten with a charset); the name percent-encoded, so
    # no filename can break the header.
    disposition = f"attachment; filename*=UTF-8''{quote(document.filename, safe='')}"
    headers = {
        **_DOWNLOAD_HEADERS,
        "content-type": document.content_type,
        "content-disposition": disposition,
    }
    return Response(content, headers=headers)


def _page_bytes(page: DocumentPage) -> bytes:
    return orjson.dumps({"data": [document_json(d) for d in page.documents], "meta": page.meta})


ROUTES = [
    route("/v2/documents", GET=list_documents, POST=upload_document),
    route(
        "/v2/documents/{id}",
        GET=retrieve_document,
        PATCH=update_document,
        DELETE=delete_document,
    ),
    route("/v2/documents/{id}/download", GET=download_document),
]
