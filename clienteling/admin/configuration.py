from adminsortable2.admin import SortableAdminMixin, SortableInlineAdminMixin
from django import forms
from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clienteling import services
from clienteling.admin.accessible import LabelledListEditableMixin, MoveUpDownMixin
from clienteling.filters import MEASURE_FILTERS
from clienteling.models import (
    AttributeGroup,
    AttributeOption,
    BulkJob,
    CustomerAttribute,
    CustomerCardProperty,
    ListMeasure,
    ListTemplate,
    ModuleSettings,
    NumberSequence,
    ProfileSection,
    ProfileSectionAttribute,
)
from clienteling.registry import module_switches, profile_sections


def _filter_measure_choices():
    """Each measure by the filter the list offers for it ("Churn risk above (%)")."""
    from clienteling.filters import CustomerFilterSet

    return [(value, CustomerFilterSet.base_filters[MEASURE_FILTERS[value][0]].label)
            for value in ListMeasure.values if value in MEASURE_FILTERS]


class ModuleSettingsForm(forms.ModelForm):
    """The customer module, a box per module the other apps register (on by default), and the
    measures the customer list offers as columns and as filters (stored as what is hidden)."""

    offered_measure_columns = forms.MultipleChoiceField(
        label=_("Measures offered as list columns"), required=False, choices=ListMeasure.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Associates can add these to their grid from the Columns menu."))
    offered_measure_filters = forms.MultipleChoiceField(
        label=_("Measures offered as list filters"), required=False, choices=_filter_measure_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Shown in the Measures section of the customer filters (for example "
                    "\"Churn risk above\" or \"Segment is\"). A saved list that uses a filter "
                    "no longer offered lists its customers without it."))

    class Meta:
        model = ModuleSettings
        fields = ["customers_enabled", "client_book_attribute_group"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for switch in module_switches:
            self.fields[f"switch_{switch.key}"].initial = self.instance.switches.get(switch.key, True)
        self.fields["offered_measure_columns"].initial = [
            value for value in ListMeasure.values if self.instance.offers_measure_column(value)]
        self.fields["offered_measure_filters"].initial = [
            value for value, _label in _filter_measure_choices()
            if self.instance.offers_measure_filter(value)]

    def save(self, commit=True):
        self.instance.switches = {**self.instance.switches, **{
            switch.key: self.cleaned_data[f"switch_{switch.key}"] for switch in module_switches}}
        self.instance.hidden_measure_columns = [
            value for value in ListMeasure.values
            if value not in self.cleaned_data["offered_measure_columns"]]
        self.instance.hidden_measure_filters = [
            value for value, _label in _filter_measure_choices()
            if value not in self.cleaned_data["offered_measure_filters"]]
        return super().save(commit)


@admin.register(ModuleSettings)
class ModuleSettingsAdmin(admin.ModelAdmin):
    """One settings object: the changelist opens it directly."""

    def _switch_fields(self) -> dict:
        return {f"switch_{switch.key}": forms.BooleanField(label=switch.label, required=False,
                                                           help_text=switch.help_text)
                for switch in module_switches}

    def get_fields(self, request, obj=None):
        return ["customers_enabled", *self._switch_fields(), "client_book_attribute_group",
                "offered_measure_columns", "offered_measure_filters"]

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = type("ModuleSettingsForm", (ModuleSettingsForm,), self._switch_fields())
        return super().get_form(request, obj, **kwargs)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        settings = ModuleSettings.load()
        return HttpResponseRedirect(
            reverse("admin:clienteling_modulesettings_change", args=[settings.pk])
        )


@admin.register(AttributeGroup)
class AttributeGroupAdmin(SortableAdminMixin, admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


class AttributeOptionInline(SortableInlineAdminMixin, admin.TabularInline):
    model = AttributeOption
    extra = 0
    prepopulated_fields = {"value": ["label"]}
    fields = ["label", "value"]


class CustomerAttributeForm(forms.ModelForm):
    class Meta:
        model = CustomerAttribute
        fields = ["name", "description", "group", "active", "data_type", "allows_multiple",
                  "customer_editable", "channel_store", "channel_web", "channel_app",
                  "enabled_as_filter", "can_be_refined", "show_on_card"]

    def clean(self):
        cleaned = super().clean()
        data_type = cleaned.get("data_type")
        if data_type == CustomerAttribute.DataType.MULTIPLE_CHOICE:
            cleaned["allows_multiple"] = True
        return cleaned


@admin.register(CustomerAttribute)
class CustomerAttributeAdmin(LabelledListEditableMixin, SortableAdminMixin, admin.ModelAdmin):
    form = CustomerAttributeForm
    list_display = ["name", "slug", "data_type", "group", "enabled_as_filter", "can_be_refined",
                    "show_on_card", "customer_editable", "active"]
    list_filter = ["data_type", "group", "enabled_as_filter", "can_be_refined", "show_on_card",
                   "active"]
    list_editable = ["enabled_as_filter", "can_be_refined", "show_on_card"]
    search_fields = ["name", "slug", "description"]
    list_select_related = ["group"]
    inlines = [AttributeOptionInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "description", "group", "active"]}),
        (_("Values"), {"fields": ["data_type", "allows_multiple", "customer_editable"]}),
        (_("Sales and ordering channels"), {"fields": ["channel_store", "channel_web",
                                                        "channel_app"]}),
        (_("Where it shows"), {"fields": ["enabled_as_filter", "can_be_refined",
                                          "show_on_card"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # The slug is generated from the name on creation and frozen after.
        return ["slug"]


class SectionAttributeInline(SortableInlineAdminMixin, admin.TabularInline):
    model = ProfileSectionAttribute
    extra = 0
    fields = ["attribute", "enabled"]
    autocomplete_fields = ["attribute"]


@admin.register(ProfileSection)
class ProfileSectionAdmin(LabelledListEditableMixin, MoveUpDownMixin, SortableAdminMixin, admin.ModelAdmin):
    # Besides dragging: select sections, then "Move selected up/down one place".
    move_service = staticmethod(services.profile_sections_move)
    list_display = ["title", "kind", "enabled", "collapsed"]
    list_editable = ["enabled"]
    list_filter = ["enabled", "kind", "collapsed"]
    search_fields = ["title"]
    inlines = [SectionAttributeInline]

    def get_inlines(self, request, obj):
        # Only sections that show attributes get the attribute list.
        kind = profile_sections.get(obj.kind) if obj else None
        return self.inlines if kind and kind.shows_attributes else []


class CardPropertyForm(forms.ModelForm):
    position = forms.TypedChoiceField(
        label=_("position"), coerce=int, choices=[(n, n) for n in range(1, 4)]
    )

    class Meta:
        model = CustomerCardProperty
        fields = ["position", "measure", "attribute"]


@admin.register(CustomerCardProperty)
class CustomerCardPropertyAdmin(admin.ModelAdmin):
    form = CardPropertyForm
    list_display = ["position", "__str__"]
    list_filter = ["measure"]
    search_fields = ["attribute__name"]
    autocomplete_fields = ["attribute"]

    def has_add_permission(self, request):
        return (
            super().has_add_permission(request)
            and CustomerCardProperty.objects.count() < CustomerCardProperty.MAX_PROPERTIES
        )


@admin.register(NumberSequence)
class NumberSequenceAdmin(admin.ModelAdmin):
    """The identifiers' shape and next number; the sequences themselves come with the product."""

    list_display = ["__str__", "prefix", "padding", "next_number", "next_identifier"]
    fields = ["scope", "prefix", "padding", "next_number", "next_identifier"]
    readonly_fields = ["scope", "next_identifier"]

    @admin.display(description=_("next identifier"))
    def next_identifier(self, obj):
        return obj.next_identifier

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        from clienteling import services

        services.number_sequence_update(sequence=obj, prefix=obj.prefix, padding=obj.padding,
                                        next_number=obj.next_number)


@admin.register(ListTemplate)
class ListTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "template_status", "store", "owner", "updated_at"]
    list_filter = ["template_status", "store"]
    search_fields = ["name", "description"]
    list_select_related = ["store", "owner"]
    fields = ["name", "description", "template_status", "store", "filters", "columns", "sort"]
    actions = ["publish", "retire"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(is_template=True)

    def get_changeform_initial_data(self, request):
        return {"template_status": ListTemplate.TemplateStatus.DRAFT}

    def save_model(self, request, obj, form, change):
        obj.is_template = True
        if not change:
            obj.owner = request.user
        if not obj.template_status:
            obj.template_status = ListTemplate.TemplateStatus.DRAFT
        super().save_model(request, obj, form, change)

    def _set_status(self, request, queryset, status):
        from clienteling import services

        for template in queryset:
            services.list_template_set_status(user=request.user, template=template, status=status)

    @admin.action(description=_("Publish selected templates"))
    def publish(self, request, queryset):
        self._set_status(request, queryset, ListTemplate.TemplateStatus.PUBLISHED)

    @admin.action(description=_("Retire selected templates"))
    def retire(self, request, queryset):
        self._set_status(request, queryset, ListTemplate.TemplateStatus.RETIRED)


@admin.register(BulkJob)
class BulkJobAdmin(admin.ModelAdmin):
    list_display = ["action", "created_by", "status", "processed", "total", "created_at"]
    list_filter = ["action", "status"]
    search_fields = ["created_by__username", "created_by__last_name"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in BulkJob._meta.fields]

    def has_add_permission(self, request):
        return False
