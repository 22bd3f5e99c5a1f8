"""The official Python client, unchanged and with strict response validation, through
every operation of the regulatory catalogue, requirement groups and comments, on both
engines."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from telnyx import NotFoundError, Telnyx, UnprocessableEntityError

from number_orders.domain.regulatory import requirement_id
from number_orders.testing import wait_until
from tests.http.regulatory import DE_ADDRESS, GB_ADDRESS, GB_DOCUMENT, UNKNOWN, Regulatory
from tests.http.regulatory import regulatory_server as _server
from tests.support.clients import strict_client
from tests.support.databases import ENGINES
from tests.support.orders import number


@pytest.fixture(scope="module", params=ENGINES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Regulatory]:
    yield from _server(request, tmp_path_factory)


def strict(server: Regulatory, key: str | None = None) -> Telnyx:
    return strict_client(
        server.app.base_url, key or server.key, http_client=server.app.http_client()
    )


def test_requirements_and_requirement_types(server: Regulatory) -> None:
    with strict(server) as client:
        listed = list(client.requirements.list(page_size=30, sort=["-country_code"]))
        assert len(listed) == len({r.id for r in listed}) == 70
        assert listed[0].country_code == "US" and listed[-1].country_code == "AU"
        (gb,) = client.requirements.list(
            filter={"country_code": "GB", "phone_number_type": "mobile", "action": "ordering"}
        )
        assert [t.id for t in gb.requirement_types or []] == [GB_ADDRESS, GB_DOCUMENT]
        assert gb.id is not None
        one = client.requirements.retrieve(gb.id).data
        assert one is not None and one.id == gb.id and one.phone_number_type == "mobile"

        types = client.requirement_types.list(filter={"name": {"contains": "Proof"}}, sort=["name"])
        assert [(t.id, t.type) for t in types.data or []] == [(GB_DOCUMENT, "document")]
        assert types.meta is not None and types.meta.total_results == 1
        kind = client.requirement_types.retrieve(GB_ADDRESS).data
        assert kind is not None and kind.name == "Address (GB)" and kind.type == "address"
        with pytest.raises(NotFoundError):
            client.requirement_types.retrieve(UNKNOWN)


def test_regulatory_requirements_of_numbers(server: Regulatory) -> None:
    gb, test_number = number("GB"), number("US", "0001")
    with strict(server) as client:
        found = client.regulatory_requirements.retrieve(filter={"phone_number": gb}).data
        assert found is not None
        (entry,) = found
        assert [r.id for r in entry.regulatory_requirements or []] == [GB_ADDRESS, GB_DOCUMENT]
        by_country = client.regulatory_requirements.retrieve(
            filter={"country_code": "DE", "phone_number_type": "local", "action": "ordering"}
        ).data
        assert by_country is not None and len(by_country) == 1
        numbers = client.phone_numbers_regulatory_requirements.retrieve(
            filter={"phone_number": f"{gb},{test_number}"}
        )
        assert [n.phone_number for n in numbers.data or []] == [gb, test_number]
        (_, test_entry) = numbers.data or []
        assert [r.id for r in test_entry.regulatory_requirements or []] == [
            requirement_id("US", "address")
        ]


def test_requirement_groups_through_approval(server: Regulatory) -> None:
    with strict(server) as client:
        created = client.requirement_groups.create(
            country_code="DE",
            phone_number_type="local",
            action="ordering",
            customer_reference="py-client",
        )
        assert created.id is not None and created.status == "unapproved"
        updated = client.requirement_groups.update(
            created.id,
            regulatory_requirements=[
                {"requirement_id": DE_ADDRESS, "field_value": "Unter den Linden 1"}
            ],
        )
        assert [
            (v.requirement_id, v.field_value) for v in updated.regulatory_requirements or []
        ] == [(DE_ADDRESS, "Unter den Linden 1")]
        listed = client.requirement_groups.list(filter={"customer_reference": "py-client"})
        assert [g.id for g in listed] == [created.id]
        created_id = created.id
        assert created_id is not None
        submitted = client.requirement_groups.submit_for_approval(created_id)
        assert submitted.status == "pending-approval"
        wait_until(lambda: client.requirement_groups.retrieve(created_id).status == "approved")
        approved = client.requirement_groups.retrieve(created_id)
        assert approved.regulatory_requirements
        assert approved.regulatory_requirements[0].status == "approved"
        deleted = client.requirement_groups.delete(created.id)
        assert deleted.id == created.id and deleted.status == "approved"
        with pytest.raises(NotFoundError):
            client.requirement_groups.retrieve(created.id)


def test_a_declined_group_and_its_comments(server: Regulatory) -> None:
    with strict(server) as client:
        group = client.requirement_groups.create(
            country_code="GB",
            phone_number_type="local",
            action="ordering",
            regulatory_requirements=[
                {"requirement_id": GB_ADDRESS, "field_value": "1 Main St"},
                {"requirement_id": GB_DOCUMENT, "field_value": "decline"},
            ],
        )
        group_id = group.id
        assert group_id is not None
        client.requirement_groups.submit_for_approval(group_id)
        wait_until(lambda: client.requirement_groups.retrieve(group_id).status == "declined")
        mine = client.comments.create(
            body="Which document would do?",
            comment_record_type="requirement_group",
            comment_record_id=group_id,
        ).data
        assert mine is not None and mine.commenter_type == "user" and mine.id is not None
        listed = client.comments.list(
            filter={"comment_record_type": "requirement_group", "comment_record_id": group_id}
        )
        regulator, user = listed.data or []
        assert regulator.commenter_type == "admin" and regulator.read_at is None
        assert user.id == mine.id
        assert regulator.id is not None
        read = client.comments.mark_as_read(regulator.id).data
        assert read is not None and read.read_at is not None
        again = client.comments.retrieve(regulator.id).data
        assert again is not None and again.read_at == read.read_at


def test_errors_arrive_as_the_clients_exceptions(server: Regulatory) -> None:
    mine = server.group("DE")  # without a value, so not submittable
    with strict(server) as client:
        with pytest.raises(NotFoundError):
            client.requirement_groups.retrieve(UNKNOWN)
        with pytest.raises(UnprocessableEntityError):
            client.requirement_groups.submit_for_approval(mine["id"])
        with pytest.raises(UnprocessableEntityError):
            client.comments.create(
                body="x", comment_record_type="sub_number_order", comment_record_id=UNKNOWN
            )
    with strict(server, server.other_key) as other:
        for call in (
            lambda: other.requirement_groups.retrieve(mine["id"]),
            lambda: other.requirement_groups.delete(mine["id"]),
            lambda: other.comments.retrieve(UNKNOWN),
        ):
            with pytest.raises(NotFoundError):
                call()
