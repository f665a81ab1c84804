"""The console speaks the language of the staff profile, else the browser's."""

import pytest
from django.urls import reverse

from clienteling.models import StaffProfile

pytestmark = pytest.mark.django_db


def test_the_profiles_language_wins_over_the_browsers(client, associate_a):
    StaffProfile.objects.filter(user=associate_a).update(language="ja")
    client.force_login(associate_a)

    page = client.get(reverse("clienteling:today"), HTTP_ACCEPT_LANGUAGE="de")

    assert page["Content-Language"] == "ja"
    assert '<html lang="ja">' in page.content.decode()


def test_without_a_choice_the_browser_decides(client, associate_a):
    client.force_login(associate_a)
    page = client.get(reverse("clienteling:today"), HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    assert page["Content-Language"] == "de"


def test_choosing_a_language_keeps_it_in_the_profile(client, associate_a):
    client.force_login(associate_a)
    back = reverse("clienteling:customer_list") + "?q=smith"

    response = client.post(reverse("language_choose"), {"language": "fr", "next": back})

    assert response.status_code == 302 and response["Location"] == back
    assert StaffProfile.objects.get(user=associate_a).language == "fr"
    assert client.get(back, HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "fr"
    # Another device (a new session) finds the choice in the profile.
    client.logout()
    client.force_login(associate_a)
    assert client.get(back)["Content-Language"] == "fr"


def test_back_to_the_browsers_language(client, associate_a):
    StaffProfile.objects.filter(user=associate_a).update(language="fr")
    client.force_login(associate_a)
    client.post(reverse("language_choose"), {"language": "", "next": "/"})
    assert StaffProfile.objects.get(user=associate_a).language == ""
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="it", follow=True)["Content-Language"] == "it"


def test_an_unknown_language_or_a_foreign_next_is_refused(client, associate_a):
    client.force_login(associate_a)
    refused = client.post(reverse("language_choose"), {"language": "xx", "next": "/"})
    assert refused.status_code == 400
    assert StaffProfile.objects.get(user=associate_a).language == ""

    elsewhere = client.post(reverse("language_choose"), {"language": "pl", "next": "https://evil.example/"})
    assert elsewhere["Location"] == reverse("clienteling:today")


def test_the_menu_offers_every_language_in_its_own_name(client, associate_a):
    client.force_login(associate_a)
    html = client.get(reverse("clienteling:today")).content.decode()
    assert 'action="/language/"' in html
    for name in ("Français", "日本語", "Polski", "简体中文", "Català"):
        assert name in html
