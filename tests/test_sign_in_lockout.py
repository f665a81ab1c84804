"""Password guessing is stopped: the account and the address lock after a few failures."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db
PASSWORD = "pass-word-123"  # the factories' password


def sign_in(client, url, username, password, address="198.51.100.7"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_after_the_failure_limit_the_right_password_is_refused_too(client, company_admin, url):
    company_admin.is_staff = True
    company_admin.save()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, url, "admin", "guess").status_code == 200  # the form again
    assert sign_in(client, url, "admin", "guess").status_code == 429  # the last failure allowed

    response = sign_in(client, url, "admin", PASSWORD)

    assert response.status_code == 429
    assert "Sign-in is locked for now" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_one_address_trying_many_accounts_is_locked_out(client, associate_a, manager):
    for number in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "/login/", f"someone{number}", "guess")

    response = sign_in(client, "/login/", associate_a.username, PASSWORD)

    assert response.status_code == 429


def test_the_account_is_locked_from_another_address_too(client, associate_a):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "/login/", associate_a.username, "guess", address="198.51.100.7")

    elsewhere = sign_in(client, "/login/", associate_a.username, PASSWORD, address="203.0.113.9")
    assert elsewhere.status_code == 429


def test_signing_in_to_ones_own_account_does_not_clear_the_guesses_at_another(client, associate_a,
                                                                           manager):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "/login/", manager.username, "guess", address="198.51.100.7")
    client.post("/login/", {"username": associate_a.username, "password": PASSWORD},
                REMOTE_ADDR="203.0.113.9")  # the attacker's own account, elsewhere
    client.logout()

    last_guess = sign_in(client, "/login/", manager.username, "guess", address="192.0.2.1")

    assert last_guess.status_code == 429


def test_a_company_admin_unlocks_an_account_in_the_admin(client, associate_a, company_admin):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "/login/", associate_a.username, "guess")
    attempt = AccessAttempt.objects.get(username=associate_a.username)
    company_admin.is_staff = True
    company_admin.save()
    admin = client.__class__()
    admin.force_login(company_admin)

    listed = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert associate_a.username in listed.content.decode()
    admin.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})

    unlocked = sign_in(client, "/login/", associate_a.username, PASSWORD, address="203.0.113.9")
    assert unlocked.status_code == 302
