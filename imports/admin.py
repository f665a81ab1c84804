"""Company Admin: upload a file, see its preview, start it, follow its progress, download its rejections."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .formats import BY_CODE, FORMATS, KINDS
from .models import ImportJob
from .services import (
    FileUnreadable,
    file_preview,
    import_job_create,
    import_job_file,
    import_job_progress,
    import_job_rejected_csv,
)
from .services import import_job_start as start_job

PREVIEW_ROWS = 5


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=list(KINDS.items()))
    legal_entity = forms.ModelChoiceField(label=_("Legal entity"), queryset=None)
    store = forms.ModelChoiceField(
        label=_("Store"),
        queryset=None,
        required=False,
        help_text=_(
            "The store the file is about when its rows do not say: customers' home store, "
            "orders without a location, the stock of a products export."
        ),
    )
    file = forms.FileField(
        label=_("CSV file"), help_text=_("Atelier, Shopify or Square format (see the import guide).")
    )
    format_code = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", _("Detect from the header row")), *((f.code, f.label) for f in FORMATS)],
    )
    dry_run = forms.BooleanField(label=_("Dry run: check and count, write nothing"), required=False)
    all_or_nothing = forms.BooleanField(
        label=_("All or nothing: keep nothing if one record is refused"), required=False
    )

    def __init__(self, *args, **kwargs):
        from clienteling.models import LegalEntity, Store

        super().__init__(*args, **kwargs)
        self.fields["legal_entity"].queryset = LegalEntity.objects.order_by("name")
        self.fields["store"].queryset = (
            Store.objects.filter(active=True).select_related("legal_entity").order_by("name")
        )


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        "file_name",
        "kind",
        "format_label",
        "legal_entity",
        "status",
        "percent_done",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "dry_run",
        "created_at",
        "created_by",
    ]
    list_filter = ["status", "kind", "legal_entity", "dry_run"]
    list_select_related = ["legal_entity", "created_by"]
    search_fields = ["file_name"]
    date_hierarchy = "created_at"

    @admin.display(description=_("format"))
    def format_label(self, job):
        found = BY_CODE.get(job.format_code)
        return found.label if found else job.format_code

    @admin.display(description=_("progress"))
    def percent_done(self, job):
        return f"{job.percent} %"

    def has_change_permission(self, request, obj=None):
        return False  # a job is read; its page offers the actions

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}"
        return [
            path("<int:job_id>/start/", self.admin_site.admin_view(self.start_view), name=f"{name}_start"),
            path(
                "<int:job_id>/rejected.csv",
                self.admin_site.admin_view(self.rejected_view),
                name=f"{name}_rejected",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                job = import_job_create(
                    kind=data["kind"],
                    legal_entity=data["legal_entity"],
                    store=data["store"],
                    upload=data["file"],
                    dry_run=data["dry_run"],
                    all_or_nothing=data["all_or_nothing"],
                    format_code=data["format_code"],
                    created_by=request.user,
                )
            except ValidationError as error:
                form.add_error("file", error)
            else:
                messages.info(request, gettext("Check the preview, then start the import."))
                return redirect(reverse("admin:imports_importjob_change", args=[job.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": gettext("Import a file"),
            "formats": FORMATS,
            "media": self.media + form.media,
        }
        return TemplateResponse(
            request,
            "admin/imports/importjob/upload.html",
            context,
            status=400 if request.method == "POST" else 200,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not str(object_id).isdigit():
            raise Http404
        jobs = ImportJob.objects.select_related("legal_entity", "store", "created_by")
        job = get_object_or_404(jobs, pk=object_id)
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        job = import_job_progress(job=job)
        preview, preview_error = None, ""
        if job.status == ImportJob.Status.PENDING:
            try:
                with import_job_file(job=job) as handle:
                    preview = file_preview(
                        stream=handle, kind=job.kind, rows=PREVIEW_ROWS, format_code=job.format_code
                    )
            except (FileUnreadable, OSError) as error:
                preview_error = " ".join(getattr(error, "messages", [str(error)]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "job": job,
            "title": job.file_name,
            "preview": preview,
            "preview_error": preview_error,
            "format": BY_CODE.get(job.format_code),
            "can_start": self.has_add_permission(request),
            "rejected_rows": job.rejected_rows[:200],
            "original": job,
        }
        return TemplateResponse(request, "admin/imports/importjob/job.html", context)

    def start_view(self, request, job_id):
        if not self.has_add_permission(request):
            raise PermissionDenied
        return _start(request, get_object_or_404(ImportJob, pk=job_id))

    def rejected_view(self, request, job_id):
        job = get_object_or_404(ImportJob, pk=job_id)
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        response = HttpResponse(import_job_rejected_csv(job=job), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="rejected-rows-{job.pk}.csv"'
        return response


@require_POST
def _start(request, job):
    if start_job(job=job):
        messages.success(request, gettext("The import started; this page shows its progress."))
    else:
        messages.warning(request, gettext("This import was started already."))
    return redirect(reverse("admin:imports_importjob_change", args=[job.pk]))
