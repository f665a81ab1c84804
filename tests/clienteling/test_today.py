from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from clienteling import services
from tests.factories import CustomerFactory, TaskFactory

pytestmark = pytest.mark.django_db
# 23:30 in New York on 26 Feb 2027 is already the 27th in UTC: "today" is the store's.
LATE_EVENING = datetime(2027, 2, 27, 4, 30, tzinfo=ZoneInfo("UTC"))


@time_machine.travel(LATE_EVENING, tick=False)
def test_today_lists_due_follow_ups_and_dates_in_my_book(client, org, associate_a):
    book = services.client_book_for(owner=associate_a, legal_entity=org["entity"])
    leap = CustomerFactory(legal_entity=org["entity"], first_name="Leap",
                           birth_date=date(1992, 2, 29))
    later = CustomerFactory(legal_entity=org["entity"], first_name="Later",
                            birth_date=date(1990, 3, 20))
    stranger = CustomerFactory(legal_entity=org["entity"], first_name="Stranger",
                               birth_date=date(1990, 2, 27))
    for customer in (leap, later):
        services.client_book_add(book=book, customer=customer, added_by=associate_a)
    TaskFactory(customer=later, assignee=associate_a, title="Call back",
                due_on=date(2027, 2, 26))
    TaskFactory(customer=later, assignee=associate_a, title="Not yet",
                due_on=date(2027, 2, 27))
    client.force_login(associate_a)
    response = client.get(reverse("clienteling:today"))
    context = response.context
    assert context["today"] == date(2027, 2, 26)
    assert [t.title for t in context["tasks_due"]] == ["Call back"]
    coming = context["dates_coming"]
    assert [item["customer"] for item in coming] == [leap]
    assert coming[0]["on"] == date(2027, 2, 28)
    assert stranger not in [item["customer"] for item in coming]
    assert timedelta(days=2) == coming[0]["on"] - context["today"]
