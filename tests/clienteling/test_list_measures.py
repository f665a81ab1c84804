"""The measures a Company Admin offers in the customer list: as columns and as filters."""

from decimal import Decimal

import pytest
from django.urls import reverse

from clienteling.forms.lists import ColumnsForm, sort_choices
from clienteling.models import CustomerMeasures, GridPreference, ModuleSettings, SavedCustomerList, Segment
from tests.clienteling.list_helpers import LIST, names

pytestmark = pytest.mark.django_db
SETTINGS = "admin:clienteling_modulesettings_change"


@pytest.fixture
def measured(people):
    """Ann: at risk, 72 %, 3 orders of 400 on average, a suggestion; Ben: a champion, 10 %, 9 of 150."""
    for name, segment, churn, orders, average, reason in (
            ("Ann", Segment.AT_RISK, "0.720", 3, "400", "No purchase for 120 days, usually every 60"),
            ("Ben", Segment.CHAMPIONS, "0.100", 9, "150", "")):
        CustomerMeasures.objects.create(
            customer=people[name], segment=segment, churn_risk=Decimal(churn), orders_count=orders,
            average_order_value=Decimal(average), recommendation_reason=reason)
    return people


def _offer(admin_client, *, columns, filters):
    settings = ModuleSettings.load()
    form = admin_client.get(reverse(SETTINGS, args=[settings.pk])).context["adminform"].form
    data = {name: form[name].value() for name in form.fields
            if name not in ("offered_measure_columns", "offered_measure_filters")}
    data = {k: v for k, v in data.items() if v not in (None, False)}
    data.update(offered_measure_columns=columns, offered_measure_filters=filters)
    response = admin_client.post(reverse(SETTINGS, args=[settings.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors


def test_every_measure_is_offered_until_an_admin_says_otherwise(as_manager, measured):
    menu = [item["column"].key for item in as_manager.get(reverse(LIST)).context["column_menu"]]
    assert {"segment", "churn_risk", "recommendation_reason", "orders_count"} <= set(menu)
    page = as_manager.get(reverse(LIST), {"cols": ["customer", "recommendation_reason"]})
    assert [c.key for c in page.context["result"].columns] == ["customer", "recommendation_reason"]
    assert b"No purchase for 120 days, usually every 60" in page.content
    form = page.context["filterset"].form
    assert {"segment", "churn_risk_above", "average_order_value_min", "orders_min",
            "overdue"} <= set(form.fields)


def test_average_order_value_and_orders_filters(as_manager, measured):
    assert names(as_manager.get(reverse(LIST), {"average_order_value_min": "300"})) == {"Ann"}
    assert names(as_manager.get(reverse(LIST), {"orders_min": "5"})) == {"Ben"}
    assert names(as_manager.get(reverse(LIST), {"orders_min": "3", "average_order_value_min": "100"})) \
        == {"Ann", "Ben"}
    bad = as_manager.get(reverse(LIST), {"orders_min": "-2"})
    assert bad.status_code == 400 and "orders_min" in bad.context["filterset"].form.errors


def test_the_admin_keeps_a_measure_out_of_columns_and_filters(admin_client, client, manager, measured):
    saved = SavedCustomerList.objects.create(owner=manager, name="Risky",
                                             filters={"churn_risk_above": ["60"]},
                                             columns=["customer", "churn_risk", "email"], sort="-churn_risk")
    GridPreference.objects.create(user=manager, columns=["customer", "churn_risk", "segment"])

    _offer(admin_client, columns=["segment", "orders_count"], filters=["segment"])

    settings = ModuleSettings.load()
    assert "churn_risk" in settings.hidden_measure_columns and "recommendation_reason" in \
        settings.hidden_measure_columns and "segment" not in settings.hidden_measure_columns
    assert set(settings.hidden_measure_filters) == {"churn_risk", "predicted_spend", "average_order_value",
                                                   "orders_count", "next_purchase"}
    client.force_login(manager)
    default = client.get(reverse(LIST))
    assert [c.key for c in default.context["result"].columns] == ["customer", "segment"]
    menu = [item["column"].key for item in default.context["column_menu"]]
    assert "churn_risk" not in menu and "segment" in menu and "email" in menu
    assert "churn_risk" not in dict(ColumnsForm().fields["cols"].choices)
    assert "-churn_risk" not in dict(sort_choices())
    form = default.context["filterset"].form
    assert "segment" in form.fields and "churn_risk_above" not in form.fields and "overdue" not in form.fields
    assert b"Churn risk above" not in default.content

    # The saved list opens without the hidden column, sort and filter (no chip for it either).
    in_list = client.get(reverse(LIST), {"list": saved.pk})
    assert in_list.status_code == 200
    assert [c.key for c in in_list.context["result"].columns] == ["customer", "email"]
    assert names(in_list) == {"Ann", "Ben", "Cai", "Dee"}
    linked = client.get(reverse(LIST), {"churn_risk_above": "60"})
    assert names(linked) == {"Ann", "Ben", "Cai", "Dee"} and b"Remove filter" not in linked.content
    assert names(client.get(reverse(LIST), {"segment": "at_risk"})) == {"Ann"}

    # Offered again: the saved list is as it was.
    _offer(admin_client, columns=["segment", "churn_risk"], filters=["segment", "churn_risk"])
    again = client.get(reverse(LIST), {"list": saved.pk})
    assert [c.key for c in again.context["result"].columns] == ["customer", "churn_risk", "email"]
    assert names(again) == {"Ann"}


def test_the_settings_page_shows_what_is_offered(admin_client):
    ModuleSettings.objects.update_or_create(pk=1, defaults={"hidden_measure_filters": ["churn_risk"]})
    ModuleSettings.load().save()  # clears the cached copy
    page = admin_client.get(reverse(SETTINGS, args=[1]))
    form = page.context["adminform"].form
    assert "churn_risk" not in form["offered_measure_filters"].value()
    assert "segment" in form["offered_measure_filters"].value()
    assert set(form["offered_measure_columns"].value()) == set(
        dict(form.fields["offered_measure_columns"].choices))
    # Only measures that have a filter are offered as filters.
    assert "recommendation_reason" not in dict(form.fields["offered_measure_filters"].choices)
    assert str(dict(form.fields["offered_measure_filters"].choices)["next_purchase"]) == \
        "Past their usual purchase interval"  # each measure by the filter it offers
    assert b"Measures offered as list filters" in page.content
