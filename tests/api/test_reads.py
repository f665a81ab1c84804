"""Reads: the console's filters, keyset paging, masking by scope, timeline, threads, carts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clienteling.models import CustomerTag
from conversations.models import Message
from tests.carts.conftest import conversation, shop, two_coats_cart  # noqa: F401  fixtures
from tests.factories import CustomerFactory, NoteFactory, TagFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db
CUSTOMERS = "/api/v1/customers/"


@pytest.fixture
def many(org):
    return [CustomerFactory(legal_entity=org["entity"], external_id=f"E{i:03d}", last_name=f"Name{i:03d}",
                            first_name="Ann", email=f"ann{i}@private.example")
            for i in range(60)]


def test_cursor_paging_walks_every_customer_once_in_order(api, many):
    seen, cursor = [], None
    while True:
        response = api.get(CUSTOMERS, {"size": 25, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200
        body = response.json()
        seen += [row["external_id"] for row in body["results"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == [f"E{i:03d}" for i in range(60)]
    back = api.get(CUSTOMERS, {"size": 25, "cursor": api.get(
        CUSTOMERS, {"size": 25}).json()["next_cursor"]}).json()["previous_cursor"]
    assert [r["external_id"] for r in api.get(CUSTOMERS, {"size": 25, "cursor": back}).json()["results"]] == \
        [f"E{i:03d}" for i in range(25)]


def test_console_filters_apply(api, many):
    vip = TagFactory(name="VIP", slug="vip")
    for customer in many[:3]:
        CustomerTag.objects.create(customer=customer, tag=vip)
    rows = api.get(CUSTOMERS, {"tags": vip.pk}).json()["results"]
    assert [row["external_id"] for row in rows] == ["E000", "E001", "E002"]
    rows = api.get(CUSTOMERS, {"q": "Name017"}).json()["results"]
    assert [row["external_id"] for row in rows] == ["E017"]
    rows = api.get(CUSTOMERS, {"sort": "-customer", "size": 25}).json()["results"]
    assert [row["external_id"] for row in rows][:2] == ["E059", "E058"]


@pytest.mark.parametrize(("params", "field"), [
    ({"tags": "abc"}, "tags"), ({"birthday_within": "-4"}, "birthday_within"),
    ({"cursor": "not-a-cursor"}, "cursor"), ({"size": "1000"}, "size"), ({"size": "x"}, "size"),
    ({"size": "7"}, "size"),
])
def test_bad_filters_are_400_with_the_field(api, many, params, field):
    response = api.get(CUSTOMERS, params)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


def test_contact_details_only_with_the_contact_scope(make_key, many):
    _key, plain = make_key("customers:read")
    rows = client_for(plain).get(CUSTOMERS, {"size": 25}).json()["results"]
    assert all(row["contact"] is None for row in rows)
    assert b"private.example" not in client_for(plain).get(CUSTOMERS).content
    _key, full = make_key("customers:read", "customers:contact", name="CRM")
    rows = client_for(full).get(CUSTOMERS, {"size": 25}).json()["results"]
    assert rows[0]["contact"]["email"] == "ann0@private.example"


def test_a_page_of_100_costs_the_same_queries_as_a_page_of_25(api, org):
    for i in range(120):
        CustomerFactory(legal_entity=org["entity"], external_id=f"Q{i}")
    api.get(CUSTOMERS, {"size": 25})  # warm the cached reference data

    def count(size):
        with CaptureQueriesContext(connection) as queries:
            assert api.get(CUSTOMERS, {"size": size}).status_code == 200
        return len(queries)

    assert count(100) == count(25) <= 4


def test_timeline_conversations_messages(api, customer_a, conversation, associate_a):  # noqa: F811
    NoteFactory(customer=customer_a, author=associate_a, store=conversation.store, body="Likes blue")
    for i in range(3):
        Message.objects.create(conversation=conversation, direction="in", body=f"hello {i}", status="received"
                               if "received" in Message.Status.values else "delivered")
    timeline = api.get(f"/api/v1/customers/{customer_a.pk}/timeline/")
    assert timeline.status_code == 200
    assert any(entry["details"] == "Likes blue" for entry in timeline.json()["results"])
    threads = api.get(f"/api/v1/customers/{customer_a.pk}/conversations/").json()["results"]
    assert [t["id"] for t in threads] == [conversation.pk]
    page = api.get(f"/api/v1/conversations/{conversation.pk}/messages/", {"size": 2}).json()
    assert [m["body"] for m in page["results"]] == ["hello 2", "hello 1"] and page["next_cursor"]
    rest = api.get(f"/api/v1/conversations/{conversation.pk}/messages/",
                   {"size": 2, "cursor": page["next_cursor"]}).json()["results"]
    assert [m["body"] for m in rest] == ["hello 0"]
    assert api.get("/api/v1/customers/x/timeline/").status_code == 404
    assert api.get(f"/api/v1/customers/{customer_a.pk}/timeline/", {"before": "yesterday"}).status_code == 400


def test_other_legal_entities_objects_are_404(make_key, org, customer_a, conversation):  # noqa: F811
    _key, secret = make_key("customers:read", "conversations:read", "carts:read", entity=org["other_entity"])
    client = client_for(secret)
    assert client.get(f"/api/v1/customers/{customer_a.pk}/timeline/").status_code == 404
    assert client.get(f"/api/v1/customers/{customer_a.pk}/conversations/").status_code == 404
    assert client.get(f"/api/v1/conversations/{conversation.pk}/messages/").status_code == 404


def test_carts_with_lines(api, two_coats_cart, customer_a, org, make_key):  # noqa: F811
    body = api.get("/api/v1/carts/", {"customer": customer_a.pk}).json()
    assert [c["id"] for c in body["results"]] == [two_coats_cart.pk]
    assert len(body["results"][0]["lines"]) == 2 and body["results"][0]["status"] == "open"
    assert api.get("/api/v1/carts/", {"status": "paid"}).json()["results"] == []
    assert api.get("/api/v1/carts/", {"status": "nope"}).status_code == 400
    assert api.get("/api/v1/carts/", {"customer": "-1"}).status_code == 400
    _key, secret = make_key("carts:read", entity=org["other_entity"])
    assert client_for(secret).get("/api/v1/carts/").json()["results"] == []
