"""The Python-written widgets give exactly the HTML of Django's own widget templates."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.safestring import mark_safe

from config.forms import FastWidgetRenderer

NASTY = '<b>"Tom & Jerry\'s"</b>'


class EveryWidget(forms.Form):
    text = forms.CharField(widget=forms.TextInput(attrs={"class": "form-control",
                                                         "placeholder": NASTY}))
    email = forms.EmailField()
    number = forms.DecimalField(widget=forms.NumberInput(attrs={"step": "0.01", "min": 0}))
    flag = forms.BooleanField(required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput)
    choice = forms.ChoiceField(choices=[("", "Any"), ("a", NASTY), ("b", "B")])
    many = forms.MultipleChoiceField(choices=[("1", "One"), ("2", "Two"), ("3", mark_safe("<i>3</i>"))])
    grouped = forms.ChoiceField(choices=[("Fruit", [("apple", "Apple"), ("pear", "Pear")]),
                                         ("other", "Other")])
    disabled = forms.CharField(disabled=True, required=False)
    note = forms.CharField(widget=forms.Textarea)
    radio = forms.ChoiceField(choices=[("x", "X"), ("y", "Y")], widget=forms.RadioSelect)


BOUND = {
    "text": NASTY, "email": "a@example.com", "number": Decimal("12.50"), "flag": "on",
    "day": datetime.date(2026, 2, 28).isoformat(), "secret": "p&ss", "hidden": '"h"',
    "choice": "a", "many": ["1", "3"], "grouped": "pear", "note": NASTY, "radio": "y",
}


@pytest.mark.parametrize("data", [None, BOUND, {"text": "", "many": []}], ids=["unbound", "bound", "empty"])
def test_every_widget_matches_django_templates(data):
    fast = EveryWidget(data, renderer=FastWidgetRenderer())
    slow = EveryWidget(data, renderer=DjangoTemplates())
    for name in EveryWidget.base_fields:
        assert str(fast[name]) == str(slow[name]), name


def test_whole_form_matches_django_templates():
    assert (EveryWidget(BOUND, renderer=FastWidgetRenderer()).as_div()
            == EveryWidget(BOUND, renderer=DjangoTemplates()).as_div())


def test_values_and_labels_are_escaped():
    html = str(EveryWidget(BOUND, renderer=FastWidgetRenderer())["choice"])
    assert "<b>" not in html
    assert "&lt;b&gt;&quot;Tom &amp; Jerry&#x27;s&quot;&lt;/b&gt;" in html
    assert '<option value="a" selected>' in html


def test_custom_option_template_falls_back_to_templates():
    class FancySelect(forms.Select):
        option_template_name = "django/forms/widgets/radio_option.html"

    field = forms.ChoiceField(choices=[("a", "A")], widget=FancySelect)
    form = forms.Form(renderer=FastWidgetRenderer())
    form.fields["pick"] = field
    expected = forms.Form(renderer=DjangoTemplates())
    expected.fields["pick"] = field
    assert str(form["pick"]) == str(expected["pick"])


def test_project_renders_forms_with_it():
    assert isinstance(get_default_renderer(), FastWidgetRenderer)
