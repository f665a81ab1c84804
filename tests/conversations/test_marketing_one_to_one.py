"""Product shares and marketing templates sent one to one are marketing: they count for the
list's marketing-contact filters and follow the marketing consent rules (opt-in, quiet hours)."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from clienteling.models import CustomerContactHistory
from conversations import services
from conversations.models import Message, MessageTemplate
from tests.clienteling.list_helpers import LIST, names
from tests.factories import ProductFactory

from .conftest import NOON_NY, mapped_template, reply

pytestmark = pytest.mark.django_db
NIGHT_NY = datetime(2026, 6, 11, 2, 30, tzinfo=UTC)  # 22:30 in New York


def share(thread, user):
    return services.catalog_share_send(conversation=thread, user=user, product=ProductFactory())


def marketing_template(category=MessageTemplate.Category.MARKETING):
    return mapped_template(category=category)


def send_template(thread, user, template):
    return services.message_send(conversation=thread, sender=user, template=template)


SENDS = {"product share": lambda thread, user: share(thread, user),
         "marketing template": lambda thread, user: send_template(thread, user, marketing_template())}


@pytest.mark.parametrize("path", SENDS)
def test_a_one_to_one_marketing_send_counts_for_the_marketing_contact_filters(
        client, sms_thread, associate_a, customer_a, demo_provider, path):
    with time_machine.travel(NOON_NY, tick=False):
        message = SENDS[path](sms_thread, associate_a)
        client.force_login(associate_a)
        within = names(client.get(reverse(LIST), {"contacted_within": 1}))
        not_within = names(client.get(reverse(LIST), {"not_contacted_within": 1}))

    assert message.is_marketing and message.status == Message.Status.QUEUED
    history = CustomerContactHistory.objects.get(customer=customer_a)
    assert history.last_marketing_at == NOON_NY and history.last_marketing_sms_at == NOON_NY
    assert customer_a.first_name in within and customer_a.first_name not in not_within


def test_a_utility_template_is_not_marketing_contact(client, sms_thread, associate_a, customer_a,
                                                     demo_provider):
    with time_machine.travel(NOON_NY, tick=False):
        message = send_template(sms_thread, associate_a,
                                marketing_template(MessageTemplate.Category.UTILITY))
        client.force_login(associate_a)
        within = names(client.get(reverse(LIST), {"contacted_within": 1}))
    assert not message.is_marketing
    assert CustomerContactHistory.objects.get(customer=customer_a).last_marketing_at is None
    assert customer_a.first_name not in within


@pytest.mark.parametrize("path", SENDS)
def test_a_one_to_one_marketing_send_needs_the_opt_in(new_sms_thread, associate_a, demo_provider, path):
    # The customer wrote first: a plain reply may go, marketing may not.
    with time_machine.travel(NOON_NY, tick=False):
        reply(new_sms_thread, "Hello?")
        assert services.message_send(conversation=new_sms_thread, sender=associate_a,
                                     body="Hi!").status == Message.Status.QUEUED
        with pytest.raises(services.SendBlocked) as caught:
            SENDS[path](new_sms_thread, associate_a)
    assert caught.value.reason_code == "no_consent"
    assert not Message.objects.filter(is_marketing=True).exists()


@pytest.mark.parametrize("path", SENDS)
def test_a_one_to_one_marketing_send_waits_out_quiet_hours(sms_thread, associate_a, customer_a,
                                                           demo_provider, path):
    with time_machine.travel(NIGHT_NY, tick=False):
        message = SENDS[path](sms_thread, associate_a)
    assert (message.status, message.schedule_reason) == (Message.Status.SCHEDULED, "quiet_hours")
    assert message.scheduled_for == datetime(2026, 6, 11, 12, 0, tzinfo=UTC)  # 08:00 New York
    assert demo_provider == []
    history = CustomerContactHistory.objects.filter(customer=customer_a).first()
    assert history is None or history.last_marketing_at is None  # not contact until it goes
