from adminsortable2.admin import SortableAdminMixin
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clienteling import services
from clienteling.admin.accessible import LabelledListEditableMixin
from clienteling.models import (
    Activity,
    ActivityType,
    ClientBook,
    ConsentChange,
    Customer,
    CustomerConsent,
    CustomerMailingList,
    CustomerTag,
    MailingList,
    Note,
    Sale,
    SaleLine,
    Tag,
    Task,
)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_outreach_list", "store", "active"]
    list_filter = ["is_outreach_list", "active", "store"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(MailingList)
class MailingListAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "active"]
    list_filter = ["active"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class TagInline(admin.TabularInline):
    model = CustomerTag
    extra = 0
    autocomplete_fields = ["tag"]
    verbose_name_plural = _("tags")


class MailingListInline(admin.TabularInline):
    model = CustomerMailingList
    extra = 0
    verbose_name_plural = _("mailing lists")


class ConsentInline(admin.TabularInline):
    """Consent as it stands; it changes through "Consents" (with its history), not here."""

    model = CustomerConsent
    extra = 0
    fields = readonly_fields = ["channel", "state", "source", "detail", "changed_at"]
    can_delete = False
    verbose_name_plural = _("consent")

    def has_add_permission(self, request, obj=None):
        return False


class ConsentHistoryInline(admin.TabularInline):
    model = ConsentChange
    extra = 0
    fields = readonly_fields = ["changed_at", "channel", "state", "source", "detail", "changed_by",
                                "message_id"]
    can_delete = False
    ordering = ["-changed_at", "-id"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ConsentForm(forms.ModelForm):
    class Meta:
        model = CustomerConsent
        fields = ["customer", "channel", "state", "detail"]


@admin.register(CustomerConsent)
class CustomerConsentAdmin(admin.ModelAdmin):
    """A company admin records consent (the source says "Admin"); each change joins the history."""

    form = ConsentForm
    list_display = ["customer", "channel", "state", "source", "changed_at"]
    list_filter = ["channel", "state", "source"]
    search_fields = ["customer__first_name", "customer__last_name", "customer__email",
                     "customer__external_id"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
    date_hierarchy = "changed_at"
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return ["customer", "channel"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False  # withdrawing consent is a change, kept in the history

    def save_model(self, request, obj, form, change):
        consent = services.customer_consent_set(
            customer=obj.customer, channel=obj.channel, state=obj.state,
            source=CustomerConsent.Source.ADMIN, detail=obj.detail, changed_by=request.user)
        obj.pk, obj.source, obj.changed_at = consent.pk, consent.source, consent.changed_at


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "external_id", "email", "phone", "home_store",
                    "primary_salesperson", "created_at"]
    list_filter = ["legal_entity", "home_store", "is_prospect", "can_receive_texts", "tags"]
    search_fields = ["first_name", "last_name", "email", "phone", "external_id"]
    list_select_related = ["home_store", "primary_salesperson"]
    autocomplete_fields = ["primary_salesperson", "primary_account", "created_by"]
    inlines = [TagInline, MailingListInline, ConsentInline, ConsentHistoryInline]
    show_full_result_count = False
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["legal_entity", "external_id", "first_name", "last_name",
                           "is_prospect"]}),
        (_("Contact"), {"fields": ["email", "phone", "can_receive_texts", "language",
                                   "timezone"]}),
        (_("Dates"), {"fields": ["birth_date", "anniversary", "partner_name",
                                 "partner_birth_date"]}),
        (_("Address"), {"fields": ["address_line1", "address_line2", "city", "state",
                                   "zip_code", "country"]}),
        (_("Relationship"), {"fields": ["home_store", "primary_salesperson",
                                        "primary_account"]}),
        (_("Account"), {"fields": ["balance", "credit_balance", "currency"]}),
        (_("History"), {"fields": ["created_at", "created_by", "updated_at", "erased_at"]}),
    ]
    actions = ["export_personal_data", "erase_personal_data"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "erased_at"]

    def has_export_personal_data_permission(self, request):
        return request.user.has_perm("clienteling.export_personal_data")

    def has_erase_personal_data_permission(self, request):
        return request.user.has_perm("clienteling.erase_personal_data")

    @admin.action(description=_("Export personal data (zip)"), permissions=["export_personal_data"])
    def export_personal_data(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose one customer to export."), messages.WARNING)
            return None
        customer = queryset.get()
        response = HttpResponse(services.customer_data_export(customer=customer, actor=request.user),
                                content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}.zip"'
        return response

    @admin.action(description=_("Erase personal data…"), permissions=["erase_personal_data"])
    def erase_personal_data(self, request, queryset):
        customers = list(queryset.filter(erased_at__isnull=True))
        if request.POST.get("confirm") == "ERASE":
            follow_ups = []
            for customer in customers:
                report = services.customer_erase(customer=customer, actor=request.user)
                follow_ups += report.provider_follow_ups
            self.message_user(request, ngettext("%(count)s customer erased.", "%(count)s customers erased.",
                                                len(customers)) % {"count": len(customers)}, messages.SUCCESS)
            if follow_ups:
                self.message_user(request, _("Delete these at the providers too: %(items)s") % {
                    "items": "; ".join(follow_ups)}, messages.WARNING)
            return None
        context = {**self.admin_site.each_context(request), "title": _("Erase personal data"),
                   "customers": customers, "queryset": queryset, "opts": self.model._meta,
                   "checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                   "wrong_word": "confirm" in request.POST}
        return TemplateResponse(request, "admin/clienteling/customer/erase_confirmation.html", context)


@admin.register(ActivityType)
class ActivityTypeAdmin(LabelledListEditableMixin, SortableAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "icon", "counts_as_contact", "active"]
    list_editable = ["active"]
    list_filter = ["active", "counts_as_contact"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "counts_as_contact" in form.changed_data:
            # Its activities now count (or no longer do) for "communication within".
            services.contact_history_recount_activities(activity_type=obj)


@admin.register(ClientBook)
class ClientBookAdmin(admin.ModelAdmin):
    list_display = ["number", "owner", "legal_entity", "created_at"]
    list_filter = ["legal_entity", "owner__staff_profile__active"]
    list_select_related = ["owner", "legal_entity"]
    search_fields = ["number", "owner__username", "owner__first_name", "owner__last_name"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["number"]

    def get_readonly_fields(self, request, obj=None):
        return ["number", "owner", "legal_entity"] if obj else ["number"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # A new book takes its identifier from the number sequence, like one made in the console.
        book = services.client_book_get_or_create(owner=obj.owner, legal_entity=obj.legal_entity)
        obj.pk, obj.number, obj.created_at = book.pk, book.number, book.created_at
        return None


class SaleLineInline(admin.TabularInline):
    model = SaleLine
    extra = 0
    fields = ["kind", "title", "product", "designer", "category", "item_type", "quantity",
              "amount"]
    autocomplete_fields = ["product"]


@admin.register(Sale)
class SaleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "customer", "store", "salesperson", "channel", "sold_at", "total",
                    "currency"]
    list_filter = ["store", "channel", "source"]
    search_fields = ["external_id", "customer__first_name", "customer__last_name", "customer__email"]
    list_select_related = ["customer", "store", "salesperson"]
    autocomplete_fields = ["customer", "salesperson"]
    date_hierarchy = "sold_at"
    inlines = [SaleLineInline]
    show_full_result_count = False


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "activity_type", "customer", "actor", "summary"]
    list_filter = ["activity_type", "store"]
    search_fields = ["summary", "customer__first_name", "customer__last_name", "customer__email",
                     "actor__username", "actor__last_name"]
    list_select_related = ["activity_type", "customer", "actor"]
    autocomplete_fields = ["customer", "actor"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False

    # An activity changed or removed here may have been its customer's last contact.
    def save_model(self, request, obj, form, change):
        previous = type(obj).objects.filter(pk=obj.pk).values_list("customer_id", flat=True).first()
        super().save_model(request, obj, form, change)
        services.contact_history_recount_activities(customer_ids={obj.customer_id, previous} - {None})

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.contact_history_recount_activities(customer_ids=[obj.customer_id])

    def delete_queryset(self, request, queryset):
        customer_ids = set(queryset.values_list("customer_id", flat=True))
        super().delete_queryset(request, queryset)
        services.contact_history_recount_activities(customer_ids=customer_ids)


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["customer", "author", "pinned", "created_at"]
    list_filter = ["pinned", "store"]
    search_fields = ["body", "customer__first_name", "customer__last_name", "customer__email",
                     "author__username", "author__last_name"]
    date_hierarchy = "created_at"
    list_select_related = ["customer", "author"]
    autocomplete_fields = ["customer", "author"]
    show_full_result_count = False


class TaskDoneFilter(admin.SimpleListFilter):
    title = _("done")
    parameter_name = "done"

    def lookups(self, request, model_admin):
        return [("no", _("Open")), ("yes", _("Done"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(completed_at__isnull=self.value() == "no")
        return queryset


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "customer", "assignee", "due_on", "completed_at"]
    list_filter = [TaskDoneFilter, "due_on", "store"]
    search_fields = ["title", "details", "customer__first_name", "customer__last_name",
                     "assignee__username", "assignee__last_name"]
    date_hierarchy = "due_on"
    list_select_related = ["customer", "assignee"]
    autocomplete_fields = ["customer", "assignee", "created_by", "completed_by"]
    show_full_result_count = False
