from django import forms
from django.utils.translation import gettext_lazy as _

from clienteling.models import SavedCustomerList

NON_FILTER_PARAMS = {"cursor", "list", "cols", "size", "page", "csrfmiddlewaretoken", "name",
                     "description", "ids", "all_matching", "action", "sort", "owner", "query",
                     "template_status", "this_store", "status"}


def filter_params(query_dict) -> dict[str, list[str]]:
    """The filter part of a query string, as saved in a list definition."""
    return {
        key: [v for v in values if v != ""]
        for key, values in query_dict.lists()
        if key not in NON_FILTER_PARAMS and any(v != "" for v in values)
    }


class SavedListForm(forms.ModelForm):
    class Meta:
        model = SavedCustomerList
        fields = ["name", "description"]
        widgets = {"description": forms.TextInput()}


class ColumnsForm(forms.Form):
    cols = forms.MultipleChoiceField(label=_("Columns"), choices=(), required=False,
                                     widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        from clienteling.grid import COLUMNS

        super().__init__(*args, **kwargs)
        self.fields["cols"].choices = [(c.key, c.label) for c in COLUMNS]


class TemplateForm(forms.ModelForm):
    class Meta:
        model = SavedCustomerList
        fields = ["name", "description", "template_status"]
        widgets = {"description": forms.TextInput(attrs={"class": "form-control"}),
                   "name": forms.TextInput(attrs={"class": "form-control"}),
                   "template_status": forms.Select(attrs={"class": "form-select"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template_status"].choices = SavedCustomerList.TemplateStatus.choices
        self.fields["template_status"].required = True
