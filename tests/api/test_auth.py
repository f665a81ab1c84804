"""Keys: hashed, shown once, revocable; scopes per resource; per-key rate limit."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from api.keys import key_hash
from api.models import ApiKey
from api.services.keys import api_key_revoke
from tests.factories import CustomerFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db
CUSTOMERS = "/api/v1/customers/"


def test_the_key_is_stored_hashed_never_in_clear(make_key):
    key, secret = make_key("customers:read")
    stored = ApiKey.objects.get(pk=key.pk)
    assert secret.startswith(f"atl_{stored.prefix}_")
    assert stored.hashed_key == key_hash(secret) and secret not in str(stored.__dict__)


@pytest.mark.parametrize("header", [{}, {"HTTP_AUTHORIZATION": "Bearer nope"},
                                    {"HTTP_AUTHORIZATION": "Bearer atl_00000000_forged"},
                                    {"HTTP_X_API_KEY": "garbage"}])
def test_missing_or_wrong_keys_are_401(header, make_key):
    make_key("customers:read")
    response = APIClient().get(CUSTOMERS, **header)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_a_right_prefix_with_a_wrong_secret_is_refused(make_key):
    key, secret = make_key("customers:read")
    assert client_for(secret[:-2] + "xx").get(CUSTOMERS).status_code == 401


def test_x_api_key_header_works_and_last_used_is_recorded(make_key):
    key, secret = make_key("customers:read")
    assert APIClient().get(CUSTOMERS, HTTP_X_API_KEY=secret).status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_a_revoked_key_is_refused(make_key):
    key, secret = make_key("customers:read")
    assert client_for(secret).get(CUSTOMERS).status_code == 200
    assert api_key_revoke(api_key=key) is True
    response = client_for(secret).get(CUSTOMERS)
    assert response.status_code == 401 and "revoked" in response.json()["detail"]


@pytest.mark.parametrize(("url", "method", "scope"), [
    (CUSTOMERS, "get", "customers:read"),
    ("/api/v1/customers/bulk/", "post", "customers:write"),
    ("/api/v1/sales/bulk/", "post", "sales:write"),
    ("/api/v1/products/bulk/", "post", "products:write"),
    ("/api/v1/segments/", "post", "tags:write"),
    ("/api/v1/measures/bulk/", "post", "measures:write"),
    ("/api/v1/carts/", "get", "carts:read"),
])
def test_each_operation_needs_its_scope(make_key, url, method, scope):
    _key, without = make_key(*(s for s in ("customers:read", "carts:read", "tags:read") if s != scope))
    response = getattr(client_for(without), method)(url, {"records": [{}]}, format="json")
    assert response.status_code == 403 and scope in response.json()["detail"]


def test_read_scope_does_not_write(make_key):
    _key, secret = make_key("customers:read", "tags:read")
    response = client_for(secret).post("/api/v1/segments/", {"operations": [
        {"op": "add", "customer": "x", "tag": "vip"}]}, format="json")
    assert response.status_code == 403


def test_rate_limit_answers_429_with_retry_after(make_key):
    cache.clear()
    _key, secret = make_key("customers:read", rate=3)
    client = client_for(secret)
    codes = [client.get(CUSTOMERS).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client.get(CUSTOMERS)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    _other, other_secret = make_key("customers:read", rate=3, name="Other")
    assert client_for(other_secret).get(CUSTOMERS).status_code == 200  # limits are per key


def test_a_key_sees_only_its_legal_entity(org, make_key):
    ours = CustomerFactory(legal_entity=org["entity"], external_id="US-1")
    CustomerFactory(legal_entity=org["other_entity"], external_id="FR-1")
    _key, secret = make_key("customers:read", "conversations:read", "customers:write")
    rows = client_for(secret).get(CUSTOMERS).json()["results"]
    assert [row["external_id"] for row in rows] == ["US-1"]
    _fr, fr_secret = make_key("customers:read", entity=org["other_entity"], name="FR")
    assert client_for(fr_secret).get(
        reverse("api:customer-timeline", args=[ours.pk])).status_code in (403, 404)


def test_admin_creates_a_key_shown_once_and_revokes_it(admin_client_staff, org):
    from django.urls import reverse

    response = admin_client_staff.post(reverse("admin:api_apikey_add"), {
        "name": "Shopify", "legal_entity": org["entity"].pk, "scopes": ["customers:read", "sales:write"],
        "rate_limit_per_minute": 120}, follow=True)
    assert response.status_code == 200
    key = ApiKey.objects.get(name="Shopify")
    page = response.content.decode()
    secret = page.split("<code>", 1)[1].split("</code>", 1)[0]
    assert secret.startswith(f"atl_{key.prefix}_") and key.hashed_key == key_hash(secret)
    assert key.scopes == ["customers:read", "sales:write"] and key.created_by.username == "admin"
    change = admin_client_staff.get(reverse("admin:api_apikey_change", args=[key.pk])).content.decode()
    assert secret not in change
    assert client_for(secret).get(CUSTOMERS).status_code == 200
    admin_client_staff.post(reverse("admin:api_apikey_changelist"), {
        "action": "revoke", "_selected_action": [key.pk]})
    assert client_for(secret).get(CUSTOMERS).status_code == 401
