"""The store's WhatsApp setup page: QR code and wa.me link, a test message, the first message arriving.

For store managers (their stores) and company admins; anyone else gets a 404.
"""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from clienteling.models import StaffProfile
from conversations.models import Message, WebhookEvent
from tests.factories import make_staff

from .conftest import STORE_A_WHATSAPP
from .meta_support import post_meta, running_meta

pytestmark = pytest.mark.django_db
DIGITS = STORE_A_WHATSAPP.lstrip("+")


@pytest.fixture
def meta(settings, db):
    with running_meta(settings) as found:
        yield found


def page_url(store):
    return reverse("conversations:whatsapp_setup", args=[store.pk])


def poll_url(store, since):
    return reverse("conversations:whatsapp_first_message", args=[store.pk]) + f"?since={since}"


def test_the_page_shows_a_server_made_qr_code_and_the_chat_link(client, meta, messaging, manager, org):
    client.force_login(manager)
    response = client.get(page_url(org["store_a"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'href="https://wa.me/{DIGITS}"' in page and STORE_A_WHATSAPP in page
    svg = re.search(r"<figure[^>]*data-qr>(.*?)</figure>", page, re.S).group(1)
    assert svg.startswith("<svg") and "<path" in svg and "<script" not in svg
    assert "QR code: open a WhatsApp chat with the store" in svg
    assert 'data-arrived="no"' in page and "hx-trigger=\"every 3s\"" in page
    assert "Sent through: Meta (WhatsApp Cloud API)" in page


def test_the_qr_code_encodes_the_wa_me_link():
    import segno

    from conversations.views_whatsapp import qr_svg

    expected = segno.make(f"https://wa.me/{DIGITS}", error="m").svg_inline(
        scale=6, border=2, dark="#111", light="#fff", title="QR code: open a WhatsApp chat with the store")
    assert qr_svg(f"https://wa.me/{DIGITS}") == expected


def test_a_store_without_a_whatsapp_number_says_so(client, settings, manager, org):
    settings.MESSAGING_PROVIDERS = {"sms": "demo", "whatsapp": "demo", "email": "demo"}
    client.force_login(manager)
    page = client.get(page_url(org["store_a"])).content.decode()
    assert "This store has no WhatsApp number yet." in page and "wa.me" not in page


def test_only_the_store_s_managers_and_company_admins_get_in(client, meta, messaging, org, manager,
                                                              associate_a, company_admin):
    other_manager = make_staff(StaffProfile.Role.STORE_MANAGER, org["store_a2"], username="manager.a2")
    expectations = [(manager, org["store_a"], 200), (company_admin, org["store_a2"], 200),
                    (associate_a, org["store_a"], 404), (other_manager, org["store_a"], 404),
                    (manager, org["store_b"], 404)]
    for user, store, status in expectations:
        client.force_login(user)
        assert client.get(page_url(store)).status_code == status, (user, store)
        assert client.get(poll_url(store, 0)).status_code == status, (user, store)


def test_the_poll_waits_then_shows_the_first_message_in_the_store_s_time(client, meta, messaging, manager,
                                                                         org,
                                                                         django_capture_on_commit_callbacks,
                                                                         django_assert_num_queries):
    client.force_login(manager)
    opened = datetime(2026, 6, 10, 16, 0, tzinfo=UTC)
    waiting = client.get(poll_url(org["store_a"], int(opened.timestamp())), HTTP_HX_REQUEST="true")
    assert 'data-arrived="no"' in waiting.content.decode() and "hx-get" in waiting.content.decode()
    post_meta(client, meta.fake, meta.fake.inbound_payload(from_="+13105550199", body="Hello store",
                                                             name="Ada Byron"),
              capture=django_capture_on_commit_callbacks)
    assert WebhookEvent.objects.get().processed_at is not None
    Message.objects.update(created_at=datetime(2026, 6, 10, 16, 2, 30, tzinfo=UTC))
    # session, user, user and group permissions (read once, the sensitive right too), staff profile,
    # the managed store, the first message with its customer (one row, LIMIT 1, however many came).
    with django_assert_num_queries(7):
        response = client.get(poll_url(org["store_a"], int(opened.timestamp())), HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert 'data-arrived="yes"' in page and "hx-trigger" not in page
    # 16:02 UTC is 12:02 in New York (EDT), the store's timezone.
    assert re.search(r"data-arrived-at>[^<]*12:02", page) and "America/New_York" in page
    assert "Ada Byron" in page and "Hello store" in page


def test_a_message_before_the_page_opened_does_not_count(client, meta, messaging, manager, org,
                                                         django_capture_on_commit_callbacks):
    client.force_login(manager)
    post_meta(client, meta.fake, meta.fake.inbound_payload(from_="+13105550199"),
              capture=django_capture_on_commit_callbacks)
    Message.objects.update(created_at=datetime(2026, 6, 10, 15, 0, tzinfo=UTC))
    since = int(datetime(2026, 6, 10, 16, 0, tzinfo=UTC).timestamp())
    assert 'data-arrived="no"' in client.get(poll_url(org["store_a"], since)).content.decode()


def test_an_associate_without_the_sensitive_right_sees_a_masked_number(client, meta, messaging, manager, org,
                                                                        django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Permission

    manager.user_permissions.remove(Permission.objects.get(codename="view_sensitive_customer_data"))
    for group in manager.groups.all():
        group.permissions.remove(Permission.objects.get(codename="view_sensitive_customer_data"))
    client.force_login(manager)
    post_meta(client, meta.fake, meta.fake.inbound_payload(from_="+13105550199"),
              capture=django_capture_on_commit_callbacks)
    page = client.get(poll_url(org["store_a"], 0)).content.decode()
    assert "3105550199" not in page and "•••• 99" in page


@pytest.mark.parametrize("since", ["", "soon", "1e400"])
def test_a_poll_without_a_readable_time_is_a_400(client, meta, messaging, manager, org, since):
    client.force_login(manager)
    assert client.get(poll_url(org["store_a"], since)).status_code == 400


def test_the_test_message_goes_through_meta_from_the_store_s_number(client, meta, messaging, manager, org):
    client.force_login(manager)
    response = client.post(reverse("conversations:whatsapp_test", args=[org["store_a"].pk]),
                           {"to": "+12125550177"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'data-outcome="sent"' in response.content.decode()
    sent = meta.fake.last_send()
    assert (sent["to"], sent["type"]) == ("12125550177", "text")
    assert "Atelier test message from New York" in sent["text"]["body"]


def test_a_refused_test_message_says_why(client, meta, messaging, manager, org):
    client.force_login(manager)
    meta.fake.fail_next(131047)
    response = client.post(reverse("conversations:whatsapp_test", args=[org["store_a"].pk]),
                           {"to": "+12125550177"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert 'data-outcome="refused"' in page and "Outside the WhatsApp 24-hour window" in page


def test_without_htmx_the_outcome_is_a_notice_on_the_page(client, meta, messaging, manager, org):
    client.force_login(manager)
    response = client.post(reverse("conversations:whatsapp_test", args=[org["store_a"].pk]),
                           {"to": "+12125550177"}, follow=True)
    assert response.redirect_chain[-1][0] == page_url(org["store_a"])
    assert "Test message sent to +12125550177" in response.content.decode()


@pytest.mark.parametrize("number", ["", "not a number", "+1"])
def test_a_bad_number_is_a_400_and_sends_nothing(client, meta, messaging, manager, org, number):
    client.force_login(manager)
    response = client.post(reverse("conversations:whatsapp_test", args=[org["store_a"].pk]), {"to": number})
    assert response.status_code == 400 and meta.fake.sends == []


def test_the_test_message_goes_through_twilio_when_it_is_the_provider(client, twilio, messaging, manager,
                                                                      org):
    client.force_login(manager)
    response = client.post(reverse("conversations:whatsapp_test", args=[org["store_a"].pk]),
                           {"to": "+12125550177"}, HTTP_HX_REQUEST="true")
    assert 'data-outcome="sent"' in response.content.decode()
    form = twilio.fake.last_create()
    assert (form["To"], form["From"]) == ("whatsapp:+12125550177", f"whatsapp:{STORE_A_WHATSAPP}")


def test_the_demo_provider_says_it_sends_nothing(client, settings, messaging, manager, org):
    settings.MESSAGING_PROVIDERS = {"sms": "demo", "whatsapp": "demo", "email": "demo"}
    client.force_login(manager)
    response = client.post(reverse("conversations:whatsapp_test", args=[org["store_a"].pk]),
                           {"to": "+12125550177"}, HTTP_HX_REQUEST="true")
    assert "demo provider, which sends nothing" in response.content.decode()


def test_the_admin_links_each_stores_messaging_settings_to_its_whatsapp_test(client, org, messaging):
    from django.contrib.auth import get_user_model

    from conversations.models import StoreMessagingSettings

    root = get_user_model().objects.create_superuser("root", "root@example.com", "root-pass-9")
    client.force_login(root)
    settings_row = StoreMessagingSettings.objects.get(store=org["store_a"])
    page = client.get(reverse("admin:conversations_storemessagingsettings_changelist")).content.decode()
    change = client.get(reverse("admin:conversations_storemessagingsettings_change",
                                args=[settings_row.pk])).content.decode()
    link = reverse("conversations:whatsapp_setup", args=[org["store_a"].pk])
    assert link in page and link in change
