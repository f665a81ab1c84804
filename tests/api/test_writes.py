"""Segment operations (tags, mailing lists): partial and atomic batches, validation, idempotency, audit."""

import pytest
from django.urls import reverse

from api.models import IdempotentResponse
from clienteling.models import AuditEvent, CustomerMailingList, CustomerTag, MailingList
from tests.factories import CustomerFactory, TagFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/segments/"


@pytest.fixture
def people(org):
    return {ext: CustomerFactory(legal_entity=org["entity"], external_id=ext) for ext in ("C1", "C2", "C3")}


@pytest.fixture
def vip(db):
    return TagFactory(name="VIP", slug="vip")


@pytest.fixture
def news(db):
    return MailingList.objects.create(name="News", slug="news")


def test_partial_batch_applies_the_valid_and_lists_exactly_the_rejected(api, people, vip, news, org):
    CustomerFactory(legal_entity=org["other_entity"], external_id="FR1")
    response = api.post(URL, {"operations": [
        {"op": "add", "customer": "C1", "tag": "vip"},
        {"op": "add", "customer": "NOPE", "tag": "vip"},
        {"op": "add", "customer": "C2", "mailing_list": "news"},
        {"op": "add", "customer": "C3", "tag": "unknown"},
        {"op": "explode", "customer": "C3", "tag": "vip"},
        {"op": "add", "customer": "FR1", "tag": "vip"},  # another legal entity's customer
        {"op": "add", "customer": "C3"},
    ]}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["applied"] is True and body["added"] == 2
    assert [(row["index"], sorted(row["errors"])) for row in body["rejected"]] == [
        (1, ["customer"]), (3, ["tag"]), (4, ["op"]), (5, ["customer"]), (6, ["non_field_errors"])]
    assert list(CustomerTag.objects.values_list("customer__external_id", flat=True)) == ["C1"]
    assert CustomerMailingList.objects.filter(customer=people["C2"], mailing_list=news).exists()
    event = AuditEvent.objects.get(action="api.write")
    assert event.actor_name == "api:POS" and event.detail["added"] == 2 and event.target == URL
    assert event.get_action_display() == "Wrote through the integration API"  # named in the admin


def test_atomic_batch_with_a_rejection_writes_nothing(api, people, vip):
    response = api.post(URL + "?atomic=true", {"operations": [
        {"op": "add", "customer": "C1", "tag": "vip"},
        {"op": "add", "customer": "NOPE", "tag": "vip"}]}, format="json")
    assert response.status_code == 400
    assert response.json()["applied"] is False and response.json()["rejected"][0]["index"] == 1
    assert not CustomerTag.objects.exists() and not AuditEvent.objects.filter(action="api.write").exists()


def test_remove_and_repeat_are_idempotent(api, people, vip, news):
    CustomerTag.objects.create(customer=people["C1"], tag=vip)
    ops = {"operations": [{"op": "remove", "customer": "C1", "tag": "vip"},
                          {"op": "add", "customer": "C1", "mailing_list": "news"}]}
    for _ in range(2):
        assert api.post(URL, ops, format="json").status_code == 200
    assert not CustomerTag.objects.exists()
    assert CustomerMailingList.objects.filter(customer=people["C1"]).count() == 1


@pytest.mark.parametrize(("body", "field"), [
    ({}, "operations"), ({"operations": []}, "operations"), ({"operations": "x"}, "operations"),
    ({"operations": [1, 2]}, "operations"), ([1], "non_field_errors"),
])
def test_malformed_bodies_are_400_with_field_messages(api, body, field):
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"] and response.json()["detail"]


def test_bad_json_and_bad_atomic_flag_are_400(api, people, vip):
    assert api.post(URL, "{not json", content_type="application/json").status_code == 400
    response = api.post(URL + "?atomic=perhaps", {"operations": [
        {"op": "add", "customer": "C1", "tag": "vip"}]}, format="json")
    assert response.status_code == 400 and "atomic" in response.json()["errors"]


def test_more_than_1000_operations_is_413(api):
    ops = [{"op": "add", "customer": f"C{i}", "tag": "vip"} for i in range(1001)]
    assert api.post(URL, {"operations": ops}, format="json").status_code == 413


def test_idempotency_key_replays_the_stored_answer(api, people, vip):
    body = {"operations": [{"op": "add", "customer": "C1", "tag": "vip"}]}
    first = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    CustomerTag.objects.all().delete()  # were it run again, the tag would come back
    second = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json() and second["Idempotent-Replayed"] == "true"
    assert not CustomerTag.objects.exists()
    assert AuditEvent.objects.filter(action="api.write").count() == 1


def test_idempotency_key_with_another_body_is_422_and_a_running_one_409(api, people, vip):
    api.post(URL, {"operations": [{"op": "add", "customer": "C1", "tag": "vip"}]}, format="json",
             HTTP_IDEMPOTENCY_KEY="k-2")
    other = api.post(URL, {"operations": [{"op": "add", "customer": "C2", "tag": "vip"}]}, format="json",
                     HTTP_IDEMPOTENCY_KEY="k-2")
    assert other.status_code == 422
    IdempotentResponse.objects.create(api_key=api.key, key="k-3", path=URL,
                                      body_hash="0" * 64)  # another request holds k-3, unanswered
    assert api.post(URL, {"operations": [{"op": "add", "customer": "C1", "tag": "vip"}]}, format="json",
                    HTTP_IDEMPOTENCY_KEY="k-3").status_code == 422
    from api.services.idempotency import body_hash

    raw = b'{"operations":[{"op":"add","customer":"C2","tag":"vip"}]}'
    IdempotentResponse.objects.create(api_key=api.key, key="k-4", path=URL,
                                      body_hash=body_hash(path=URL, body=raw))
    assert api.generic("POST", URL, raw, content_type="application/json",
                       HTTP_IDEMPOTENCY_KEY="k-4").status_code == 409


def test_keys_do_not_share_idempotency_keys(api, make_key, people, vip):
    from .conftest import client_for

    body = {"operations": [{"op": "add", "customer": "C1", "tag": "vip"}]}
    api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="same")
    _key, secret = make_key("tags:write", name="Other")
    response = client_for(secret).post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert response.status_code == 200 and "Idempotent-Replayed" not in response


def test_reverse_names(api):
    assert reverse("api:segments") == URL
