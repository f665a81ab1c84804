"""The audit trail in the admin (read only), and the mixin that audits credential screens."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from clienteling import services
from clienteling.models import AuditAction, AuditEvent

from .read_only import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Append-only: nobody adds, changes or deletes a line by hand (beat prunes old ones)."""

    list_display = ["at", "actor_name", "action", "customer_link", "target", "ip_address"]
    list_filter = ["action", ("actor", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["actor_name", "target", "=customer__id", "customer__last_name", "=ip_address"]
    date_hierarchy = "at"
    list_select_related = ["customer"]
    fields = readonly_fields = ["at", "actor", "actor_name", "action", "customer", "target", "ip_address",
                                "detail"]
    show_full_result_count = False

    @admin.display(description=_("customer"), ordering="customer_id")
    def customer_link(self, obj):
        return f"#{obj.customer_id}" if obj.customer_id else ""



class CredentialsAuditMixin:
    """For a screen that holds provider credentials: every save and delete joins the trail,
    with the names of the fields changed, never their values."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.audit_record(action=AuditAction.CREDENTIALS_CHANGE, request=request,
                              target=f"{obj._meta.verbose_name} {obj.pk}",
                              detail={"created": not change, "fields": sorted(form.changed_data)})

    def delete_model(self, request, obj):
        pk = obj.pk
        super().delete_model(request, obj)
        services.audit_record(action=AuditAction.CREDENTIALS_CHANGE, request=request,
                              target=f"{obj._meta.verbose_name} {pk}", detail={"deleted": True})

    def delete_queryset(self, request, queryset):
        pks = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        services.audit_record(action=AuditAction.CREDENTIALS_CHANGE, request=request,
                              target=f"{queryset.model._meta.verbose_name_plural}",
                              detail={"deleted": pks})
