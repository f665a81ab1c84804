from django import forms
from django.utils.translation import gettext_lazy as _

from clienteling.models import SavedCustomerList

NON_FILTER_PARAMS = {"cursor", "list", "cols", "size", "page", "csrfmiddlewaretoken", "name",
                     "description", "ids", "all_matching", "action", "sort", "owner", "query",
                     "template_status", "this_store", "status", "store"}


# What the filter form always sends even when nothing is chosen: not a filter.
DEFAULT_FILTER_VALUES = {"scope": ["all"], "tags_match": ["any"], "mailing_lists_match": ["any"]}
# Options of another filter (match any/all) rather than filters of their own.
MODIFIER_PARAMS = {"tags_match", "mailing_lists_match"}


def filter_params(query_dict) -> dict[str, list[str]]:
    """The filter part of a query string, as saved in a list definition."""
    params = {
        key: [v for v in values if v != ""]
        for key, values in query_dict.lists()
        if key not in NON_FILTER_PARAMS and any(v != "" for v in values)
    }
    return {key: values for key, values in params.items()
            if DEFAULT_FILTER_VALUES.get(key) != values}


def active_filter_count(params: dict) -> int:
    """How many filters narrow the list (for the badge on the phone's Filters button)."""
    return len([key for key in params if key not in MODIFIER_PARAMS])


def sort_choices():
    from clienteling.grid import SORTABLE, hidden_columns

    choices = [("", _("Customer name (A to Z)"))]
    hidden = hidden_columns()
    for key, column in SORTABLE.items():
        if key in hidden:
            continue
        if key == "customer":
            choices.append(("-customer", _("Customer name (Z to A)")))
            continue
        choices += [(key, _("%(column)s, lowest first") % {"column": column.label}),
                    (f"-{key}", _("%(column)s, highest first") % {"column": column.label})]
    return choices


class SavedListForm(forms.Form):
    """"Create my own": the name and description; filters, columns and sort come along."""

    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)


class ColumnsForm(forms.Form):
    cols = forms.MultipleChoiceField(label=_("Columns"), choices=(), required=False,
                                     widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        from clienteling.grid import columns_offered

        super().__init__(*args, **kwargs)
        self.fields["cols"].choices = [(c.key, c.label) for c in columns_offered()]


class TemplateForm(forms.Form):
    """A list template's name, status and store; its filters are the customer filter form."""

    name = forms.CharField(label=_("Name"), max_length=120,
                           widget=forms.TextInput(attrs={"class": "form-control"}))
    description = forms.CharField(label=_("Description"), max_length=255, required=False,
                                  widget=forms.TextInput(attrs={"class": "form-control"}))
    template_status = forms.ChoiceField(label=_("Status"),
                                        choices=SavedCustomerList.TemplateStatus.choices,
                                        widget=forms.Select(attrs={"class": "form-select"}))
    store = forms.ModelChoiceField(label=_("Published to"), queryset=None, required=False,
                                   widget=forms.Select(attrs={"class": "form-select"}))
    sort = forms.ChoiceField(label=_("Sorted by"), required=False, choices=(),
                             widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, stores, company_wide: bool, **kwargs):
        super().__init__(*args, **kwargs)
        store = self.fields["store"]
        store.queryset = stores
        # Only company admins publish to every store; managers pick one of theirs.
        store.required = not company_wide
        store.empty_label = _("Every store") if company_wide else None
        self.fields["sort"].choices = sort_choices()
