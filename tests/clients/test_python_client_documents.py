"""The official Python client, unchanged and with strict response validation, through every
documents operation, and a verified document carrying an order through its requirements:
with rules that make GB numbers need an address and a document, a group holding both is
approved, and an order naming it succeeds; and the same path through a sub order, from
an order waiting for its requirements to the webhook that announces its success. On both
engines."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator

import pytest
from telnyx import NotFoundError, Telnyx, UnprocessableEntityError

from number_orders.service import NumberOrdersService
from number_orders.testing import WebhookReceiver, wait_until
from tests.http.regulatory import GB_ADDRESS, GB_DOCUMENT, UNKNOWN, Regulatory
from tests.http.regulatory import regulatory_server as _server
from tests.support.clients import strict_client
from tests.support.databases import ENGINES
from tests.support.orders import number

PDF = b"%PDF-1.7\n" + bytes(range(256))


@pytest.fixture(scope="module", params=ENGINES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Regulatory]:
    yield from _server(request, tmp_path_factory)


def strict(server: Regulatory, key: str | None = None) -> Telnyx:
    return strict_client(
        server.app.base_url, key or server.key, http_client=server.app.http_client()
    )


def encoded(data: bytes = PDF) -> str:
    return base64.b64encode(data).decode()


def document_status(client: Telnyx, document_id: str) -> str | None:
    document = client.documents.retrieve(document_id).data
    return document.status if document else None


def order_status(client: Telnyx, order_id: str) -> str | None:
    order = client.number_orders.retrieve(order_id).data
    return order.status if order else None


def verified_document(client: Telnyx, filename: str = "passport.pdf") -> str:
    uploaded = client.documents.upload_json(document={"file": encoded(), "filename": filename})
    assert uploaded.data is not None and uploaded.data.id is not None
    document_id = uploaded.data.id
    wait_until(lambda: document_status(client, document_id) != "pending")
    return document_id


def test_every_documents_operation(server: Regulatory) -> None:
    with strict(server) as client:
        # `upload` and `upload_json` both send JSON with the content base64-encoded.
        first = client.documents.upload(
            document={"file": encoded(), "filename": "lease.pdf", "customer_reference": "py"}
        ).data
        assert first is not None and first.id is not None and first.status == "pending"
        assert first.sha256 == hashlib.sha256(PDF).hexdigest()
        assert first.size is not None and first.size.amount == len(PDF)
        second = client.documents.upload_json(
            document={"file": encoded(b"plain text"), "filename": "notes.txt"}
        ).data
        assert second is not None and second.content_type == "text/plain"
        first_id = first.id
        wait_until(lambda: document_status(client, first_id) == "verified")

        page = client.documents.list(
            filter={"customer_reference": {"in": ["py"]}, "filename": {"contains": "LEASE"}},
            sort=["-filename"],
            page_size=1,
        )
        assert [d.id for d in page.data] == [first_id]
        assert page.meta is not None and (page.meta.page_number, page.meta.total_pages) == (1, 1)
        both = list(client.documents.list(sort=["filename"], page_size=1))  # every page
        assert [d.filename for d in both][:2] == ["lease.pdf", "notes.txt"]

        updated = client.documents.update(first_id, filename="lease-2024.pdf").data
        assert updated is not None and updated.filename == "lease-2024.pdf"
        assert updated.status == "verified"
        download = client.documents.download(first_id)
        assert download.read() == PDF
        assert download.headers["content-type"] == "application/pdf"
        deleted = client.documents.delete(first_id).data
        assert deleted is not None and deleted.id == first_id
        with pytest.raises(NotFoundError):
            client.documents.retrieve(first_id)
        with pytest.raises(NotFoundError):
            client.documents.download(UNKNOWN)
        with pytest.raises(UnprocessableEntityError):
            client.documents.upload_json(document={"file": "%%%"})


def test_another_account_sees_none_of_them(server: Regulatory) -> None:
    with strict(server) as client, strict(server, server.other_key) as other:
        mine = client.documents.upload_json(document={"file": encoded()}).data
        assert mine is not None and mine.id is not None
        mine_id = mine.id
        for call in (
            lambda: other.documents.retrieve(mine_id),
            lambda: other.documents.update(mine_id, filename="x.pdf"),
            lambda: other.documents.delete(mine_id),
            lambda: other.documents.download(mine_id),
        ):
            with pytest.raises(NotFoundError):
                call()
        assert all(d.id != mine_id for d in other.documents.list())


def approved_group(client: Telnyx, address: str, document_id: str) -> str:
    """A GB group with both values, submitted and approved by the worker: its id."""
    group = client.requirement_groups.create(
        country_code="GB",
        phone_number_type="local",
        action="ordering",
        regulatory_requirements=[
            {"requirement_id": GB_ADDRESS, "field_value": address},
            {"requirement_id": GB_DOCUMENT, "field_value": document_id},
        ],
    )
    group_id = group.id
    assert group_id is not None
    client.requirement_groups.submit_for_approval(group_id)
    wait_until(lambda: client.requirement_groups.retrieve(group_id).status == "approved")
    return group_id


def test_a_verified_document_carries_an_order_through_its_requirements(
    server: Regulatory,
) -> None:
    with strict(server) as client:
        document_id = verified_document(client)
        group_id = approved_group(client, "1 Main St, London", document_id)

        gb = number("GB")
        created = client.number_orders.create(
            phone_numbers=[{"phone_number": gb, "requirement_group_id": group_id}]
        ).data
        assert created is not None and created.id is not None and created.requirements_met
        order_id = created.id
        wait_until(lambda: order_status(client, order_id) == "success")
        order = client.number_orders.retrieve(order_id).data
        assert order is not None and order.phone_numbers is not None
        (ordered,) = order.phone_numbers
        assert ordered.status == "success"
        values = {r.requirement_id: r.field_value for r in ordered.regulatory_requirements or []}
        assert values == {GB_ADDRESS: "1 Main St, London", GB_DOCUMENT: document_id}
    stored = server.store.retrieve_number_order(
        server.store.ensure_account("acme").account_id, order_id
    )
    assert stored is not None and stored.numbers[0].requirement_group_id == group_id


def test_without_a_group_the_same_number_waits(server: Regulatory) -> None:
    with strict(server) as client:
        created = client.number_orders.create(phone_numbers=[{"phone_number": number("GB")}])
        assert created.data is not None and created.data.requirements_met is False


def test_only_the_accounts_verified_documents_answer_a_requirement(server: Regulatory) -> None:
    with strict(server) as client, strict(server, server.other_key) as other:
        pending = client.documents.upload_json(document={"file": encoded()}).data
        assert pending is not None and pending.id is not None
        denied = verified_document(client, "deny-me.pdf")
        theirs = verified_document(other)

    def group_with(document_id: str) -> str:
        body = {
            "country_code": "GB",
            "phone_number_type": "local",
            "action": "ordering",
            "regulatory_requirements": [
                {"requirement_id": GB_DOCUMENT, "field_value": document_id}
            ],
        }
        with server.client() as http:
            response = http.post("/requirement_groups", json=body)
        assert response.status_code == 422, response.text
        (error,) = response.json()["errors"]
        assert error["source"]["pointer"] == "/regulatory_requirements/0/field_value"
        detail: str = error["detail"]
        return detail

    # The pending one may be verified by now (no delay here); its check reads its status.
    assert "is denied; a document requirement accepts only a verified document" in group_with(
        denied
    )
    assert "is not a document of this account" in group_with(theirs)
    assert "is not a document of this account" in group_with(UNKNOWN)


def test_an_order_update_checks_document_values_by_the_same_rule(server: Regulatory) -> None:
    with strict(server) as client, strict(server, server.other_key) as other:
        theirs = verified_document(other)
        mine = verified_document(client)
        created = client.number_orders.create(phone_numbers=[{"phone_number": number("GB")}])
        assert created.data is not None and created.data.id is not None
        order_id = created.data.id
    with server.client() as http:
        refused = http.patch(
            f"/number_orders/{order_id}",
            json={
                "regulatory_requirements": [{"requirement_id": GB_DOCUMENT, "field_value": theirs}]
            },
        )
        assert refused.status_code == 422, refused.text
        (error,) = refused.json()["errors"]
        assert error["source"]["pointer"] == "/regulatory_requirements/0/field_value"
        assert "is not a document of this account" in error["detail"]
        accepted = http.patch(
            f"/number_orders/{order_id}",
            json={
                "regulatory_requirements": [
                    {"requirement_id": GB_DOCUMENT, "field_value": mine},
                    {"requirement_id": GB_ADDRESS, "field_value": "2 High St"},
                ]
            },
        )
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["data"]["requirements_met"] is True


def test_a_group_that_is_not_approved_or_not_the_accounts_is_refused_at_create(
    server: Regulatory,
) -> None:
    unapproved = server.group("GB", (GB_ADDRESS, "1 Main St"))
    with server.client() as http:
        for group_id, words in [
            (unapproved["id"], "is unapproved"),
            (UNKNOWN, "is not a requirement group of this account"),
        ]:
            response = http.post(
                "/number_orders",
                json={
                    "phone_numbers": [
                        {"phone_number": number("US")},
                        {"phone_number": number("GB"), "requirement_group_id": group_id},
                    ]
                },
            )
            assert response.status_code == 422, response.text
            (error,) = response.json()["errors"]
            assert error["source"]["pointer"] == "/phone_numbers/1/requirement_group_id"
            assert words in error["detail"]
    with server.client(server.other_key) as http:
        response = http.post(
            "/number_orders",
            json={
                "phone_numbers": [
                    {"phone_number": number("GB"), "requirement_group_id": unapproved["id"]}
                ]
            },
        )
        assert response.status_code == 422
        assert "not a requirement group of this account" in response.json()["errors"][0]["detail"]


def test_the_regulatory_path_through_a_sub_order_with_an_address_and_a_document(
    server: Regulatory,
) -> None:
    # The order first, waiting; then a group with both values, approved and applied to the
    # order's sub order; the order settles and the webhook announces it.
    service = NumberOrdersService(server.store)
    with WebhookReceiver() as receiver, strict(server) as client:
        service.set_webhook_url("acme", receiver.url)
        created = client.number_orders.create(phone_numbers=[{"phone_number": number("GB")}]).data
        assert created is not None and created.id and created.sub_number_orders_ids
        order_id, (sub_id,) = created.id, created.sub_number_orders_ids
        assert not created.requirements_met

        document_id = verified_document(client, "licence.pdf")
        group_id = approved_group(client, "2 High St, Leeds", document_id)

        applied = client.sub_number_orders.update_requirement_group(
            sub_id, requirement_group_id=group_id
        ).data
        assert applied is not None and applied.requirements_met is True
        wait_until(lambda: order_status(client, order_id) == "success")
        delivery = wait_until(
            lambda: next(
                (d for d in receiver.deliveries if d.json["data"]["payload"]["id"] == order_id),
                None,
            )
        )
    assert delivery.json["data"]["event_type"] == "number_order.complete"
    assert delivery.json["data"]["payload"]["status"] == "success"
