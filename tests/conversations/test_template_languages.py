"""Templates and quick replies per language: the composer offers the customer's version, else
the default language's, and says so when it falls back."""

import pytest
from django.test import Client
from django.urls import reverse

from clienteling.models import StaffProfile
from conversations import services
from conversations.models import Message, MessageTemplate, QuickReply
from conversations.selectors.composer import best_versions, language_code

from .conftest import mapped_template, opt_in
from .test_unread_and_queries import CONVERSATION_QUERIES

pytestmark = pytest.mark.django_db

FALLBACK_FR = "No French version: sending the English one."


@pytest.fixture
def signed_in(client, associate_a):
    client.force_login(associate_a)
    return client


@pytest.fixture
def french_thread(sms_thread, customer_a, demo_provider):
    customer_a.language = "fr-CA"  # as a customer's record may write it
    customer_a.save(update_fields=["language"])
    opt_in(customer_a)
    sms_thread.customer.refresh_from_db()
    return sms_thread


def page_of(client, thread):
    return client.get(reverse("conversations:detail", args=[thread.pk]))


def versions(*languages: str, wanted: str) -> str:
    items = [QuickReply(title="Thanks", body=f"body {code}", language=code) for code in languages]
    [chosen] = best_versions(items, key=lambda reply: reply.title, wanted=wanted)
    return chosen.item.language


# --- choosing the version -----------------------------------------------------------------


def test_the_customers_language_and_region_come_first_then_the_language_then_the_default():
    assert versions("en", "fr", "fr-ca", "de", wanted="fr-CA") == "fr-ca"
    assert versions("en", "fr", "de", wanted="fr_CA") == "fr"
    assert versions("en", "fr-fr", "de", wanted="fr-ca") == "fr-fr"
    assert versions("de", "en-gb", "en", wanted="ja") == "en"
    assert versions("de", "en-gb", wanted="ja") == "en-gb"
    assert versions("de", wanted="ja") == "de"  # the only version there is
    assert versions("fr", "en", wanted="") == "en"  # language unknown: the default


def test_a_fallback_is_said_only_when_the_language_differs():
    items = [QuickReply(title="A", body="a", language="en"), QuickReply(title="B", body="b", language="fr"),
             QuickReply(title="C", body="c", language="de")]
    by_title = {v.item.title: v for v in best_versions(items, key=lambda reply: reply.title, wanted="fr-ca")}
    assert by_title["A"].fallback and by_title["A"].fallback_note == FALLBACK_FR
    assert not by_title["B"].fallback and by_title["B"].fallback_note == ""
    assert by_title["C"].fallback_note == "No French version: sending the German one."
    unknown = best_versions(items, key=lambda reply: reply.title, wanted="")
    assert not any(version.fallback for version in unknown)
    assert language_code(" pt_BR ") == "pt-br"


# --- the composer -------------------------------------------------------------------------


def test_the_composer_offers_the_customers_template_and_says_when_there_is_none(signed_in, french_thread):
    mapped_template(name="New arrivals", body="Hi {{1}}, new arrivals.", sources=("customer_first_name",))
    french = mapped_template(name="New arrivals", language="fr", body="Bonjour {{1}}, nouveautés.",
                             sources=("customer_first_name",))
    english_only = mapped_template(name="Fitting", body="Hi {{1}}, your fitting.",
                                   sources=("customer_first_name",))
    response = page_of(signed_in, french_thread)
    offered = {version.item.name: version for version in response.context["templates"]}
    assert offered["New arrivals"].item == french and not offered["New arrivals"].fallback
    assert offered["Fitting"].item == english_only and offered["Fitting"].fallback
    html = response.content.decode()
    assert f'value="{french.pk}"' in html and FALLBACK_FR in html

    preview = signed_in.get(reverse("conversations:preview", args=[french_thread.pk]),
                            {"template": english_only.pk})
    assert preview.status_code == 200 and FALLBACK_FR in preview.content.decode()
    preview = signed_in.get(reverse("conversations:preview", args=[french_thread.pk]),
                            {"template": french.pk})
    assert "Bonjour Claire" in preview.content.decode() and "data-fallback" not in preview.content.decode()


def test_the_french_version_is_what_the_customer_receives(signed_in, french_thread, demo_provider,
                                                         django_capture_on_commit_callbacks):
    mapped_template(name="New arrivals", body="Hi {{1}}, new arrivals.", sources=("customer_first_name",))
    french = mapped_template(name="New arrivals", language="fr", body="Bonjour {{1}}, nouveautés.",
                             sources=("customer_first_name",))
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(reverse("conversations:send", args=[french_thread.pk]),
                                  {"template": french.pk})
    assert response.status_code == 302
    sent = Message.objects.get(conversation=french_thread)
    assert sent.body == "Bonjour Claire, nouveautés." and demo_provider[-1].body == sent.body


def test_quick_replies_in_the_customers_language_with_the_fallback_said(signed_in, french_thread):
    QuickReply.objects.create(title="Ready", body="Your alterations are ready.")
    QuickReply.objects.create(title="Ready", body="Vos retouches sont prêtes.", language="fr")
    QuickReply.objects.create(title="Hours", body="We open at 10.")
    QuickReply.objects.create(title="Ready", body="Ihre Änderungen sind fertig.", language="de")
    response = page_of(signed_in, french_thread)
    offered = {version.item.title: version for version in response.context["quick_replies"]}
    assert offered.keys() == {"Ready", "Hours"}
    assert offered["Ready"].item.body == "Vos retouches sont prêtes." and not offered["Ready"].fallback
    assert offered["Hours"].fallback
    html = response.content.decode()
    assert 'data-text="Vos retouches sont prêtes."' in html and "Your alterations" not in html
    assert html.count(FALLBACK_FR) == 1


def test_a_customer_without_a_language_gets_the_default_without_a_notice(signed_in, sms_thread,
                                                                         demo_provider):
    QuickReply.objects.create(title="Ready", body="Your alterations are ready.")
    QuickReply.objects.create(title="Ready", body="Vos retouches sont prêtes.", language="fr")
    mapped_template(name="Fitting", language="fr", body="Bonjour {{1}}", sources=("customer_first_name",))
    response = page_of(signed_in, sms_thread)
    [reply] = response.context["quick_replies"]
    assert reply.item.language == "en"
    [template] = response.context["templates"]
    assert template.item.language == "fr" and not template.fallback  # the only one there is
    assert "data-fallback" not in response.content.decode()


def test_the_notice_is_in_the_associates_language(client, associate_a, french_thread):
    profile = StaffProfile.objects.get(user=associate_a)
    profile.language = "ja"
    profile.save(update_fields=["language"])
    QuickReply.objects.create(title="Hours", body="We open at 10.")
    client.force_login(associate_a)
    html = page_of(client, french_thread).content.decode()
    assert FALLBACK_FR not in html
    assert "フランス語" in html and "英語" in html


@pytest.mark.parametrize("versions_each", [1, 4])
def test_versions_cost_no_query_each(client, associate_a, french_thread, versions_each,
                                     django_assert_num_queries):
    for n in range(3):
        for language in ["en", "fr", "de", "ja"][:versions_each]:
            mapped_template(name=f"Template {n}", language=language, body="Hi {{1}}",
                            sources=("customer_first_name",))
            QuickReply.objects.create(title=f"Reply {n}", body=f"{language} {n}", language=language)
    services.message_send(conversation=french_thread, sender=associate_a, body="Bonjour")
    client.force_login(associate_a)
    # The thread page's queries (test_unread_and_queries), templates and quick replies one each.
    with django_assert_num_queries(CONVERSATION_QUERIES):
        response = page_of(client, french_thread)
    assert len(response.context["templates"]) == 3 and len(response.context["quick_replies"]) == 3


def test_another_stores_thread_is_not_found(org, french_thread, associate_b):
    other = Client()
    other.force_login(associate_b)
    assert page_of(other, french_thread).status_code == 404
    template = MessageTemplate.objects.create(channel="sms", name="x", body="x",
                                              status=MessageTemplate.Status.APPROVED)
    response = other.get(reverse("conversations:preview", args=[french_thread.pk]), {"template": template.pk})
    assert response.status_code == 404
