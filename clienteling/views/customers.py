from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from catalog.replica import heavy_reads
from clienteling import selectors, services
from clienteling.access import access_customer, customers_view
from clienteling.models import AuditAction, ModuleSettings


@login_required
@heavy_reads()
@require_GET
def today(request):
    """Everyone's landing page, so open to any signed-in user; the customer parts need the module."""
    # The same rule as the navigation's "Customers" item (the page shows a notice without it).
    customers = (ModuleSettings.load().customers_enabled
                 and request.user.has_perm("clienteling.view_customer_profile"))
    context = selectors.today_for(user=request.user) if customers else {}
    if customers:
        context["panels"] = [
            TodayPanel("tasks", "list-check", _("Follow-ups due"), context["tasks_due"],
                       "check2", _("No follow-ups due. Nice work.")),
            TodayPanel("dates", "gift", _("Dates this week in my book"), context["dates_coming"],
                       "calendar-event", _("No birthdays or anniversaries this week.")),
            TodayPanel("recent", "graph-up", _("Recently active in my book"), context["recent_customers"],
                       "graph-up", _("No purchases, texts or activities from your book in the last 7 days.")),
        ]
    return render(request, "clienteling/today.html", context)


@dataclass(frozen=True)
class TodayPanel:
    key: str
    icon: str
    title: str
    items: list
    empty_icon: str
    empty: str


@customers_view
@require_GET
def customer_detail(request, customer_id: int):
    customer = access_customer(request.user, customer_id)
    context = selectors.customer_profile(user=request.user, customer=customer)
    if not context["contact"]["masked"]:
        services.audit_record(action=AuditAction.VIEW_SENSITIVE, customer=customer, request=request,
                              target=f"customer {customer.pk}")
    return render(request, "clienteling/customer_detail.html", context)
