from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from clienteling import selectors
from clienteling.access import access_customer, require_customer_module


@login_required
@require_GET
def today(request):
    context = selectors.today_for(user=request.user) if selectors.console_navigation(
        user=request.user
    ).customers else {}
    return render(request, "clienteling/today.html", context)


@login_required
@require_GET
def customer_list(request):
    require_customer_module(request.user)
    query = request.GET.get("q", "")[:100]
    customers = selectors.customer_search(user=request.user, query=query)
    page = Paginator(customers, 25, allow_empty_first_page=True).get_page(request.GET.get("page"))
    sensitive = selectors.can_see_sensitive(request.user)
    rows = [
        {"customer": c, "contact": selectors.contact_for(c, sensitive=sensitive)}
        for c in page.object_list
    ]
    context = {"page": page, "rows": rows, "query": query}
    template = "clienteling/customer_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


@login_required
@require_GET
def customer_detail(request, customer_id: int):
    require_customer_module(request.user)
    customer = access_customer(request.user, customer_id)
    context = selectors.customer_profile(user=request.user, customer=customer)
    return render(request, "clienteling/customer_detail.html", context)
