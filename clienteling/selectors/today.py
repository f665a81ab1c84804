"""The associate's Today page."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from clienteling.access import customers_for
from clienteling.dates import store_today
from clienteling.models import ClientBookEntry, Task

from .navigation import home_store_for


def today_for(*, user) -> dict:
    """The associate's Today page: follow-ups, dates coming up, recent customers."""
    store = home_store_for(user)
    today = store_today(store) if store else timezone.localdate()
    visible = customers_for(user)
    book_customer_ids = ClientBookEntry.objects.filter(book__owner=user).values("customer_id")
    keys = [(today + timedelta(days=n)) for n in range(7)]
    month_days = [d.month * 100 + d.day for d in keys]
    if 228 in month_days and not _is_leap(today.year):
        month_days.append(229)  # 29 February birthdays are celebrated on the 28th
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
        "dates_coming": [
            {"customer": c,
             "birthday": c.birthday_key in month_days,
             "anniversary": c.anniversary_key in month_days}
            for c in dates_coming
        ],
        "recent_customers": list(
            visible.filter(measures__last_purchase_at__gte=timezone.now() - timedelta(days=7),
                           pk__in=book_customer_ids)
            .select_related("measures").order_by("-measures__last_purchase_at")[:20]
        ),
    }


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
