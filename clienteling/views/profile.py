"""Working on a customer from the profile.

Every write is a POST. An htmx request gets the section's fresh body and a
toast (`HX-Trigger: {"toast": ...}`); a plain form post is redirected back to
the profile with a message. Bad input re-renders the form with its errors and
status 400: for htmx the form partial with `HX-Retarget: this` (static/js/atelier.js
lets htmx swap 400/422 HTML answers, the one rule for every console screen),
otherwise as a page of its own.
"""

import json

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clienteling import services
from clienteling.access import access_customer, customers_view, stores_for
from clienteling.forms.profile import (
    ActivityForm,
    AttributesForm,
    ContactForm,
    HomeStoreForm,
    NoteForm,
    TagsForm,
    TaskForm,
    default_phone_region,
)
from clienteling.htmx import bad_request
from clienteling.models import Customer, ProfileSection
from clienteling.registry import profile_sections
from clienteling.selectors import profile as profile_selectors
from clienteling.selectors.navigation import home_store_for

SECTION_BODY = "clienteling/profile/section_body.html"
FORM = "clienteling/profile/form.html"


# Helpers -------------------------------------------------------------------------------------

def _profile_url(customer: Customer, section: ProfileSection | None = None) -> str:
    url = reverse("clienteling:customer_detail", args=[customer.pk])
    return f"{url}#section-{section.pk}" if section else url


def _section_of_kind(kind: str) -> ProfileSection | None:
    return ProfileSection.objects.filter(enabled=True, kind=kind).order_by("position", "id").first()


def _with_toast(response: HttpResponse, message: str, *events: str) -> HttpResponse:
    triggers = {"toast": str(message)}
    triggers.update({event: None for event in events})
    # json.dumps escapes non-ASCII, so every language survives the HTTP header.
    response["HX-Trigger"] = json.dumps(triggers)
    return response


def _done(request, customer: Customer, message: str, *, kind: str | None = None,
          section: ProfileSection | None = None, events: tuple[str, ...] = (),
          extra: dict | None = None) -> HttpResponse:
    """After a write: the section's fresh body (htmx) or back to the profile."""
    if not request.htmx:
        messages.success(request, message)
        return redirect(_profile_url(customer, section or (kind and _section_of_kind(kind))))
    context = profile_selectors.profile_section(
        user=request.user, customer=customer, kind=kind, section_id=section.pk if section else None
    )
    if context is None:  # the section is not on the profile: nothing to refresh
        return _with_toast(HttpResponse(status=204), message, *events)
    context.update(extra or {})
    return _with_toast(render(request, SECTION_BODY, context), message, *events)


def _form(request, customer: Customer, form, *, title: str, submit: str,
          section: ProfileSection | None, template: str = FORM, extra: dict | None = None,
          inline_title: bool = True):
    """A form: its partial for htmx, a page of its own otherwise (400 when invalid)."""
    invalid = form.is_bound and bool(form.errors)
    context = {
        "customer": customer, "form": form, "title": title, "submit": submit,
        # Forms that replace a section's body in place need no heading of their own.
        "inline_title": inline_title,
        "action": request.get_full_path(),
        "section_url": reverse("clienteling:profile_section", args=[customer.pk, section.pk])
        if section else "",
        "profile_url": _profile_url(customer, section),
        **(extra or {}),
    }
    if request.htmx:
        response = render(request, template, context, status=400 if invalid else 200)
        if invalid:
            # Replace the form that was posted, wherever it sits.
            response["HX-Retarget"] = "this"
            response["HX-Reswap"] = "outerHTML"
        return response
    context.update(standalone=True, form_template=template)
    return render(request, "clienteling/profile/form_page.html", context, status=400 if invalid else 200)


def _data(request):
    """Bind forms on POST only (an empty POST is still a submission)."""
    return request.POST if request.method == "POST" else None


def _flag(request, name: str) -> bool | None:
    """A "0"/"1" switch from the POST; None when missing or anything else."""
    value = request.POST.get(name)
    return None if value not in ("0", "1") else value == "1"



# Sections ------------------------------------------------------------------------------------

@customers_view
@require_GET
def profile_section(request, customer_id: int, section_id: int):
    """One section's body: cancelling a form, refreshing the timeline."""
    customer = access_customer(request.user, customer_id)
    context = profile_selectors.profile_section(
        user=request.user, customer=customer, section_id=section_id
    )
    if context is None:
        raise Http404
    if not request.htmx:
        return redirect(_profile_url(customer, context["item"]["section"]))
    return render(request, SECTION_BODY, context)


@customers_view
@require_GET
def timeline(request, customer_id: int):
    """Older timeline entries, before a given moment."""
    customer = access_customer(request.user, customer_id)
    before = parse_datetime(request.GET.get("before", "")[:40]) if request.GET.get("before") else None
    if request.GET.get("before") and (before is None or before.tzinfo is None):
        return bad_request(_("“before” must be a date and time with its offset."))
    tz, today = profile_selectors.profile_clock(request.user)
    context = {
        "customer": customer, "tz": tz,
        "timeline": profile_selectors.customer_timeline(
            customer=customer, tz=tz, today=today, before=before
        ),
    }
    if request.htmx:
        with timezone.override(tz):  # times shown in the viewer's store zone
            return render(request, "clienteling/profile/timeline.html", context)
    return render(request, "clienteling/profile/timeline_page.html", context)


# Notes ---------------------------------------------------------------------------------------

@customers_view
@require_http_methods(["GET", "POST"])
def note_create(request, customer_id: int):
    customer = access_customer(request.user, customer_id)
    form = NoteForm(_data(request))
    if form.is_bound and form.is_valid():
        try:
            services.note_create(customer=customer, author=request.user,
                                 body=form.cleaned_data["body"], store=home_store_for(request.user))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _done(request, customer, _("Note added."), kind="notes",
                         events=("timelineChanged",))
    return _form(request, customer, form, title=_("Add a note"), submit=_("Add note"),
                 section=_section_of_kind("notes"))


def _own_note(request, customer: Customer, note_id: int):
    # Someone else's note is read-only: editing it answers 404, like any unknown id.
    note = profile_selectors.customer_note(customer=customer, note_id=note_id, author=request.user)
    if note is None:
        raise Http404
    return note


@customers_view
@require_http_methods(["GET", "POST"])
def note_edit(request, customer_id: int, note_id: int):
    customer = access_customer(request.user, customer_id)
    note = _own_note(request, customer, note_id)
    form = NoteForm(_data(request), initial={"body": note.body})
    if form.is_bound and form.is_valid():
        try:
            services.note_update(note=note, body=form.cleaned_data["body"], edited_by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _done(request, customer, _("Note saved."), kind="notes",
                         events=("timelineChanged",))
    return _form(request, customer, form, title=_("Edit note"), submit=_("Save"),
                 section=_section_of_kind("notes"))


@customers_view
@require_POST
def note_pin(request, customer_id: int, note_id: int):
    customer = access_customer(request.user, customer_id)
    note = _own_note(request, customer, note_id)
    pinned = _flag(request, "pinned")
    if pinned is None:
        return bad_request(_("Say whether to pin the note (pinned=1 or 0)."))
    services.note_set_pinned(note=note, pinned=pinned, changed_by=request.user)
    return _done(request, customer, _("Note pinned.") if pinned else _("Note unpinned."), kind="notes")


# Follow-ups ----------------------------------------------------------------------------------

@customers_view
@require_http_methods(["GET", "POST"])
def task_create(request, customer_id: int):
    customer = access_customer(request.user, customer_id)
    _tz, today = profile_selectors.profile_clock(request.user)
    form = TaskForm(
        _data(request), today=today, user=request.user,
        assignees=profile_selectors.task_assignee_choices(user=request.user, customer=customer),
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            services.task_create(
                customer=customer, title=data["title"], details=data["details"], due_on=data["due_on"],
                assignee=get_user_model().objects.get(pk=data["assignee"]), created_by=request.user,
                store=home_store_for(request.user),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _done(request, customer, _("Follow-up added."), kind="tasks")
    return _form(request, customer, form, title=_("Add a follow-up"), submit=_("Add follow-up"),
                 section=_section_of_kind("tasks"))


@customers_view
@require_POST
def task_done(request, customer_id: int, task_id: int):
    customer = access_customer(request.user, customer_id)
    task = profile_selectors.customer_task(customer=customer, task_id=task_id)
    if task is None:
        raise Http404
    done = _flag(request, "done")
    if done is None:
        return bad_request(_("Say whether the follow-up is done (done=1 or 0)."))
    services.task_set_done(task=task, done=done, changed_by=request.user)
    return _done(request, customer, _("Follow-up completed.") if done else _("Follow-up reopened."),
                 kind="tasks")


# Activities ----------------------------------------------------------------------------------

@customers_view
@require_http_methods(["GET", "POST"])
def activity_create(request, customer_id: int):
    customer = access_customer(request.user, customer_id)
    tz, _today = profile_selectors.profile_clock(request.user)
    form = ActivityForm(_data(request), tz=tz,
                        activity_types=profile_selectors.activity_type_choices())
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            services.activity_create(
                customer=customer, activity_type=data["activity_type"], actor=request.user,
                occurred_at=data["occurred_at"], summary=data["summary"], details=data["details"],
                store=home_store_for(request.user),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _done(request, customer, _("Activity logged."), kind="activities")
    return _form(request, customer, form, title=_("Log an activity"), submit=_("Log activity"),
                 section=_section_of_kind("activities"))


# Contact details, attributes, tags -----------------------------------------------------------

@customers_view
@require_http_methods(["GET", "POST"])
def contact_edit(request, customer_id: int):
    customer = access_customer(request.user, customer_id)
    rights = profile_selectors.profile_rights(request.user)
    form = ContactForm(
        _data(request), customer=customer, sensitive_allowed=rights.edit_sensitive,
        phone_region=default_phone_region(customer.home_store, home_store_for(request.user)),
    )
    if form.is_bound and form.is_valid():
        changed = services.customer_update_contact(
            customer=customer, changes=form.cleaned_data, updated_by=request.user,
            sensitive_allowed=rights.edit_sensitive,
        )
        message = _("Contact details saved.") if changed else _("Nothing changed.")
        return _done(request, customer, message, kind="contact", extra={"refresh_name": True})
    return _form(request, customer, form, title=_("Edit contact details"), submit=_("Save"),
                 section=_section_of_kind("contact"), inline_title=False,
                 extra={"masked_note": not rights.edit_sensitive})


@customers_view
@require_http_methods(["GET", "POST"])
def attributes_edit(request, customer_id: int, section_id: int):
    customer = access_customer(request.user, customer_id)
    section = ProfileSection.objects.filter(pk=section_id, enabled=True).first()
    kind = profile_sections.get(section.kind) if section else None
    if kind is None or not kind.shows_attributes:
        raise Http404
    attributes = profile_selectors.section_attributes(section=section, customer=customer)
    form = AttributesForm(
        _data(request), attributes=attributes,
        values=profile_selectors.attribute_values_for(customer=customer, attributes=attributes),
    )
    if form.is_bound and form.is_valid():
        changes = form.changed_values()
        try:
            services.customer_attributes_set(customer=customer, values=changes)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            message = (_("%(section)s saved.") % {"section": section.shown_title}) if changes else _(
                "Nothing changed."
            )
            return _done(request, customer, message, section=section)
    return _form(request, customer, form, title=section.shown_title, submit=_("Save"), section=section,
                 inline_title=False)


@customers_view
@require_http_methods(["GET", "POST"])
def tags_edit(request, customer_id: int):
    customer = access_customer(request.user, customer_id)
    choices = profile_selectors.tag_choices(user=request.user, customer=customer)
    form = TagsForm(_data(request), choices=choices,
                    current=profile_selectors.customer_tags(customer=customer))
    if form.is_bound and form.is_valid():
        added, removed = services.customer_set_tags(
            customer=customer, tags=form.cleaned_data["tags"], scope=choices
        )
        message = _("Tags saved.") if added or removed else _("Nothing changed.")
        if not request.htmx:
            messages.success(request, message)
            return redirect(_profile_url(customer))
        return _with_toast(_tags(request, customer), message)
    return _form(request, customer, form, title=_("Tags"), submit=_("Save"), section=None,
                 template="clienteling/profile/tags_form.html")


def _tags(request, customer: Customer) -> HttpResponse:
    return render(request, "clienteling/customer_detail.html#tags", {
        "customer": customer, "tags": profile_selectors.customer_tags(customer=customer),
        "rights": profile_selectors.profile_rights(request.user),
    })


@customers_view
@require_GET
def tags(request, customer_id: int):
    """The tags in the header (cancelling the tags form)."""
    customer = access_customer(request.user, customer_id)
    if not request.htmx:
        return redirect(_profile_url(customer))
    return _tags(request, customer)


# Client book ---------------------------------------------------------------------------------

def _client_book_done(request, customer: Customer, message: str) -> HttpResponse:
    if not request.htmx:
        messages.success(request, message)
        return redirect(_profile_url(customer))
    response = render(request, "clienteling/customer_detail.html#client_book", {
        "customer": customer,
        "client_book": profile_selectors.client_book_state(user=request.user, customer=customer),
    })
    return _with_toast(response, message)


@customers_view
@require_POST
def client_book_add(request, customer_id: int):
    customer = access_customer(request.user, customer_id)
    if not request.user.has_perm("clienteling.add_to_client_book"):
        raise PermissionDenied
    book = services.client_book_get_or_create(owner=request.user, legal_entity=customer.legal_entity)
    services.client_book_add(book=book, customer=customer, added_by=request.user)
    return _client_book_done(request, customer, _("Added to your client book."))


@customers_view
@require_POST
def client_book_remove(request, customer_id: int):
    customer = access_customer(request.user, customer_id)
    if not request.user.has_perm("clienteling.remove_from_client_book"):
        raise PermissionDenied
    book = services.client_book_get_or_create(owner=request.user, legal_entity=customer.legal_entity)
    services.client_book_remove(book=book, customer_ids=[customer.pk])
    return _client_book_done(request, customer, _("Removed from your client book."))


# Home store ----------------------------------------------------------------------------------

@customers_view(permission="clienteling.assign_customer")
@require_http_methods(["GET", "POST"])
def home_store_edit(request, customer_id: int):
    """Move the customer to another store, among those the user works in."""
    customer = access_customer(request.user, customer_id)
    stores = stores_for(request.user).filter(legal_entity_id=customer.legal_entity_id).order_by("name")
    form = HomeStoreForm(_data(request), stores=stores, initial_store=customer.home_store_id)
    if form.is_bound and form.is_valid():
        moved = services.customers_store_assign(customer_ids=[customer.pk], store=form.cleaned_data["store"],
                                                assigned_by=request.user, request=request)
        message = _("Home store changed.") if moved else _("Nothing changed.")
        if not request.htmx:
            messages.success(request, message)
            return redirect(_profile_url(customer))
        response = _with_toast(HttpResponse(status=204), message)
        response["HX-Redirect"] = _profile_url(customer)
        return response
    return _form(request, customer, form, title=_("Change home store"), submit=_("Save"), section=None)
