"""The associate's Today page."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from clienteling.access import customers_for
from clienteling.dates import is_leap, store_today
from clienteling.models import ClientBookEntry, Task

from .navigation import home_store_for


def today_for(*, user) -> dict:
    """The associate's Today page: follow-ups, dates coming up, recent customers."""
    store = home_store_for(user)
    today = store_today(store) if store else timezone.localdate()
    visible = customers_for(user)
    book_customer_ids = ClientBookEntry.objects.filter(book__owner=user).values("customer_id")
    week = [today + timedelta(days=n) for n in range(7)]
    day_of_key = {d.month * 100 + d.day: d for d in week}
    for day in week:
        if (day.month, day.day) == (2, 28) and not is_leap(day.year):
            day_of_key[229] = day  # 29 February birthdays are celebrated on the 28th
    month_days = list(day_of_key)
    dates_coming = list(
        visible.filter(pk__in=book_customer_ids)
        .filter(Q(birthday_key__in=month_days) | Q(anniversary_key__in=month_days))
        .only("id", "first_name", "last_name", "birthday_key", "anniversary_key")[:50]
    )
    return {
        "store": store,
        "today": today,
        "tasks_due": list(
            Task.objects.filter(assignee=user, completed_at__isnull=True, due_on__lte=today,
                                customer__in=visible)
            .select_related("customer").order_by("due_on")[:50]
        ),
        "dates_coming": sorted(
            ({"customer": c,
              "birthday": c.birthday_key in day_of_key,
              "anniversary": c.anniversary_key in day_of_key,
              "on": min(day_of_key[k] for k in (c.birthday_key, c.anniversary_key)
                        if k in day_of_key)}
             for c in dates_coming),
            key=lambda item: (item["on"], item["customer"].last_name),
        ),
        "recent_customers": list(
            visible.filter(measures__last_purchase_at__gte=timezone.now() - timedelta(days=7),
                           pk__in=book_customer_ids)
            .select_related("measures").order_by("-measures__last_purchase_at")[:20]
        ),
    }

