"""Tags put on customers from an uploaded file (the customer list's "Tag from a file")."""

import csv

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from clienteling.access import can_see_sensitive, customers_view
from clienteling.bulk import bulk_store_choices, bulk_tag_choices
from clienteling.forms.profile import BootstrapForm, default_phone_region
from clienteling.models import Store, Tag, TagUpload
from clienteling.selectors.navigation import home_store_for
from clienteling.services import tag_import

PAGE = "clienteling/tag_upload.html"
AUTO = ""


class TagUploadForm(BootstrapForm):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "One customer a row: customer numbers, external ids, emails "
            "or mobile numbers, with or without a header row."
        ),
    )
    tag = forms.ModelChoiceField(
        label=gettext_lazy("Tag"),
        queryset=Tag.objects.none(),
        required=False,
        empty_label=gettext_lazy("Choose a tag…"),
    )
    new_tag = forms.CharField(
        label=gettext_lazy("Or a new tag"), required=False, max_length=Tag._meta.get_field("name").max_length
    )
    new_tag_store = forms.ModelChoiceField(
        label=gettext_lazy("New tag for the store"),
        queryset=Store.objects.none(),
        required=False,
        empty_label=None,
    )
    kind = forms.ChoiceField(label=gettext_lazy("The column holds"), required=False)
    column = forms.CharField(
        label=gettext_lazy("Column"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Its header or its number from 1; empty finds it."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].queryset = bulk_tag_choices(user)
        kinds = [(AUTO, _("Find out from the file"))] + [
            (value, label)
            for value, label in TagUpload.Kind.choices
            if value not in tag_import.SENSITIVE_KINDS or can_see_sensitive(user)
        ]
        self.fields["kind"].choices = kinds
        self.can_create_tag = user.has_perm("clienteling.add_tag")
        if self.can_create_tag:
            self.fields["new_tag_store"].queryset = bulk_store_choices(user)
        else:
            del self.fields["new_tag"], self.fields["new_tag_store"]
        self.fields["file"].widget.attrs["accept"] = ".csv,.txt,text/csv,text/plain"
        self.style_widgets()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".csv", ".txt")):
            raise ValidationError(_("Upload a .csv file (save a spreadsheet as “CSV UTF-8”)."))
        if upload.size > tag_import.MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is larger than %(mb)d MB. Split it and upload the parts.")
                % {"mb": tag_import.MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload

    def clean(self):
        data = super().clean()
        if self.can_create_tag and (data.get("new_tag") or "").strip():
            if data.get("tag"):
                raise ValidationError(_("Choose a tag or name a new one, not both."))
            if not data.get("new_tag_store"):
                self.add_error("new_tag_store", _("Choose the store the new tag is for."))
        elif not data.get("tag"):
            self.add_error("tag", _("Choose a tag."))
        return data


def _region(user) -> str | None:
    return default_phone_region(home_store_for(user))


@customers_view
@require_http_methods(["GET", "POST"])
def tag_upload(request):
    """Upload a file, pick the tag: the rows are matched to customers the user may see."""
    posted = request.method == "POST"  # an empty POST is still a submission
    form = TagUploadForm(
        request.POST if posted else None, request.FILES if posted else None, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        region = _region(request.user)
        try:
            read = tag_import.tag_file_read(
                data=data["file"].read(), region=region, kind=data["kind"] or None, column=data["column"]
            )
            if read.kind in tag_import.SENSITIVE_KINDS and not can_see_sensitive(request.user):
                raise ValidationError(
                    _(
                        "This column holds emails or phones: you may match on customer numbers "
                        "and external ids only."
                    )
                )
            tag = data["tag"] or tag_import.tag_create_for_upload(
                user=request.user, name=data["new_tag"], store=data["new_tag_store"]
            )
            upload = tag_import.tag_upload_start(
                user=request.user,
                tag=tag,
                read=read,
                file_name=data["file"].name,
                region=region,
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        except PermissionDenied:
            form.add_error(None, _("You may not do this."))
        else:
            return redirect("clienteling:tag_upload_status", upload.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        PAGE,
        {
            "form": form,
            "max_mb": tag_import.MAX_UPLOAD_BYTES // (1024 * 1024),
            "max_rows": number_format(tag_import.MAX_ROWS, force_grouping=True),
        },
        status=status,
    )


def _own_upload(request, upload_id: int, *, defer=("rows", "unmatched")) -> TagUpload:
    # Only its owner sees an upload (what they uploaded, and how it went). The rows are left
    # out of what a poll reads: a large file's are megabytes.
    upload = (
        TagUpload.objects.select_related("tag")
        .defer(*defer)
        .filter(pk=upload_id, created_by=request.user)
        .first()
    )
    if upload is None:
        raise Http404
    return upload


@customers_view
@require_GET
def tag_upload_status(request, upload_id: int):
    """The upload's progress (polled by htmx while it runs) and its counts once done."""
    upload = _own_upload(request, upload_id)
    if upload.status == TagUpload.Status.QUEUED:
        tag_import.tag_uploads_requeue_stale(user=request.user)
    context = {"upload": upload, "invalid_shown": upload.invalid[:50]}
    if request.htmx:
        return render(request, "clienteling/tag_upload_status.html#progress", context)
    return render(request, "clienteling/tag_upload_status.html", context)


@customers_view
@require_GET
def tag_upload_unmatched(request, upload_id: int):
    """The rows that tagged no one, as a CSV: not found (or out of scope) and unreadable ones."""
    upload = _own_upload(request, upload_id, defer=("rows",))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="unmatched-{upload.pk}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 with its mark
    writer = csv.writer(response)
    writer.writerow([_("line"), _("value"), _("reason")])
    rows = [(line, value, _("not found")) for line, value in upload.unmatched] + [
        (line, value, reason) for line, value, reason in upload.invalid
    ]
    for line, value, reason in sorted(rows, key=lambda row: row[0]):
        # A value starting with = + - @ would be a formula in a spreadsheet: shown as text.
        writer.writerow(
            [line, f"'{value}" if value[:1] in "=+-@" and not value[1:2].isdigit() else value, reason]
        )
    return response
