"""The customer list, its grid, saved lists, list templates, export and bulk actions."""

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseBadRequest, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clienteling import services
from clienteling.access import can_see_sensitive, require_customer_module
from clienteling.bulk import serialize_params
from clienteling.forms.lists import ColumnsForm, SavedListForm, TemplateForm, filter_params
from clienteling.grid import COLUMNS, COLUMNS_BY_KEY
from clienteling.htmx import with_toast
from clienteling.models import BulkJob, GridPreference, SavedCustomerList
from clienteling.registry import bulk_actions
from clienteling.selectors.lists import customer_list as select_customer_list
from clienteling.selectors.lists import filtered_customers
from clienteling.selectors.navigation import home_store_for


def _saved_list_for(user, list_id) -> SavedCustomerList | None:
    if not list_id:
        return None
    try:
        return SavedCustomerList.objects.get(pk=int(list_id), owner=user, is_template=False)
    except (ValueError, SavedCustomerList.DoesNotExist):
        raise Http404 from None


def _params_with_saved_filters(request, saved_list):
    """A saved list's filters, overridden by whatever the URL says."""
    if saved_list is None:
        return request.GET
    params = QueryDict(mutable=True)
    url_filters = filter_params(request.GET)
    for key, values in (url_filters or saved_list.filters).items():
        params.setlist(key, values)
    for key in ("cursor", "cols", "size", "sort"):
        if key in request.GET:
            params.setlist(key, request.GET.getlist(key))
    return params


def _available_actions(user):
    return [a for a in bulk_actions if not a.permission or user.has_perm(a.permission)]


@login_required
@require_GET
def customer_list(request):
    require_customer_module(request.user)
    saved_list = _saved_list_for(request.user, request.GET.get("list"))
    params = _params_with_saved_filters(request, saved_list)
    result = select_customer_list(user=request.user, params=params, saved_list=saved_list)
    query = {k: v for k, v in filter_params(params).items()}
    context = {
        "result": result,
        "form": result.filterset.form,
        "saved_list": saved_list,
        "saved_lists": SavedCustomerList.objects.filter(owner=request.user, is_template=False)
        .only("id", "name"),
        "columns_form": ColumnsForm(initial={"cols": [c.key for c in result.columns]}),
        "all_columns": COLUMNS,
        "chosen_columns": {c.key for c in result.columns},
        "query_string": urlencode(query, doseq=True),
        "list_param": saved_list.pk if saved_list else "",
        "actions": _available_actions(request.user),
        "can_export": request.user.has_perm("clienteling.export_customers"),
        "can_manage_templates": request.user.has_perm("clienteling.manage_list_templates"),
        "active_filter_count": len([k for k in query if k not in ("sort", "scope")]),
    }
    status = 400 if result.errors else 200
    template = "clienteling/customer_list.html"
    if request.htmx and request.htmx.target == "results":
        template += "#results"
    return render(request, template, context, status=status)


@login_required
@require_POST
def grid_columns(request):
    """Remember the chosen columns: on the saved list, or as the user's default."""
    require_customer_module(request.user)
    form = ColumnsForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Unknown column."))
    columns = [key for key in form.cleaned_data["cols"] if key in COLUMNS_BY_KEY]
    saved_list = _saved_list_for(request.user, request.POST.get("list"))
    if saved_list:
        saved_list.columns = columns
        saved_list.save(update_fields=["columns", "updated_at"])
    else:
        GridPreference.objects.update_or_create(user=request.user, defaults={"columns": columns})
    url = reverse("clienteling:customer_list") + "?" + request.POST.get("query", "")
    if saved_list:
        url += f"&list={saved_list.pk}"
    messages.success(request, _("Columns saved."))
    return redirect(url)


class _Echo:
    def write(self, value):
        return value


@login_required
@require_GET
def customer_export(request):
    """Stream the current list as CSV; masked fields stay masked."""
    require_customer_module(request.user)
    if not request.user.has_perm("clienteling.export_customers"):
        raise PermissionDenied
    saved_list = _saved_list_for(request.user, request.GET.get("list"))
    params = _params_with_saved_filters(request, saved_list)
    filterset, queryset = filtered_customers(user=request.user, params=params)
    if filterset.form.errors:
        return HttpResponseBadRequest(_("The filters are not valid."))
    ids = [int(pk) for pk in request.GET.getlist("ids") if pk.isdigit()]
    if ids:
        queryset = queryset.filter(pk__in=ids)
    result = select_customer_list(user=request.user, params=params, saved_list=saved_list)
    columns = result.columns
    related = sorted({p for c in columns for p in c.related})
    prefetch = sorted({p for c in columns for p in c.prefetch})
    sensitive = can_see_sensitive(request.user)
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow([str(c.label) for c in columns])
        last_pk = 0
        while True:
            # Chunks by primary key keep memory flat on a million rows.
            chunk = list(queryset.filter(pk__gt=last_pk).order_by("pk")
                         .select_related(*related).prefetch_related(*prefetch)[:1000])
            if not chunk:
                return
            for customer in chunk:
                cells = []
                for column in columns:
                    value = column.value(customer, sensitive=sensitive)
                    if column.kind == "name":
                        value = customer.full_name
                    cells.append("; ".join(value) if isinstance(value, list) else
                                 "" if value is None else str(value))
                yield writer.writerow(cells)
            last_pk = chunk[-1].pk

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="customers-{stamp}.csv"'
    return response


# --- Saved lists and templates ----------------------------------------------------


@login_required
@require_POST
def saved_list_create(request):
    require_customer_module(request.user)
    form = SavedListForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the list a name."))
        return redirect(reverse("clienteling:customer_list") + "?" + request.POST.get("query", ""))
    saved = form.save(commit=False)
    saved.owner = request.user
    saved.filters = filter_params(QueryDict(request.POST.get("query", "")))
    saved.columns = [k for k in request.POST.getlist("cols") if k in COLUMNS_BY_KEY]
    saved.save()
    messages.success(request, _("List “%(name)s” saved.") % {"name": saved.name})
    return redirect(reverse("clienteling:customer_list") + f"?list={saved.pk}")


@login_required
@require_POST
def saved_list_update(request, list_id: int):
    require_customer_module(request.user)
    saved = get_object_or_404(SavedCustomerList, pk=list_id, owner=request.user,
                              is_template=False)
    saved.filters = filter_params(QueryDict(request.POST.get("query", "")))
    saved.save(update_fields=["filters", "updated_at"])
    messages.success(request, _("List “%(name)s” updated.") % {"name": saved.name})
    return redirect(reverse("clienteling:customer_list") + f"?list={saved.pk}")


@login_required
@require_POST
def saved_list_delete(request, list_id: int):
    require_customer_module(request.user)
    saved = get_object_or_404(SavedCustomerList, pk=list_id, owner=request.user,
                              is_template=False)
    saved.delete()
    messages.success(request, _("List deleted."))
    return redirect("clienteling:customer_list")


def _visible_templates(user):
    from django.db.models import Q

    from clienteling.access import stores_for

    return SavedCustomerList.objects.filter(
        Q(store__isnull=True) | Q(store__in=stores_for(user)),
        is_template=True, template_status=SavedCustomerList.TemplateStatus.PUBLISHED,
    ).select_related("owner")


@login_required
@require_GET
def list_templates(request):
    """"Add existing list": the published templates an associate can copy."""
    require_customer_module(request.user)
    return render(request, "clienteling/list_templates.html", {
        "templates": _visible_templates(request.user).order_by("name"),
        "can_manage_templates": request.user.has_perm("clienteling.manage_list_templates"),
    })


@login_required
@require_POST
def list_template_copy(request, template_id: int):
    require_customer_module(request.user)
    template = get_object_or_404(_visible_templates(request.user), pk=template_id)
    copy = SavedCustomerList.objects.create(
        owner=request.user, name=template.name, description=template.description,
        filters=template.filters, columns=template.columns, sort=template.sort,
        source_template=template,
    )
    messages.success(request, _("“%(name)s” added to your lists.") % {"name": copy.name})
    return redirect(reverse("clienteling:customer_list") + f"?list={copy.pk}")


def _require_template_manager(user):
    if not user.has_perm("clienteling.manage_list_templates"):
        raise PermissionDenied


@login_required
def list_template_manage(request):
    """Managers publish, edit and retire list templates."""
    require_customer_module(request.user)
    _require_template_manager(request.user)
    templates = SavedCustomerList.objects.filter(is_template=True).order_by("template_status",
                                                                           "name")
    if request.method == "POST":
        form = TemplateForm(request.POST)
        if form.is_valid():
            template = form.save(commit=False)
            template.owner = request.user
            template.is_template = True
            template.filters = filter_params(QueryDict(request.POST.get("query", "")))
            template.columns = [k for k in request.POST.getlist("cols") if k in COLUMNS_BY_KEY]
            template.store = home_store_for(request.user) if request.POST.get(
                "this_store") else None
            template.save()
            messages.success(request, _("Template “%(name)s” saved.") % {"name": template.name})
            return redirect("clienteling:list_template_manage")
    else:
        form = TemplateForm(initial={"template_status": SavedCustomerList.TemplateStatus.DRAFT})
    return render(request, "clienteling/list_template_manage.html",
                  {"templates": templates, "form": form,
                   "statuses": SavedCustomerList.TemplateStatus.choices},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def list_template_status(request, template_id: int):
    require_customer_module(request.user)
    _require_template_manager(request.user)
    template = get_object_or_404(SavedCustomerList, pk=template_id, is_template=True)
    status = request.POST.get("status")
    if status not in SavedCustomerList.TemplateStatus.values:
        return HttpResponseBadRequest(_("Unknown status."))
    template.template_status = status
    template.save(update_fields=["template_status", "updated_at"])
    messages.success(request, _("Template “%(name)s” is now %(status)s.") % {
        "name": template.name, "status": template.get_template_status_display()})
    return redirect("clienteling:list_template_manage")


# --- Bulk actions --------------------------------------------------------------------


@login_required
@require_GET
def bulk_action_form(request, action_key: str):
    require_customer_module(request.user)
    action = bulk_actions.get(action_key)
    if action is None:
        raise Http404
    if action.permission and not request.user.has_perm(action.permission):
        raise PermissionDenied
    form = action.form_class(user=request.user) if action.form_class else None
    return render(request, "clienteling/partials/bulk_form.html",
                  {"action": action, "form": form})


@login_required
@require_POST
def bulk_action_start(request, action_key: str):
    require_customer_module(request.user)
    action = bulk_actions.get(action_key)
    if action is None:
        raise Http404
    if action.permission and not request.user.has_perm(action.permission):
        raise PermissionDenied
    ids = [int(pk) for pk in request.POST.getlist("ids") if pk.isdigit()]
    all_matching = request.POST.get("all_matching") == "1"
    query = request.POST.get("query", "")
    if action.run is None:  # export streams directly
        url = reverse("clienteling:customer_export") + "?" + query
        if not all_matching:
            url += "&" + urlencode({"ids": ids}, doseq=True)
        response = redirect(url)
        if request.htmx:
            response["HX-Redirect"] = url
        return response
    form = action.form_class(request.POST, user=request.user) if action.form_class else None
    if form is not None and not form.is_valid():
        return render(request, "clienteling/partials/bulk_form.html",
                      {"action": action, "form": form}, status=400)
    try:
        with transaction.atomic():
            job = services.bulk_job_start(
                user=request.user, action_key=action_key,
                params=serialize_params(form.cleaned_data) if form else {},
                ids=None if all_matching else ids, query=query if all_matching else None,
                store=home_store_for(request.user),
            )
    except ValidationError as exc:
        return render(request, "clienteling/partials/bulk_form.html",
                      {"action": action, "form": form, "error": exc.messages[0]}, status=400)
    return render(request, "clienteling/partials/bulk_progress.html", {"job": job,
                                                                         "action": action})


@login_required
@require_GET
def bulk_job_status(request, job_id: int):
    job = get_object_or_404(BulkJob, pk=job_id, created_by=request.user)
    response = render(request, "clienteling/partials/bulk_progress.html",
                      {"job": job, "action": bulk_actions.get(job.action)})
    if job.status == BulkJob.Status.DONE:
        with_toast(response, _("Bulk action finished."))
    return response
