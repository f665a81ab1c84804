"""Activities and the timeline on the customer profile, in the store's zone."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from clienteling.models import (
    Activity,
    ActivityType,
)
from clienteling.selectors.profile import customer_timeline
from tests.clienteling.profile_helpers import HTMX, NOON_IN_NEW_YORK, profile_url, section, toast, url
from tests.factories import (
    ActivityFactory,
)

pytestmark = pytest.mark.django_db


# Activities and the timeline -----------------------------------------------------------------

@time_machine.travel(NOON_IN_NEW_YORK, tick=False)
def test_activity_form_defaults_to_now_in_the_store_zone(client, associate_a, customer_a):
    client.force_login(associate_a)

    body = client.get(url("profile_activity_create", customer_a), headers=HTMX).content.decode()

    assert 'value="2026-01-15T12:00"' in body
    assert "Store visit" in body


@time_machine.travel(NOON_IN_NEW_YORK, tick=False)
def test_associate_logs_an_activity_at_a_time_read_in_the_store_zone(client, associate_a,
                                                                      customer_a):
    phone_call = ActivityType.objects.get(slug="phone-call")
    client.force_login(associate_a)

    response = client.post(url("profile_activity_create", customer_a), {
        "activity_type": phone_call.pk, "occurred_at": "2026-01-15T09:30",
        "summary": "Called about the fitting", "details": "Prefers mornings",
    }, headers=HTMX)

    assert response.status_code == 200
    activity = Activity.objects.get(customer=customer_a)
    assert activity.occurred_at == datetime(2026, 1, 15, 14, 30, tzinfo=UTC)
    assert (activity.activity_type, activity.actor) == (phone_call, associate_a)
    assert "Called about the fitting" in response.content.decode()
    assert toast(response) == "Activity logged."


def test_an_activity_needs_a_known_type_and_a_summary(client, associate_a, customer_a):
    client.force_login(associate_a)

    response = client.post(url("profile_activity_create", customer_a), {
        "activity_type": "999999", "occurred_at": "not a date", "summary": "",
    })

    assert response.status_code == 400
    body = response.content.decode()
    assert body.count("invalid-feedback") == 3
    assert not Activity.objects.exists()


def test_inactive_activity_types_are_not_offered(client, associate_a, customer_a):
    ActivityType.objects.filter(slug="gift-sent").update(active=False)
    client.force_login(associate_a)

    body = client.get(url("profile_activity_create", customer_a), headers=HTMX).content.decode()

    assert "Gift sent" not in body


@time_machine.travel(NOON_IN_NEW_YORK, tick=False)
def test_timeline_is_newest_first_and_grouped_by_day_in_the_store_zone(associate_a, customer_a):
    # 03:00 UTC on the 15th is still the evening of the 14th in New York.
    ActivityFactory(customer=customer_a, actor=associate_a, summary="Late visit",
                    occurred_at=datetime(2026, 1, 15, 3, 0, tzinfo=UTC))
    ActivityFactory(customer=customer_a, actor=associate_a, summary="Morning call",
                    occurred_at=datetime(2026, 1, 15, 14, 0, tzinfo=UTC))
    ActivityFactory(customer=customer_a, actor=associate_a, summary="Last week",
                    occurred_at=datetime(2026, 1, 8, 18, 0, tzinfo=UTC))
    new_york = associate_a.staff_profile.home_store.tzinfo

    timeline = customer_timeline(customer=customer_a, tz=new_york, today=date(2026, 1, 15))

    assert [day["day"] for day in timeline["days"]] == [
        date(2026, 1, 15), date(2026, 1, 14), date(2026, 1, 8)]
    assert [[e["summary"] for e in day["entries"]] for day in timeline["days"]] == [
        ["Morning call"], ["Late visit"], ["Last week"]]
    assert timeline["days"][0]["is_today"] and timeline["days"][1]["is_yesterday"]


@time_machine.travel(NOON_IN_NEW_YORK, tick=False)
def test_timeline_shows_day_headings_and_local_times(client, associate_a, customer_a):
    ActivityFactory(customer=customer_a, actor=associate_a, summary="Late visit",
                    occurred_at=datetime(2026, 1, 15, 3, 0, tzinfo=UTC))
    ActivityFactory(customer=customer_a, actor=associate_a, summary="Morning call",
                    occurred_at=datetime(2026, 1, 15, 14, 0, tzinfo=UTC))
    client.force_login(associate_a)

    body = client.get(profile_url(customer_a)).content.decode()

    assert body.index("Today") < body.index("Morning call") < body.index("Yesterday") < body.index(
        "Late visit")
    assert "9 a.m." in body and "10 p.m." in body


def test_older_timeline_entries_load_page_by_page(client, associate_a, customer_a):
    for hours in range(35):
        ActivityFactory(customer=customer_a, actor=associate_a, summary=f"Visit {hours:02d}",
                        occurred_at=timezone.now() - timedelta(hours=hours))
    client.force_login(associate_a)

    first = client.get(url("profile_section", customer_a, section("activities").pk), headers=HTMX)
    before = first.content.decode().split("?before=")[1].split('"')[0]
    older = client.get(url("profile_timeline", customer_a) + "?before=" + before, headers=HTMX)

    assert "Visit 29" in first.content.decode() and "Visit 30" not in first.content.decode()
    assert "Visit 30" in older.content.decode() and "Visit 34" in older.content.decode()
    assert "Visit 29" not in older.content.decode()


def test_a_malformed_timeline_cursor_is_a_bad_request(client, associate_a, customer_a):
    client.force_login(associate_a)

    assert client.get(url("profile_timeline", customer_a), {"before": "yesterday"}).status_code == 400
