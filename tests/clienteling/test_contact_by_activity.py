"""Activities of types that count as contact count for "communication within" and Last Contact,
as messages do."""

import importlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from clienteling import services
from clienteling.models import Activity, ActivityType, CustomerContactHistory, CustomerMeasures
from tests.clienteling.list_helpers import LIST, NOON_UTC, names
from tests.clienteling.profile_helpers import HTMX, url
from tests.factories import ActivityFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def last_contact(customer):
    return CustomerContactHistory.objects.filter(customer=customer).values_list(
        "last_contact_at", flat=True).first()


def log(customer, slug, at, actor=None):
    return services.activity_create(customer=customer, activity_type=ActivityType.objects.get(slug=slug),
                                    actor=actor, summary="Saw them", occurred_at=at)


@time_machine.travel(NOON_UTC, tick=False)
def test_a_phone_call_logged_in_the_console_counts_as_communication(as_manager, manager, associate_a,
                                                                    people):
    # Given a phone call logged on Ann's profile, and a type that does not count for Ben
    as_manager.force_login(associate_a)
    ActivityType.objects.filter(slug="gift-sent").update(counts_as_contact=False)
    response = as_manager.post(url("profile_activity_create", people["Ann"]), {
        "activity_type": ActivityType.objects.get(slug="phone-call").pk,
        "occurred_at": "2026-12-26T10:00", "summary": "Called about the fitting"}, headers=HTMX)
    assert response.status_code == 200
    log(people["Ben"], "gift-sent", timezone.now() - timedelta(days=1))
    # and a text to Cai three weeks ago
    services.contact_history_record_message(
        customer_id=people["Cai"].pk, at=timezone.now() - timedelta(days=21), preview="Hello",
        inbound=False, is_marketing=False, channel="sms")
    as_manager.force_login(manager)

    # Then the call and the text count, the gift does not
    assert names(as_manager.get(reverse(LIST), {"communicated_within": 7})) == {"Ann"}
    assert names(as_manager.get(reverse(LIST), {"communicated_within": 30})) == {"Ann", "Cai"}
    assert names(as_manager.get(reverse(LIST), {"not_communicated_within": 7})) == {"Ben", "Cai", "Dee"}
    # and the Last Contact column shows when, sorted on it
    page = as_manager.get(reverse(LIST), {"cols": ["customer", "last_contact"], "sort": "-last_contact"})
    rows = page.context["result"].rows
    assert [row["customer"].first_name for row in rows][:2] == ["Ann", "Cai"]
    assert rows[0]["cells"][1]["value"] == datetime(2026, 12, 26, 15, 0, tzinfo=UTC)  # 10:00 in New York
    assert "Last Contact" in page.content.decode()


def test_every_message_counts_either_way_and_time_only_moves_forward(customer_a):
    now = timezone.now()
    services.contact_history_record_message(customer_id=customer_a.pk, at=now - timedelta(days=3),
                                            preview="Hi", inbound=True, is_marketing=False, channel="sms")
    assert last_contact(customer_a) == now - timedelta(days=3)
    # A one-to-one email (not a text, not marketing) is a message too
    services.contact_history_record_message(customer_id=customer_a.pk, at=now - timedelta(days=2),
                                            preview="Hi", inbound=False, is_marketing=False,
                                            channel="email")
    assert last_contact(customer_a) == now - timedelta(days=2)
    # An activity logged late, about an older visit, leaves the later contact alone
    log(customer_a, "store-visit", now - timedelta(days=10))
    history = CustomerContactHistory.objects.get(customer=customer_a)
    assert history.last_contact_at == now - timedelta(days=2)
    assert history.last_activity_contact_at == now - timedelta(days=10)
    # A newer one moves it
    log(customer_a, "appointment", now - timedelta(hours=1))
    assert last_contact(customer_a) == now - timedelta(hours=1)
    # Inbound batches and bulk sends too
    services.contact_history_record_inbound(entries=[(customer_a.pk, "whatsapp", "Thanks", now)])
    assert last_contact(customer_a) == now
    services.contact_history_record_messages(entries=[(customer_a.pk, "News")], at=now + timedelta(
        minutes=1), is_marketing=True, channel="email")
    assert last_contact(customer_a) == now + timedelta(minutes=1)


def test_an_activity_type_that_stops_counting_is_taken_out_again(client, company_admin, customer_a):
    now = timezone.now()
    services.contact_history_record_message(customer_id=customer_a.pk, at=now - timedelta(days=5),
                                            preview="Hi", inbound=True, is_marketing=False, channel="sms")
    visit = log(customer_a, "store-visit", now - timedelta(days=1))
    assert last_contact(customer_a) == now - timedelta(days=1)
    client.force_login(company_admin)
    store_visit = visit.activity_type

    response = client.post(reverse("admin:clienteling_activitytype_change", args=[store_visit.pk]), {
        "name": store_visit.name, "slug": store_visit.slug, "icon": store_visit.icon,
        "position": store_visit.position, "active": "on"})  # "counts as contact" unticked

    assert response.status_code == 302
    assert last_contact(customer_a) == now - timedelta(days=5)  # back to the message
    store_visit.counts_as_contact = True
    store_visit.save()
    services.contact_history_recount_activities(activity_type=store_visit)
    assert last_contact(customer_a) == now - timedelta(days=1)
    # An activity deleted in the admin was maybe the last contact
    client.post(reverse("admin:clienteling_activity_delete", args=[visit.pk]), {"post": "yes"})
    assert not Activity.objects.exists()
    assert last_contact(customer_a) == now - timedelta(days=5)


def test_existing_activities_and_messages_are_filled_in_by_the_migration(customer_a, customer_b):
    fill = importlib.import_module(
        "clienteling.migrations.0013_contact_facts").fill_contact_facts
    now = timezone.now()
    ActivityFactory(customer=customer_a, occurred_at=now - timedelta(days=4))
    CustomerContactHistory.objects.create(customer=customer_a, last_text_at=now - timedelta(days=9))
    CustomerContactHistory.objects.create(customer=customer_b, last_marketing_at=now - timedelta(days=2))
    CustomerContactHistory.objects.update(last_message_at=None, last_activity_contact_at=None,
                                          last_contact_at=None)  # as they were before 0013

    fill(apps, connection.schema_editor())

    rows = {row.customer_id: row for row in CustomerContactHistory.objects.all()}
    assert rows[customer_a.pk].last_message_at == now - timedelta(days=9)
    assert rows[customer_a.pk].last_contact_at == now - timedelta(days=4)
    assert rows[customer_b.pk].last_contact_at == now - timedelta(days=2)


def test_the_communication_filter_and_column_add_no_query_per_row(as_manager, org, manager,
                                                                   django_assert_num_queries):
    params = {"cols": ["customer", "last_contact", "last_text_date"], "sort": "-last_contact",
              "communicated_within": 30}

    def add_customers(n):
        for customer in CustomerFactory.create_batch(n, legal_entity=org["entity"]):
            CustomerMeasures.objects.create(customer=customer)
            log(customer, "phone-call", timezone.now() - timedelta(days=1), actor=manager)

    add_customers(3)
    as_manager.get(reverse(LIST), params)  # warm per-process caches
    with django_assert_num_queries(LIST_QUERIES) as few:
        assert len(as_manager.get(reverse(LIST), params).context["result"].rows) == 3
    add_customers(22)
    with django_assert_num_queries(LIST_QUERIES):
        assert len(as_manager.get(reverse(LIST), params).context["result"].rows) == 25
    assert not any("clienteling_activity" in q["sql"] for q in few.captured_queries)


# Session, user, user and group permissions, staff profile, home store, the page in two parts
# (a nullable sort reads the customers with a last contact, then those without: the contact
# history joined, never the activities), saved lists, and the phone cards' facts (which rows
# are in my book, their tags, their measures). No count: the list fits on the page; the
# columns come from the URL.
LIST_QUERIES = 12
