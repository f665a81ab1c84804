import pytest
from rest_framework.test import APIClient

from api.models import ALL_SCOPES
from api.services.keys import api_key_create


@pytest.fixture
def make_key(org):
    def make(*scopes, entity=None, rate=600, name="POS"):
        key, secret = api_key_create(name=name, legal_entity=entity or org["entity"],
                                     scopes=scopes or sorted(ALL_SCOPES), rate_limit_per_minute=rate)
        return key, secret
    return make


@pytest.fixture
def api(make_key):
    """A client holding a key with every scope on store A's legal entity."""
    key, secret = make_key()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    client.key = key
    return client


def client_for(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def admin_client_staff(client, company_admin):
    client.force_login(company_admin)
    return client
