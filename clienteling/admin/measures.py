"""External measures settings (the Dynamics "Customer Insights" settings, made generic)."""

from django.contrib import admin

from clienteling.models import ExternalMeasuresSettings


@admin.register(ExternalMeasuresSettings)
class ExternalMeasuresSettingsAdmin(admin.ModelAdmin):
    list_display = ["source_name", "legal_entity", "match_field", "enabled", "disabled_reason"]
    list_filter = ["enabled", "match_field"]
    list_select_related = ["legal_entity"]
    fields = ["legal_entity", "source_name", "match_field", "enabled", "disabled_reason", "disabled_at"]
    readonly_fields = ["disabled_reason", "disabled_at"]

    def save_model(self, request, obj, form, change):
        # Switching back on clears why it was switched off.
        if obj.enabled and "enabled" in form.changed_data:
            obj.disabled_reason, obj.disabled_at = "", None
        super().save_model(request, obj, form, change)

