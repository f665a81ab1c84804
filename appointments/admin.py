"""Company Admin screens: appointment types, store opening hours and closed days, staff working
hours; appointments, booking pages and reminders to look at."""

from django.contrib import admin

from clienteling.admin import ReadOnlyAdmin

from .models import (
    Appointment,
    AppointmentReminder,
    AppointmentType,
    BookingPage,
    ClosedDay,
    OpeningHours,
    WorkingHours,
)


@admin.register(AppointmentType)
class AppointmentTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "legal_entity", "duration_minutes", "buffer_minutes", "location_kind",
                    "bookable_by_customers", "active", "position"]
    list_filter = ["legal_entity", "location_kind", "bookable_by_customers", "active"]
    list_editable = ["position"]
    search_fields = ["name"]
    list_select_related = ["legal_entity"]


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ["store", "weekday", "opens", "closes"]
    list_filter = ["store__legal_entity", "store", "weekday"]
    search_fields = ["store__name", "store__code"]
    list_select_related = ["store"]
    autocomplete_fields = ["store"]
    ordering = ["store__name", "weekday", "opens"]


@admin.register(ClosedDay)
class ClosedDayAdmin(admin.ModelAdmin):
    list_display = ["store", "date", "reason"]
    list_filter = ["store"]
    search_fields = ["store__name", "reason"]
    list_select_related = ["store"]
    autocomplete_fields = ["store"]
    date_hierarchy = "date"


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = ["staff", "store", "weekday", "starts", "ends"]
    list_filter = ["store", "weekday"]
    search_fields = ["staff__username", "staff__first_name", "staff__last_name", "store__name"]
    list_select_related = ["staff", "store"]
    autocomplete_fields = ["staff", "store"]
    ordering = ["staff__first_name", "store__name", "weekday", "starts"]


@admin.register(BookingPage)
class BookingPageAdmin(admin.ModelAdmin):
    list_display = ["store", "associate", "token", "active", "created_at"]
    list_filter = ["active", "store"]
    search_fields = ["store__name", "associate__username"]
    list_select_related = ["store", "associate"]
    readonly_fields = ["token", "store", "associate", "created_at"]

    def has_add_permission(self, request):
        return False  # made on first need, from the console


class ReminderInline(admin.TabularInline):
    model = AppointmentReminder
    extra = 0
    fields = ["kind", "channel", "state", "detail", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ["starts_at", "customer", "store", "associate", "appointment_type", "status", "source"]
    list_filter = ["status", "source", "store", "appointment_type"]
    search_fields = ["customer__last_name", "customer__email", "associate__username"]
    list_select_related = ["customer", "store", "associate", "appointment_type"]
    inlines = [ReminderInline]
    exclude = ["manage_token_hash"]
    show_full_result_count = False
