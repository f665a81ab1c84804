"""Measures in the admin: the external measures settings (the Dynamics "Customer Insights"
settings, made generic), the imported values, and the fitted models with their quality."""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from clienteling.models import ExternalMeasure, ExternalMeasuresSettings, MeasuresModel

from .read_only import ReadOnlyAdmin


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


@admin.register(ExternalMeasure)
class ExternalMeasureAdmin(ReadOnlyAdmin):
    """What the imports brought in (`import_external_measures`, the API): looked at, not typed."""

    list_display = ["customer_name", "source", "name", "value", "imported_at"]
    list_filter = ["source", "name"]
    search_fields = ["=customer__id", "=customer__external_id", "customer__last_name", "name"]
    list_select_related = ["customer"]
    date_hierarchy = "imported_at"
    fields = readonly_fields = ["customer", "source", "name", "value", "imported_at"]
    show_full_result_count = False

    @admin.display(description=_("customer"), ordering="customer__last_name")
    def customer_name(self, obj):
        return str(obj.customer)


# The quality figures `fit_measures` prints, by key: (label, which way is better).
QUALITY = (
    ("churn_auc", _("Churn AUC"), _("higher is better")),
    ("churn_log_loss", _("Churn log-loss"), _("lower is better")),
    ("spend_mae", _("Spend 12 months, mean absolute error"), _("lower is better")),
)


@admin.register(MeasuresModel)
class MeasuresModelAdmin(ReadOnlyAdmin):
    """The fitted churn and spend models (nightly, `fit_measures`): when, on what, how good against
    the naive baselines. The newest scores every customer; the model itself is not shown."""

    list_display = ["fitted_at", "cutoff", "training_rows", "churn_auc", "churn_auc_baseline"]
    fields = readonly_fields = ["fitted_at", "cutoff", "horizon_days", "training_rows", "features",
                                "quality_table"]
    date_hierarchy = "fitted_at"

    @admin.display(description=_("churn AUC"))
    def churn_auc(self, obj):
        return obj.quality.get("churn_auc", "")

    @admin.display(description=_("baseline AUC"))
    def churn_auc_baseline(self, obj):
        return obj.quality.get("churn_auc_baseline", "")

    @admin.display(description=_("quality on the holdout"))
    def quality_table(self, obj):
        rows = [(label, obj.quality.get(key, "–"), obj.quality.get(f"{key}_baseline", "–"), better)
                for key, label, better in QUALITY]
        return format_html_join(
            "", "<p>{}: <strong>{}</strong> ({}: {}; {})</p>",
            ((label, value, _("baseline"), baseline, better) for label, value, baseline, better in rows))
