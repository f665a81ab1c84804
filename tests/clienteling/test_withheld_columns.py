"""The Recommendation Reason column is withheld until the next-best-action feed fills it."""

import pytest
from django.urls import reverse

from clienteling.forms.lists import ColumnsForm
from clienteling.models import GridPreference, SavedCustomerList

pytestmark = pytest.mark.django_db
LIST = "clienteling:customer_list"


def test_recommendation_reason_is_not_a_column_choice(client, manager):
    client.force_login(manager)
    menu = client.get(reverse(LIST)).context["column_menu"]
    assert "recommendation_reason" not in [item["column"].key for item in menu]
    assert "recommendation_reason" not in dict(ColumnsForm().fields["cols"].choices)
    shown = client.get(reverse(LIST), {"cols": ["customer", "recommendation_reason"]}).context["result"]
    assert [c.key for c in shown.columns] == ["customer"]


def test_saved_lists_and_grids_that_had_it_still_open_without_it(client, manager, org):
    # Rows written before the column was withheld (saved as stored, not through the services)
    saved = SavedCustomerList.objects.create(owner=manager, name="Old", filters={},
                                             columns=["customer", "recommendation_reason", "email"])
    GridPreference.objects.create(user=manager, columns=["customer", "recommendation_reason", "city"])
    client.force_login(manager)

    in_list = client.get(reverse(LIST), {"list": saved.pk})
    default = client.get(reverse(LIST))

    assert in_list.status_code == default.status_code == 200
    assert [c.key for c in in_list.context["result"].columns] == ["customer", "email"]
    assert [c.key for c in default.context["result"].columns] == ["customer", "city"]
    assert b"Recommendation Reason" not in in_list.content + default.content
