"""Browser test: an associate who works in French, and one in Japanese, go from Today to the
customer list, a customer's profile and a conversation, and meet no English of Atelier's.

On each screen the visible text (innerText) is checked against the English of the catalog:
every message whose French differs from its English (so not a proper noun such as WhatsApp),
four characters or more, found as a whole line (messages with placeholders) or as a run of
words (plain messages). Data such as customers' names is not Atelier's and may be anything;
English month and day names are looked for too, as a date written in English is a leak.
"""

import re
from datetime import timedelta
from pathlib import Path

import polib
import pytest
from django.urls import reverse
from django.utils import timezone

from clienteling.models import Channel, ConsentState, CustomerConsent, StaffProfile
from conversations import services
from conversations.models import QuickReply
from tests.conversations.conftest import messaging, opt_in, reply  # noqa: F401
from tests.e2e.browser import DESKTOP, requires_chromium, screenshot, sign_in
from tests.factories import NoteFactory, TaskFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]

CATALOG = Path(__file__).resolve().parents[2] / "locale" / "fr" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\([^)]+\)[sdifr]|%[sdifr]|\{\{?\s*[a-zA-Z_][a-zA-Z0-9_.]*\s*\}?\}")
ENGLISH_DATES = re.compile(
    r"(?<![^\W\d_])(January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Today|Yesterday)(?![^\W\d_])")


def english_messages() -> tuple[list[tuple[str, re.Pattern]], list[re.Pattern]]:
    """Atelier's English: plain messages (a run of words) and messages with placeholders (a line)."""
    plain, patterns = set(), []
    for entry in polib.pofile(str(CATALOG)):
        if entry.obsolete:
            continue
        pairs = ([(entry.msgid, entry.msgstr_plural.get(0, "")),
                  (entry.msgid_plural, entry.msgstr_plural.get(1, ""))]
                 if entry.msgid_plural else [(entry.msgid, entry.msgstr)])
        for english, french in pairs:
            english = english.strip()
            # Untranslated (empty) counts: it shows in English.
            if french.strip() == english or "\n" in english:
                continue
            literal = PLACEHOLDER.sub("", english).strip()
            if len(literal) < 4 or not re.search(r"[A-Za-z]{2}", literal):
                continue
            if PLACEHOLDER.search(english):
                parts = [re.escape(part) for part in PLACEHOLDER.split(english)]
                patterns.append(re.compile(r"\s*" + r".+?".join(parts) + r"\s*"))
            else:
                plain.add(english)
    # Not inside a word ("phone" in "Téléphone"): no letter of any script on either side.
    words = [(english, re.compile(rf"(?<![^\W\d_]){re.escape(english)}(?![^\W\d_])")) for english in plain]
    return words, patterns


PLAIN, PATTERNS = english_messages()


def english_left(text: str) -> list[str]:
    found = []
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        found += [f"{english!r} in {line!r}" for english, pattern in PLAIN if pattern.search(line)]
        found += [f"{pattern.pattern!r} is {line!r}" for pattern in PATTERNS if pattern.fullmatch(line)]
        found += [f"English date {match!r} in {line!r}" for match in ENGLISH_DATES.findall(line)]
    return found


def assert_no_english(page, screen: str) -> None:
    text = page.locator("body").inner_text()
    found = english_left(text)
    assert not found, f"English left on {screen}:\n" + "\n".join(found[:30])


def test_the_leak_check_finds_english():
    assert english_left("Clients\nCustomers\n12 clients")
    assert english_left("Mercredi 4 March 2026")
    assert not english_left("Clients\nÉtiquettes\nClaire Dupont\nWhatsApp")


@pytest.fixture
def scene(org, messaging, associate_a, customer_a, settings):  # noqa: F811
    """A customer with a note, a task for today, and a conversation with messages both ways."""
    settings.MESSAGING_PROVIDERS = {"sms": "demo", "whatsapp": "demo", "email": "demo"}
    customer_a.language = "fr"
    customer_a.save(update_fields=["language"])
    store = org["store_a"]
    # Data in French, as the store's own would be (it is not Atelier's text).
    associate_a.first_name, associate_a.last_name = "Camille", "Martin"
    associate_a.save(update_fields=["first_name", "last_name"])
    NoteFactory(customer=customer_a, author=associate_a, store=store, body="Préfère la soie.")
    TaskFactory(customer=customer_a, assignee=associate_a, created_by=associate_a, store=store,
                title="Appeler pour la nouvelle collection")
    for channel in (Channel.SMS, Channel.EMAIL):
        CustomerConsent.objects.filter(customer=customer_a, channel=channel).delete()
    opt_in(customer_a)
    thread = services.conversation_get_or_create(customer=customer_a, store=store, channel=Channel.SMS,
                                                 user=associate_a)
    reply(thread, "Bonjour, la robe est-elle arrivée ?")
    services.message_send(conversation=thread, sender=associate_a, body="Oui, elle vous attend.")
    services.message_send(conversation=thread, sender=associate_a, body="À demain !",
                          scheduled_for=timezone.now() + timedelta(days=1))
    QuickReply.objects.create(title="Hours", body="We open at 10.")
    assert customer_a.consents.filter(state=ConsentState.OPTED_IN).exists()
    return {"customer": customer_a, "thread": thread}


@pytest.mark.parametrize("language", ["fr", "ja"])
def test_a_day_in_the_associates_language_leaves_no_english(live_server, browser, associate_a, scene,
                                                            language):
    profile = StaffProfile.objects.get(user=associate_a)
    profile.language = language
    profile.save(update_fields=["language"])
    base = live_server.url
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    sign_in(page, base, associate_a)

    page.goto(base + reverse("clienteling:today"))
    assert page.locator("html").get_attribute("lang") == language
    assert_no_english(page, "Today")
    screenshot(page, f"today-{language}")

    page.goto(base + reverse("clienteling:customer_list"))
    page.locator("a", has_text=scene["customer"].last_name).first.wait_for()
    assert_no_english(page, "the customer list")
    screenshot(page, f"customer-list-{language}")

    page.locator("a", has_text=scene["customer"].last_name).first.click()
    page.wait_for_url(f"**{reverse('clienteling:customer_detail', args=[scene['customer'].pk])}")
    assert_no_english(page, "the customer's profile")
    screenshot(page, f"customer-{language}")

    page.goto(base + reverse("conversations:detail", args=[scene["thread"].pk]))
    page.locator(".bubble-row.inbound").wait_for()
    assert_no_english(page, "the conversation")
    # The quick reply exists in English only: the menu says so, in the associate's language.
    page.locator(".composer-tools .dropdown-toggle").click()
    note = page.locator(".quick-reply [data-fallback]")
    assert note.is_visible() and "English" not in note.inner_text()
    assert_no_english(page, "the conversation's quick replies")
    screenshot(page, f"conversation-{language}")
    context.close()
