from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from clienteling import selectors, services
from clienteling.access import access_customer, customers_view
from clienteling.models import AuditAction, ModuleSettings


@login_required
@require_GET
def today(request):
    # The same rule as the navigation's "Customers" item (the page shows a notice without it).
    customers = (ModuleSettings.load().customers_enabled
                 and request.user.has_perm("clienteling.view_customer_profile"))
    context = selectors.today_for(user=request.user) if customers else {}
    return render(request, "clienteling/today.html", context)


@customers_view
@require_GET
def customer_detail(request, customer_id: int):
    customer = access_customer(request.user, customer_id)
    context = selectors.customer_profile(user=request.user, customer=customer)
    if not context["contact"]["masked"]:
        services.audit_record(action=AuditAction.VIEW_SENSITIVE, customer=customer, request=request,
                              target=f"customer {customer.pk}")
    return render(request, "clienteling/customer_detail.html", context)
