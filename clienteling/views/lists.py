"""The customer list, its grid, saved lists, list templates, export and bulk actions."""

import csv
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.replica import heavy_reads, heavy_reads_iterator
from clienteling import services
from clienteling.access import (
    access_list_template,
    access_saved_list,
    can_see_sensitive,
    customers_view,
    is_company_admin,
    list_templates_listed_for,
    list_templates_managed_by,
    list_templates_published_for,
    managed_stores_for,
)
from clienteling.bulk import serialize_params
from clienteling.forms.lists import (
    ColumnsForm,
    SavedListForm,
    TemplateForm,
    active_filter_count,
    filter_params,
)
from clienteling.grid import COLUMNS_BY_KEY, columns_offered, shown_columns
from clienteling.htmx import bad_request, with_toast
from clienteling.models import AuditAction, BulkJob, SavedCustomerList
from clienteling.registry import bulk_actions
from clienteling.selectors.lists import CustomerList, customer_filterset, filter_definition
from clienteling.selectors.lists import customer_count as select_customer_count
from clienteling.selectors.lists import customer_export as select_customer_export
from clienteling.selectors.lists import customer_list as select_customer_list
from clienteling.selectors.navigation import home_store_for


def _saved_list_for(user, list_id) -> SavedCustomerList | None:
    return access_saved_list(user, list_id) if list_id else None


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


def _list_request(request):
    """The saved list the URL names and the filters it applies."""
    saved_list = _saved_list_for(request.user, request.GET.get("list"))
    return saved_list, _params_with_saved_filters(request, saved_list)


def _available_actions(user):
    return [a for a in bulk_actions if not a.permission or user.has_perm(a.permission)]


def _column_menu(chosen_keys: list[str]) -> list[dict]:
    """The eye-icon menu: the shown columns first, in their order, then the others."""
    shown = [COLUMNS_BY_KEY[key] for key in chosen_keys]
    hidden = [column for column in columns_offered() if column.key not in chosen_keys]
    return ([{"column": c, "checked": True} for c in shown]
            + [{"column": c, "checked": False} for c in hidden])


def _list_url(query: str = "", *, saved_list=None, sort: str = "") -> str:
    params = QueryDict(query, mutable=True)
    for key in ("list", "sort", "cursor"):
        params.pop(key, None)
    if saved_list is not None:
        params["list"] = str(saved_list.pk)
    if sort:
        params["sort"] = sort
    encoded = params.urlencode()
    return reverse("clienteling:customer_list") + (f"?{encoded}" if encoded else "")


@customers_view
@require_GET
def filter_group(request, key: str):
    """A closed filter section's fields, fetched when it is first opened (it holds no value)."""
    filterset = customer_filterset(user=request.user, params=QueryDict())
    section = next((section for section in filterset.form_sections() if section["group"].key == key), None)
    if section is None:
        raise Http404
    return render(request, "clienteling/partials/filter_group_rows.html", {"section": section})


@customers_view
@heavy_reads()
@require_GET
def customer_list(request):
    saved_list, params = _list_request(request)
    result = select_customer_list(user=request.user, params=params, saved_list=saved_list,
                                  count_budget_ms=settings.CUSTOMER_LIST_COUNT_BUDGET_MS)
    query = filter_params(params)
    column_keys = [c.key for c in result.columns]
    context = {
        "result": result,
        "form": result.filterset.form,
        "saved_list": saved_list,
        "saved_lists": list(SavedCustomerList.objects.filter(owner=request.user, is_template=False)
                            .only("id", "name").order_by("name")),
        "column_menu": _column_menu(column_keys),
        "column_keys": column_keys,
        "query_string": urlencode(query, doseq=True),
        "list_query": urlencode({**query, **({"list": saved_list.pk} if saved_list else {})}, doseq=True),
        "actions": _available_actions(request.user),
        "can_export": request.user.has_perm("clienteling.export_customers"),
        "can_manage_templates": request.user.has_perm("clienteling.manage_list_templates"),
        "active_filter_count": active_filter_count(query),
        "lazy_filters": True,
    }
    context["list_state_forms"] = ["save-list-form"] + (
        ["template-from-list"] if context["can_manage_templates"] else [])
    status = 400 if result.errors else 200
    template = "clienteling/customer_list.html"
    if request.htmx and request.htmx.target == "results":
        template += "#results"
    return render(request, template, context, status=status)


@customers_view
@heavy_reads()
@require_GET
def customer_count(request):
    """The count of a customer list whose page was sent before counting finished."""
    _saved_list, params = _list_request(request)
    filterset, counted = select_customer_count(user=request.user, params=params)
    if filterset.form.errors:
        return bad_request(_("The filters are not valid."))
    result = CustomerList(filterset=filterset, columns=[], sort="")
    if counted is not None:
        result.count, result.count_capped = counted
    return render(request, "clienteling/customer_list.html#count",
                  {"result": result, "count_unavailable": counted is None})


@customers_view
@require_POST
def grid_columns(request):
    """Remember the chosen columns, in their order: on the saved list, or as the user's default."""
    form = ColumnsForm(request.POST)
    if not form.is_valid():
        return bad_request(_("Unknown column."))
    columns = form.cleaned_data["cols"]
    saved_list = _saved_list_for(request.user, request.POST.get("list"))
    if saved_list:
        services.saved_list_set_columns(saved_list=saved_list, columns=columns)
    else:
        services.grid_preference_set(user=request.user, columns=columns)
    messages.success(request, _("Columns saved."))
    return redirect(_list_url(request.POST.get("query", ""), saved_list=saved_list,
                              sort=request.POST.get("sort", "")))


class _Echo:
    def write(self, value):
        return value


@customers_view
@heavy_reads()
@require_GET
def customer_export(request):
    """Stream the current list as CSV; masked fields stay masked."""
    if not request.user.has_perm("clienteling.export_customers"):
        raise PermissionDenied
    saved_list, params = _list_request(request)
    ids = [int(pk) for pk in request.GET.getlist("ids") if pk.isdigit()]
    filterset, _columns, rows = select_customer_export(user=request.user, params=params,
                                                       saved_list=saved_list, ids=ids)
    if filterset.form.errors:
        return bad_request(_("The filters are not valid."))
    rows = heavy_reads_iterator(rows)  # streamed after the view returns
    services.audit_record(
        action=AuditAction.EXPORT, request=request, target=saved_list.name if saved_list else "",
        detail={"filters": sorted(key for key, value in params.items() if value), "selected": len(ids),
                "unmasked": can_see_sensitive(request.user)})
    writer = csv.writer(_Echo())
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse((writer.writerow(row) for row in rows),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="customers-{stamp}.csv"'
    return response


# --- Saved lists -----------------------------------------------------------------------


@customers_view
@require_POST
def saved_list_create(request):
    """"Create my own": the filters, columns and sort shown now, under a name."""
    query = request.POST.get("query", "")
    form = SavedListForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the list a name."))
        return redirect(_list_url(query, sort=request.POST.get("sort", "")))
    try:
        saved = services.saved_list_create(
            owner=request.user, name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            filters=filter_params(QueryDict(query)), columns=request.POST.getlist("cols"),
            sort=request.POST.get("sort", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_list_url(query))
    messages.success(request, _("List “%(name)s” saved.") % {"name": saved.name})
    return redirect(_list_url(saved_list=saved))


@customers_view
@require_POST
def saved_list_update(request, list_id: int):
    saved = access_saved_list(request.user, list_id)
    services.saved_list_update(
        saved_list=saved, filters=filter_params(QueryDict(request.POST.get("query", ""))),
        columns=request.POST.getlist("cols") or None, sort=request.POST.get("sort"),
    )
    messages.success(request, _("List “%(name)s” updated.") % {"name": saved.name})
    return redirect(_list_url(saved_list=saved))


@customers_view
@require_POST
def saved_list_delete(request, list_id: int):
    saved = access_saved_list(request.user, list_id)
    services.saved_list_delete(saved_list=saved)
    messages.success(request, _("List deleted."))
    return redirect("clienteling:customer_list")


# --- List templates ------------------------------------------------------------------


@customers_view
@require_GET
def list_templates(request):
    """"Add existing list": the published templates an associate can copy."""
    return render(request, "clienteling/list_templates.html", {
        "templates": list(list_templates_published_for(request.user).order_by("name")),
        "can_manage_templates": request.user.has_perm("clienteling.manage_list_templates"),
    })


@customers_view
@require_POST
def list_template_copy(request, template_id: int):
    template = get_object_or_404(list_templates_published_for(request.user), pk=template_id)
    copy = services.list_template_copy(template=template, owner=request.user)
    messages.success(request, _("“%(name)s” added to your lists.") % {"name": copy.name})
    return redirect(_list_url(saved_list=copy))


@customers_view(permission="clienteling.manage_list_templates")
@require_GET
def list_template_manage(request):
    """Managers publish, edit and retire the templates of their stores."""
    manageable = set(list_templates_managed_by(request.user).values_list("pk", flat=True))
    templates = (list_templates_listed_for(request.user).select_related("store")
                 .order_by("template_status", "name"))
    # "New template" starts from the list the manager was looking at.
    new_url = reverse("clienteling:list_template_create")
    if request.GET:
        new_url += "?" + request.GET.urlencode()
    return render(request, "clienteling/list_template_manage.html", {
        "rows": [{"template": t, "can_change": t.pk in manageable} for t in templates],
        "new_url": new_url,
    })


def _template_editor(request, template: SavedCustomerList | None):
    """Create or edit a template: name, description, status, store, filters, columns, sort."""
    user = request.user
    company_wide = is_company_admin(user)
    stores = managed_stores_for(user).order_by("name")
    if request.method == "POST":
        form = TemplateForm(request.POST, stores=stores, company_wide=company_wide)
        filter_source = request.POST
        columns = request.POST.getlist("cols")
    else:
        if template is not None:
            initial = {"name": template.name, "description": template.description,
                       "template_status": template.template_status, "store": template.store,
                       "sort": template.sort}
            filter_source = QueryDict(mutable=True)
            for key, values in template.filters.items():
                filter_source.setlist(key, values)
            columns = template.columns
        else:
            # From the customer list: its filters, columns and sort.
            query = QueryDict(request.GET.get("query", ""))
            initial = {"template_status": SavedCustomerList.TemplateStatus.DRAFT,
                       "store": home_store_for(user) if not company_wide else None,
                       "sort": request.GET.get("sort", "")}
            filter_source = query
            columns = request.GET.getlist("cols")
        form = TemplateForm(initial=initial, stores=stores, company_wide=company_wide)
    filterset = customer_filterset(user=user, params=filter_source)
    filters_valid = filterset.is_valid()
    if request.method == "POST" and form.is_valid() and filters_valid:
        data = form.cleaned_data
        try:
            saved = services.list_template_save(
                user=user, template=template, name=data["name"], description=data["description"],
                status=data["template_status"], store=data["store"],
                filters=filter_definition(filterset, request.POST), columns=columns,
                sort=data["sort"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Template “%(name)s” saved.") % {"name": saved.name})
            return redirect("clienteling:list_template_manage")
    invalid = request.method == "POST" and bool(form.errors or filterset.form.errors)
    return render(request, "clienteling/list_template_edit.html", {
        "template": template, "form": form, "filterset": filterset,
        "filter_form": filterset.form, "column_menu": _column_menu(shown_columns(columns)),
    }, status=400 if invalid else 200)


@customers_view(permission="clienteling.manage_list_templates")
@require_http_methods(["GET", "POST"])
def list_template_create(request):
    return _template_editor(request, None)


@customers_view(permission="clienteling.manage_list_templates")
@require_http_methods(["GET", "POST"])
def list_template_edit(request, template_id: int):
    return _template_editor(request, access_list_template(request.user, template_id))


@customers_view(permission="clienteling.manage_list_templates")
@require_POST
def list_template_status(request, template_id: int):
    template = access_list_template(request.user, template_id)
    status = request.POST.get("status")
    if status not in SavedCustomerList.TemplateStatus.values:
        return bad_request(_("Unknown status."))
    services.list_template_set_status(user=request.user, template=template, status=status)
    messages.success(request, _("Template “%(name)s” is now %(status)s.") % {
        "name": template.name, "status": template.get_template_status_display()})
    return redirect("clienteling:list_template_manage")


# --- Bulk actions --------------------------------------------------------------------


@customers_view
@require_GET
def bulk_action_form(request, action_key: str):
    action = bulk_actions.get(action_key)
    if action is None:
        raise Http404
    if action.permission and not request.user.has_perm(action.permission):
        raise PermissionDenied
    form = action.form_class(user=request.user) if action.form_class else None
    return render(request, "clienteling/partials/bulk_form.html",
                  {"action": action, "form": form})


@customers_view
@require_POST
def bulk_action_start(request, action_key: str):
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


@customers_view
@require_GET
def bulk_job_status(request, job_id: int):
    job = get_object_or_404(BulkJob, pk=job_id, created_by=request.user)
    action = bulk_actions.get(job.action)
    summary = None
    if job.status == BulkJob.Status.DONE and action is not None and action.summary is not None:
        summary = action.summary(job=job)
    response = render(request, "clienteling/partials/bulk_progress.html",
                      {"job": job, "action": action, "summary": summary})
    if job.status == BulkJob.Status.DONE:
        with_toast(response, _("Bulk action finished."))
    return response
