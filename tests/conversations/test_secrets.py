import pytest
from django.db import connection
from django.urls import reverse

from conversations.models import TwilioAccount

pytestmark = pytest.mark.django_db

TOKEN = "super-secret-auth-token-123"


def test_auth_token_is_encrypted_at_rest():
    account = TwilioAccount.objects.create(account_sid="AC" + "1" * 32, auth_token=TOKEN)
    with connection.cursor() as cursor:
        cursor.execute("SELECT auth_token FROM conversations_twilioaccount WHERE id = %s",
                       [account.pk])
        stored = cursor.fetchone()[0]
    assert TOKEN not in stored
    assert TwilioAccount.objects.get(pk=account.pk).auth_token == TOKEN


def test_admin_never_shows_the_token_and_blank_keeps_it(client, company_admin):
    account = TwilioAccount.objects.create(account_sid="AC" + "1" * 32, auth_token=TOKEN)
    client.force_login(company_admin)
    change = reverse("admin:conversations_twilioaccount_change", args=[account.pk])
    assert TOKEN not in client.get(change).content.decode()
    response = client.post(change, {"name": "Main", "account_sid": "AC" + "2" * 32,
                                    "auth_token": "", "active": "on"})
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.auth_token == TOKEN
    assert account.account_sid == "AC" + "2" * 32


def test_admin_requires_a_token_for_a_new_account(client, company_admin):
    client.force_login(company_admin)
    response = client.post(reverse("admin:conversations_twilioaccount_add"),
                           {"name": "Main", "account_sid": "AC" + "1" * 32, "auth_token": ""})
    assert response.status_code == 200
    assert "Enter the Auth Token." in response.content.decode()
    assert not TwilioAccount.objects.exists()
