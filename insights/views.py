"""Insights console views: the feed and its actions, the store dashboard (and CSV), goals,
the rule report and credit recompute progress. Every view is gated by @insights_view."""

import csv
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from appointments.access import appointments_available
from carts import services as cart_services
from carts.access import carts_available
from catalog.money import quantize
from catalog.replica import heavy_reads
from clienteling import services as clienteling_services
from clienteling.access import access_customer, is_company_admin
from clienteling.dates import store_today
from clienteling.htmx import bad_request, form_errors_text, with_toast
from clienteling.selectors.navigation import home_store_for
from conversations.access import conversations_enabled
from conversations.link_drafts import link_draft_compose
from conversations.templating import template_render, template_variables_for

from . import selectors, services
from .access import (
    access_dashboard_store,
    access_goal,
    access_suggestion,
    dashboard_stores_for,
    goals_managed_by,
    insights_view,
    require_goal_manager,
)
from .forms import GoalForm, PeriodForm
from .models import Action, CreditJob, Metric, Suggestion

FOLLOW_UP_IN_DAYS = 3


def _today(user):
    store = home_store_for(user)
    return store, (store_today(store) if store else None)


@insights_view
@require_GET
def feed(request):
    """The associate's whole feed of the day (Today shows its first cards)."""
    store, today = _today(request.user)
    suggestions = selectors.feed_for(user=request.user, day=today) if today else []
    return render(request, "insights/feed.html", {"suggestions": suggestions, "store": store, "today": today})


def _card_gone(request, suggestion: Suggestion, toast: str):
    """The card leaves the feed (htmx swaps it for nothing); without htmx, back to Today."""
    if request.htmx:
        return with_toast(HttpResponse(""), toast)
    messages.success(request, toast)
    return redirect("clienteling:today")


@insights_view
@require_POST
def suggestion_done(request, suggestion_id: int):
    suggestion = access_suggestion(request.user, suggestion_id)
    try:
        services.suggestion_done(suggestion=suggestion, user=request.user)
    except ValidationError as error:
        return bad_request(" ".join(error.messages))
    return _card_gone(request, suggestion, _("Marked as done."))


@insights_view
@require_POST
def suggestion_dismiss(request, suggestion_id: int):
    suggestion = access_suggestion(request.user, suggestion_id)
    try:
        services.suggestion_dismiss(suggestion=suggestion, user=request.user)
    except ValidationError as error:
        return bad_request(" ".join(error.messages))
    return _card_gone(request, suggestion, _("Dismissed. It will not come back this week."))


@insights_view
@require_POST
def suggestion_snooze(request, suggestion_id: int):
    suggestion = access_suggestion(request.user, suggestion_id)
    try:
        days = int(request.POST.get("days", "1"))
        services.suggestion_snooze(suggestion=suggestion, user=request.user, days=days)
    except ValueError:
        return bad_request(_("Snooze for 1, 3 or 7 days."))
    except ValidationError as error:
        return bad_request(" ".join(error.messages))
    return _card_gone(request, suggestion, _("Snoozed."))


def _message_body(request, suggestion: Suggestion) -> str:
    template = suggestion.rule.template if suggestion.rule_id else None
    if template is None:
        return ""
    variables = template_variables_for(
        template=template, customer=suggestion.customer, sender=request.user, store=suggestion.store
    )
    return template_render(template=template, variables=variables)


def _appointment_url(user, customer) -> str | None:
    """The appointments app's booking for this customer, when the user may book."""
    if not appointments_available(user):
        return None
    return reverse("appointments:book", args=[customer.pk])


@insights_view
@require_POST
def suggestion_act(request, suggestion_id: int):
    """The suggestion's one-tap action, then it is done: the composer with the rule's template,
    a cart, a follow-up in three days, or the appointment booking."""
    suggestion = access_suggestion(request.user, suggestion_id)
    customer = access_customer(request.user, suggestion.customer_id)
    toast = ""
    try:
        if suggestion.action == Action.MESSAGE:
            if not (conversations_enabled() and request.user.has_perm("conversations.access_conversations")):
                return bad_request(_("Messaging is not available to you."))
            url = link_draft_compose(request, customer=customer, body=_message_body(request, suggestion))
        elif suggestion.action == Action.CART:
            if not carts_available(request.user):
                return bad_request(_("Remote carts are not available to you."))
            cart = cart_services.cart_open(customer=customer, store=suggestion.store, user=request.user)
            url = reverse("carts:detail", args=[cart.pk])
        elif suggestion.action == Action.FOLLOW_UP:
            clienteling_services.task_create(
                customer=customer,
                title=suggestion.reason,
                assignee=request.user,
                created_by=request.user,
                due_on=suggestion.day + timedelta(days=FOLLOW_UP_IN_DAYS),
                store=suggestion.store,
            )
            url = reverse("clienteling:customer_detail", args=[customer.pk])
            toast = _("Follow-up scheduled in %(days)s days.") % {"days": FOLLOW_UP_IN_DAYS}
        elif suggestion.action == Action.APPOINTMENT and _appointment_url(request.user, customer):
            url = _appointment_url(request.user, customer)
        else:
            url = reverse("clienteling:customer_detail", args=[customer.pk])
        services.suggestion_done(suggestion=suggestion, user=request.user)
    except ValidationError as error:
        return bad_request(" ".join(error.messages))
    if toast:
        messages.success(request, toast)
    if request.htmx:
        response = HttpResponse("")
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _period(request, store):
    form = PeriodForm(request.GET, today=store_today(store))
    if not form.is_valid():
        return form, None, None
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    # The fields show the period in effect (this month when none was asked for).
    form.data = form.data.copy()
    form.data["start"], form.data["end"] = start.isoformat(), end.isoformat()
    return form, start, end


@insights_view
@require_GET
@heavy_reads()
def dashboard(request):
    """The store dashboard: leaderboard, daily credited sales, goals, for a date range."""
    stores = list(dashboard_stores_for(request.user).order_by("name"))
    links = {
        "can_report": request.user.has_perm("insights.view_rule_report"),
        "can_recompute": is_company_admin(request.user),
    }
    if not stores:
        return render(request, "insights/dashboard.html", {"stores": [], "form": None, **links})
    wanted = request.GET.get("store")
    home = home_store_for(request.user)
    store = (
        access_dashboard_store(request.user, wanted)
        if wanted
        else next((s for s in stores if home and s.pk == home.pk), stores[0])
    )
    form, start, end = _period(request, store)
    if start is None:
        response = render(
            request,
            "insights/dashboard.html",
            {"stores": stores, "store": store, "form": form, **links},
            status=400,
        )
        return with_toast(response, form_errors_text(form)) if request.htmx else response
    context = selectors.dashboard(user=request.user, store=store, start=start, end=end)
    context.update(
        stores=stores,
        form=form,
        metrics=Metric.choices,
        can_manage_goals=request.user.has_perm("insights.manage_goals"),
    )
    if request.htmx:
        return render(request, "insights/dashboard.html#body", context)
    return render(request, "insights/dashboard.html", context)


@insights_view
@require_GET
@heavy_reads()
def dashboard_csv(request):
    """The leaderboard as the dashboard shows it, as CSV."""
    store = access_dashboard_store(request.user, request.GET.get("store"))
    form, start, end = _period(request, store)
    if start is None:
        return bad_request(form_errors_text(form))
    data = selectors.dashboard(user=request.user, store=store, start=start, end=end)
    header = [_("Rank"), _("Associate"), *(label for _value, label in Metric.choices)]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dashboard-{store.code}-{start}-{end}.csv"'
    writer = csv.writer(response)
    writer.writerow([str(item) for item in header])
    for row in data["leaderboard"]:
        writer.writerow(
            [
                row["rank"],
                row["name"],
                *(
                    quantize(row[metric], store.currency) if metric == Metric.SALES else int(row[metric])
                    for metric in Metric.values
                ),
            ]
        )
    return response


@insights_view
@require_GET
def goals(request):
    require_goal_manager(request.user)
    found = (
        goals_managed_by(request.user)
        .select_related("store", "associate")
        .order_by("-starts_on", "store__name")
    )
    return render(
        request, "insights/goals.html", {"goals": [selectors.goal_progress(goal) for goal in found[:100]]}
    )


def _goal_form(request, goal=None):
    require_goal_manager(request.user)
    stores = dashboard_stores_for(request.user)
    form = GoalForm(request.POST or None, instance=goal, stores=stores)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.goal_save(goal=form.save(commit=False), user=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Goal saved."))
                return redirect("insights:goals")
        return render(request, "insights/goal_form.html", {"form": form, "goal": goal}, status=400)
    return render(request, "insights/goal_form.html", {"form": form, "goal": goal})


@insights_view
@require_http_methods(["GET", "POST"])
def goal_create(request):
    return _goal_form(request)


@insights_view
@require_http_methods(["GET", "POST"])
def goal_edit(request, goal_id: int):
    require_goal_manager(request.user)
    return _goal_form(request, access_goal(request.user, goal_id))


@insights_view
@require_POST
def goal_delete(request, goal_id: int):
    require_goal_manager(request.user)
    goal = access_goal(request.user, goal_id)
    services.goal_delete(goal=goal)
    messages.success(request, _("Goal deleted."))
    return redirect("insights:goals")


@insights_view(permission="insights.view_rule_report")
@require_GET
@heavy_reads()
def rule_report(request):
    """Which rules lead to replies and sales, over the period."""
    store = home_store_for(request.user)
    if store is None:
        raise PermissionDenied
    form, start, end = _period(request, store)
    if start is None:
        return render(request, "insights/rule_report.html", {"form": form, "rows": []}, status=400)
    return render(
        request,
        "insights/rule_report.html",
        {
            "form": form,
            "start": start,
            "end": end,
            "rows": selectors.rule_report(user=request.user, start=start, end=end),
        },
    )


@insights_view
@require_http_methods(["GET", "POST"])
def credit_recompute(request):
    """Company admins recompute every credit (after changing the attribution windows)."""
    if not is_company_admin(request.user):
        raise PermissionDenied
    if request.method == "POST":
        job = services.credit_recompute_start(user=request.user)
        return redirect("insights:credit_job", job.pk)
    return render(
        request, "insights/credit_job.html", {"job": CreditJob.objects.order_by("-pk").first(), "start": True}
    )


@insights_view
@require_GET
def credit_job(request, job_id: int):
    if not is_company_admin(request.user):
        raise PermissionDenied
    job = CreditJob.objects.filter(pk=job_id).first()
    if job is None:
        raise Http404
    if request.htmx:
        return render(request, "insights/credit_job.html#progress", {"job": job})
    return render(request, "insights/credit_job.html", {"job": job})
