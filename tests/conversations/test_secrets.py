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


def test_a_view_only_admin_never_sees_the_token(client, org):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    account = TwilioAccount.objects.create(account_sid="AC" + "1" * 32, auth_token=TOKEN)
    auditor = UserFactory(username="auditor", is_staff=True)
    auditor.user_permissions.add(Permission.objects.get(codename="view_twilioaccount"))
    client.force_login(auditor)
    page = client.get(reverse("admin:conversations_twilioaccount_change", args=[account.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert TOKEN not in html
    assert "Saved (hidden)" in html
    change = client.post(reverse("admin:conversations_twilioaccount_change", args=[account.pk]),
                         {"name": "x", "account_sid": "AC" + "3" * 32, "auth_token": "stolen"})
    assert change.status_code == 403
    account.refresh_from_db()
    assert account.auth_token == TOKEN


@pytest.mark.parametrize("model", ["twilioaccount", "conversation", "storemessagingsettings",
                                   "messagetemplate", "quickreply", "webhookevent"])
def test_admin_lists_can_be_searched_and_filtered(client, company_admin, model):
    from django.apps import apps
    from django.contrib import admin

    model_admin = admin.site._registry[apps.get_model("conversations", model)]
    assert model_admin.search_fields and model_admin.list_filter
    client.force_login(company_admin)
    assert client.get(reverse(f"admin:conversations_{model}_changelist"), {"q": "x"}).status_code == 200


def test_in_production_the_admin_refuses_a_foreign_api_address(client, company_admin, settings):
    settings.PROVIDER_TEST_DOUBLES = False
    client.force_login(company_admin)

    response = client.post(reverse("admin:conversations_twilioaccount_add"), {
        "name": "Main", "account_sid": "AC" + "1" * 32, "auth_token": TOKEN,
        "api_base_url": "https://collector.example.com", "active": "on"})

    assert response.status_code == 200 and "Only Twilio&#x27;s own addresses" in response.content.decode()
    assert not TwilioAccount.objects.exists()


def test_a_test_message_never_carries_the_token_to_a_foreign_host(client, company_admin, settings,
                                                                 fake_twilio):
    # Given an account pointed at another host (saved before the rule, or by hand in the database)
    settings.PROVIDER_TEST_DOUBLES = False
    account = TwilioAccount.objects.create(account_sid=fake_twilio.account_sid,
                                           auth_token=fake_twilio.auth_token,
                                           api_base_url=fake_twilio.base_url)
    client.force_login(company_admin)

    response = client.post(reverse("admin:conversations_twilioaccount_changelist"), {
        "action": "send_test_message", "index": "0", "_selected_action": [account.pk], "apply": "1",
        "channel": "sms", "to": "+12125550123"}, follow=True)

    # Then the admin says why, and the host saw nothing.
    assert "not a Twilio address" in response.content.decode()
    assert fake_twilio.requests == []


def test_an_adyen_account_pointed_elsewhere_sends_nothing(settings):
    from carts.models import PaymentProviderAccount
    from carts.payments import PermanentError
    from carts.payments.adyen import AdyenProvider

    settings.PROVIDER_TEST_DOUBLES = False
    account = PaymentProviderAccount(provider="adyen", merchant_account="M", api_key="k",
                                     api_base_url="https://collector.example.com")
    with pytest.raises(PermanentError):
        AdyenProvider(account)._api()
    account.api_base_url = "https://checkout-test.adyen.com"
    AdyenProvider(account)._api()  # Adyen's own host is fine
