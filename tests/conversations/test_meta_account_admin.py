"""The Meta WhatsApp account in the admin: secrets encrypted at rest, never shown again, kept when blank."""

import pytest
from django.db import connection
from django.urls import reverse

from conversations.models import MetaWhatsAppAccount

pytestmark = pytest.mark.django_db
TOKEN, SECRET = "EAAG-super-secret-token-123", "app-secret-456"


def account() -> MetaWhatsAppAccount:
    return MetaWhatsAppAccount.objects.create(
        phone_number_id="106540352242922", business_account_id="102290129340398",
        whatsapp_number="+12125550101", access_token=TOKEN, app_secret=SECRET, verify_token="verify-me")


def form(**fields) -> dict:
    return {"name": "Main", "whatsapp_number": "+12125550101", "phone_number_id": "106540352242922",
            "business_account_id": "102290129340398", "access_token": "", "app_secret": "",
            "verify_token": "verify-me", "api_version": "v21.0", "api_base_url": "", "active": "on", **fields}


def test_the_token_and_app_secret_are_encrypted_at_rest():
    saved = account()
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token, app_secret FROM conversations_metawhatsappaccount WHERE id = %s",
                       [saved.pk])
        stored = cursor.fetchone()
    assert TOKEN not in stored[0] and SECRET not in stored[1]
    assert (MetaWhatsAppAccount.objects.get().access_token, MetaWhatsAppAccount.objects.get().app_secret) == (
        TOKEN, SECRET)


def test_the_admin_never_shows_the_secrets_and_blank_keeps_them(client, company_admin):
    saved = account()
    client.force_login(company_admin)
    change = reverse("admin:conversations_metawhatsappaccount_change", args=[saved.pk])
    page = client.get(change).content.decode()
    assert TOKEN not in page and SECRET not in page
    response = client.post(change, form(name="Renamed"))
    assert response.status_code == 302
    saved.refresh_from_db()
    assert (saved.name, saved.access_token, saved.app_secret) == ("Renamed", TOKEN, SECRET)


def test_a_new_account_needs_both_secrets_and_a_graph_version(client, company_admin):
    client.force_login(company_admin)
    response = client.post(reverse("admin:conversations_metawhatsappaccount_add"), form(api_version="21"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter the access token." in page and "Enter the app secret." in page
    assert "A Graph API version looks like v21.0." in page
    assert not MetaWhatsAppAccount.objects.exists()


def test_in_production_the_admin_refuses_a_foreign_api_address(client, company_admin, settings):
    settings.PROVIDER_TEST_DOUBLES = False
    client.force_login(company_admin)
    response = client.post(reverse("admin:conversations_metawhatsappaccount_add"), form(
        access_token=TOKEN, app_secret=SECRET, api_base_url="https://collector.example.com"))
    assert "Only Meta&#x27;s own addresses" in response.content.decode()
    assert not MetaWhatsAppAccount.objects.exists()


def test_a_view_only_admin_never_sees_the_secrets(client, org):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    saved = account()
    auditor = UserFactory(username="auditor", is_staff=True)
    auditor.user_permissions.add(Permission.objects.get(codename="view_metawhatsappaccount"))
    client.force_login(auditor)
    page = client.get(reverse("admin:conversations_metawhatsappaccount_change", args=[saved.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and TOKEN not in html and SECRET not in html
    assert html.count("Saved (hidden)") >= 2  # one per secret (and its title attribute)
    changelist = reverse("admin:conversations_metawhatsappaccount_changelist")
    assert client.get(changelist, {"q": "x"}).status_code == 200
