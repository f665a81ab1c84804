"""Insights forms: the dashboard's period, goals."""

from datetime import date, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .models import Goal

MAX_PERIOD_DAYS = 366


def _styled(form) -> None:
    for field in form.fields.values():
        widget = field.widget
        widget.attrs.setdefault(
            "class", "form-select" if isinstance(widget, forms.Select) else "form-control"
        )


class PeriodForm(forms.Form):
    """A date range (this month to date by default), at most a year."""

    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        _styled(self)

    def clean(self):
        data = super().clean()
        end = data.get("end") or self.today
        start = data.get("start") or end.replace(day=1)
        if end < start:
            raise forms.ValidationError(_("The period ends before it starts."))
        if (end - start).days >= MAX_PERIOD_DAYS:
            raise forms.ValidationError(_("Choose a period of a year or less."))
        data["start"], data["end"] = start, end
        return data


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["store", "associate", "metric", "target", "starts_on", "ends_on", "answer_within_hours"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
        self.fields["associate"].queryset = (
            get_user_model()
            .objects.filter(staff_profile__stores__in=stores, staff_profile__active=True)
            .distinct()
            .order_by("first_name", "last_name")
        )
        self.fields["associate"].label_from_instance = lambda user: (
            user.get_full_name() or user.get_username()
        )
        self.fields["associate"].required = False
        _styled(self)
        if not self.instance.pk and not self.is_bound:
            today = date.today()
            self.initial.setdefault("starts_on", today.replace(day=1))
            self.initial.setdefault(
                "ends_on", (today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            )

    def clean(self):
        data = super().clean()
        store, associate = data.get("store"), data.get("associate")
        if store and associate and not associate.staff_profile.stores.filter(pk=store.pk).exists():
            self.add_error("associate", _("This associate does not work in that store."))
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The period ends before it starts."))
        return data
