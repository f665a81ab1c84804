"""Company Admin screens: next best action rules, insights settings (attribution windows,
leaderboard), goals. Credits, suggestions and recomputes are seen in the console (dashboard,
rule report, recompute page)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import services
from .models import ActionRule, Goal, InsightsSettings

WINDOW_FIELDS = ("message_window_days", "outreach_window_days", "appointment_window_days")


@admin.register(ActionRule)
class ActionRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "condition", "priority", "action", "template", "enabled")
    list_editable = ("priority", "enabled")
    list_filter = ("enabled", "condition", "action")
    autocomplete_fields = ("template",)
    search_fields = ("name",)


@admin.register(InsightsSettings)
class InsightsSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "message_window_days",
        "outreach_window_days",
        "appointment_window_days",
        "leaderboard",
    )
    fieldsets = (
        (
            _("Sales credit"),
            {
                "fields": WINDOW_FIELDS,
                "description": _("Changing a window recomputes the credit of the last 400 days."),
            },
        ),
        (_("Next best action"), {"fields": ("feed_size", "suggestion_window_days")}),
        (_("Leaderboard"), {"fields": ("leaderboard",)}),
    )

    def has_add_permission(self, request):
        return not InsightsSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and any(name in form.changed_data for name in WINDOW_FIELDS):
            job = services.credit_recompute_start(user=request.user)
            self.message_user(
                request,
                _("Credit is being recomputed (job %(id)s): see Insights > Recompute.") % {"id": job.pk},
                messages.INFO,
            )


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ("metric", "store", "associate", "target", "starts_on", "ends_on")
    list_filter = ("metric", "store")
    list_select_related = ("store", "associate")
    raw_id_fields = ("associate",)
    date_hierarchy = "starts_on"

    def save_model(self, request, obj, form, change):
        services.goal_save(goal=obj, user=request.user)
