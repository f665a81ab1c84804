"""Each rule condition of the fixed menu: which of an associate's book customers match today,
with a score (higher is more urgent within the rule) and the reason in plain words.

Every function takes a `Context` and returns {customer_id: (score, reason)}. Reasons are
written in the active language (the feed build activates the associate's).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal

from babel import dates as babel_dates
from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from appointments.models import Appointment
from carts.models import Cart
from catalog.models import Product, StockLevel
from catalog.money import babel_locale, format_money
from clienteling.dates import format_clock, is_leap
from clienteling.models import Customer, CustomerMeasures, Sale, SaleLine, Store, Task, WishlistItem

from ..models import ActionRule, Condition, WishlistWatch

NEW_ARRIVAL_DAYS = 14
NEW_ARRIVALS_CONSIDERED = 200


@dataclass
class Context:
    associate: object
    store: Store
    today: date
    tz: tzinfo
    book: QuerySet  # .values("customer_id") of the associate's book entries
    now: datetime


def _month_day(day: date) -> str:
    """ "12 December" / "December 12", as the active language writes a day of a month."""
    return babel_dates.format_skeleton("MMMMd", day, locale=babel_locale(translation.get_language()))


def _week(today: date) -> dict[int, date]:
    """MMDD key -> its date in the next 7 days (29 February on the 28th in a non-leap year)."""
    days = {}
    for offset in range(7):
        day = today + timedelta(days=offset)
        days.setdefault(day.month * 100 + day.day, day)
        if (day.month, day.day) == (2, 28) and not is_leap(day.year):
            days.setdefault(229, day)
    return days


def date_soon(ctx: Context, rule: ActionRule) -> dict:
    week = _week(ctx.today)
    found = {}
    rows = (
        Customer.objects.filter(pk__in=ctx.book, erased_at__isnull=True)
        .filter(Q(birthday_key__in=week) | Q(anniversary_key__in=week))
        .values_list("pk", "birthday_key", "anniversary_key")
    )
    for pk, birthday, anniversary in rows:
        options = []
        if birthday in week:
            options.append((week[birthday], _("Birthday on %(day)s")))
        if anniversary in week:
            options.append((week[anniversary], _("Anniversary on %(day)s")))
        day, text = min(options, key=lambda option: option[0])
        found[pk] = (7 - (day - ctx.today).days, text % {"day": _month_day(day)})
    return found


def wishlist(ctx: Context, rule: ActionRule) -> dict:
    """Active wishlist items now available in the store where none were at the last look, or
    cheaper than then. The first look only records what it saw."""
    items = list(
        WishlistItem.objects.filter(active=True, customer_id__in=ctx.book)
        .select_related("product")
        .only("pk", "customer_id", "product__title", "product__price", "product__currency", "product_id")
    )
    if not items:
        return {}
    available: dict[int, int] = {}
    if ctx.store.stock_location_id:
        available = dict(
            StockLevel.objects.filter(
                location_id=ctx.store.stock_location_id,
                variant__product_id__in={item.product_id for item in items},
            )
            .values("variant__product_id")
            .annotate(free=Sum(F("on_hand") - F("reserved")))
            .values_list("variant__product_id", "free")
        )
    watches = {watch.item_id: watch for watch in WishlistWatch.objects.filter(item__in=items)}
    found, seen = {}, []
    for item in items:
        now_free = max(available.get(item.product_id) or 0, 0)
        price = item.product.price
        watch = watches.get(item.pk)
        if watch is not None:
            title = item.product.title
            if now_free > 0 and watch.available <= 0:
                found.setdefault(
                    item.customer_id, (2.0, _("Wishlist: %(product)s is back in stock") % {"product": title})
                )
            elif price < watch.price:
                found.setdefault(
                    item.customer_id,
                    (
                        1.0,
                        _("Wishlist: %(product)s reduced from %(old)s to %(new)s")
                        % {
                            "product": title,
                            "old": format_money(watch.price, item.product.currency),
                            "new": format_money(price, item.product.currency),
                        },
                    ),
                )
        seen.append(WishlistWatch(item_id=item.pk, available=now_free, price=price, seen_on=ctx.today))
    WishlistWatch.objects.bulk_create(
        seen, update_conflicts=True, unique_fields=["item"], update_fields=["available", "price", "seen_on"]
    )
    return found


def new_arrival(ctx: Context, rule: ActionRule) -> dict:
    """Products added in the last NEW_ARRIVAL_DAYS from a designer (else a category) the
    customer has bought."""
    since = ctx.now - timedelta(days=NEW_ARRIVAL_DAYS)
    products = list(
        Product.objects.filter(active=True, created_at__gte=since)
        .order_by("-created_at")
        .select_related("designer", "category")
        .only("title", "designer__name", "category__name", "created_at")[:NEW_ARRIVALS_CONSIDERED]
    )
    by_designer, by_category = {}, {}
    for product in products:
        if product.designer_id:
            by_designer.setdefault(product.designer_id, product)
        if product.category_id:
            by_category.setdefault(product.category_id, product)
    found = {}
    goods = SaleLine.objects.filter(customer_id__in=ctx.book, kind=SaleLine.Kind.GOODS)
    if by_designer:
        for customer_id, designer_id in (
            goods.filter(designer_id__in=by_designer).values_list("customer_id", "designer_id").distinct()
        ):
            product = by_designer[designer_id]
            found.setdefault(
                customer_id,
                (
                    2.0,
                    _("New from %(designer)s: %(product)s")
                    % {"designer": product.designer.name, "product": product.title},
                ),
            )
    if by_category:
        for customer_id, category_id in (
            goods.filter(category_id__in=by_category).values_list("customer_id", "category_id").distinct()
        ):
            product = by_category[category_id]
            found.setdefault(
                customer_id,
                (
                    1.0,
                    _("New in %(category)s: %(product)s")
                    % {"category": product.category.name, "product": product.title},
                ),
            )
    return found


def _usual_intervals(ctx: Context) -> dict[int, tuple[datetime, float]]:
    """customer -> (last purchase, usual days between purchases), for customers with two or more."""
    measures = CustomerMeasures.objects.filter(
        customer_id__in=ctx.book, last_purchase_at__isnull=False, orders_count__gte=2
    )
    if any(field.name == "usual_interval_days" for field in CustomerMeasures._meta.get_fields()):
        return {
            pk: (last, float(usual))
            for pk, last, usual in measures.filter(usual_interval_days__gt=0).values_list(
                "customer_id", "last_purchase_at", "usual_interval_days"
            )
        }
    # Without the measure: the mean gap between the first and the last sale.
    rows = (
        Sale.objects.filter(customer_id__in=measures.values("customer_id"), total__gt=0)
        .values("customer_id")
        .annotate(first=Min("sold_at"), last=Max("sold_at"), n=Count("id"))
        .filter(n__gte=2)
        .values_list("customer_id", "first", "last", "n")
    )
    return {
        pk: (last, (last - first).total_seconds() / 86400 / (n - 1))
        for pk, first, last, n in rows
        if last > first
    }


def overdue(ctx: Context, rule: ActionRule) -> dict:
    found = {}
    for pk, (last, usual) in _usual_intervals(ctx).items():
        usual_days = max(1, round(usual))
        days = (ctx.today - last.astimezone(ctx.tz).date()).days
        if days > usual_days:
            found[pk] = (
                days / usual_days,
                _("No purchase for %(days)s days; usually buys every %(usual)s")
                % {"days": days, "usual": usual_days},
            )
    return found


def churn(ctx: Context, rule: ActionRule) -> dict:
    rows = CustomerMeasures.objects.filter(
        customer_id__in=ctx.book, churn_risk__gte=rule.threshold
    ).values_list("customer_id", "churn_risk")
    return {
        pk: (float(risk), _("Churn risk %(percent)s %%") % {"percent": round(Decimal(risk) * 100)})
        for pk, risk in rows
    }


def unpaid_cart(ctx: Context, rule: ActionRule) -> dict:
    found = {}
    carts = (
        Cart.objects.filter(
            status=Cart.Status.OPEN,
            shared_at__isnull=False,
            associate=ctx.associate,
            customer_id__in=ctx.book,
        )
        .order_by("shared_at")
        .values_list("customer_id", "total", "currency", "shared_at")
    )
    for pk, total, currency, shared_at in carts:
        days = (ctx.today - shared_at.astimezone(ctx.tz).date()).days
        text = ngettext(
            "Cart of %(total)s shared %(days)s day ago, not paid",
            "Cart of %(total)s shared %(days)s days ago, not paid",
            days,
        )
        found.setdefault(pk, (float(total), text % {"total": format_money(total, currency), "days": days}))
    return found


def follow_up(ctx: Context, rule: ActionRule) -> dict:
    found = {}
    tasks = (
        Task.objects.filter(
            assignee=ctx.associate,
            completed_at__isnull=True,
            due_on__lte=ctx.today,
            customer__erased_at__isnull=True,
        )
        .order_by("due_on", "id")
        .values_list("customer_id", "title", "due_on")
    )
    for pk, title, due_on in tasks:
        late = (ctx.today - due_on).days
        text = (
            _("Follow-up due today: %(title)s")
            if late == 0
            else ngettext(
                "Follow-up %(days)s day late: %(title)s", "Follow-up %(days)s days late: %(title)s", late
            )
        )
        found.setdefault(pk, (late + 1.0, text % {"title": title, "days": late}))
    return found


def appointment(ctx: Context, rule: ActionRule) -> dict:
    tomorrow = ctx.today + timedelta(days=1)
    start = datetime.combine(tomorrow, time.min, tzinfo=ctx.tz)
    rows = (
        Appointment.objects.filter(
            associate=ctx.associate,
            status=Appointment.Status.BOOKED,
            starts_at__gte=start,
            starts_at__lt=start + timedelta(days=1),
        )
        .order_by("starts_at")
        .values_list("customer_id", "starts_at")
    )
    found = {}
    for pk, starts_at in rows:
        found.setdefault(
            pk,
            (
                1.0,
                _("Appointment tomorrow at %(time)s")
                % {"time": format_clock(starts_at, store=ctx.store, language=translation.get_language())},
            ),
        )
    return found


CONDITIONS = {
    Condition.DATE_SOON: date_soon,
    Condition.WISHLIST: wishlist,
    Condition.NEW_ARRIVAL: new_arrival,
    Condition.OVERDUE: overdue,
    Condition.CHURN: churn,
    Condition.UNPAID_CART: unpaid_cart,
    Condition.FOLLOW_UP: follow_up,
    Condition.APPOINTMENT: appointment,
}


def evaluate(ctx: Context, rule: ActionRule) -> dict:
    """{customer_id: (score, reason)} for one rule."""
    return CONDITIONS[rule.condition](ctx, rule)
