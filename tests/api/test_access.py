"""Every api URL against every kind of visitor: the console's sessions (the API takes keys only),
a key with every scope, a key without scopes, and a key of another legal entity (404 on
objects, empty lists). Every URL name of the "api" namespace must have a row."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from clienteling.models import StaffProfile
from tests.carts.conftest import conversation, shop  # noqa: F401  fixtures
from tests.factories import make_staff
from tests.test_access_matrix import URL_NAMES

pytestmark = pytest.mark.django_db

VISITORS = ("anonymous", "admin", "manager", "associate", "other_store", "other_entity",
            "key", "key_no_scope", "key_other_entity")
SESSIONS = 401  # a signed-in console user is no API client

# name -> (method, args(world), expected per visitor)
ROWS = {
    "api:schema": ("get", lambda w: [], [200] * 9),
    "api:docs": ("get", lambda w: [], [200] * 9),
    "api:customers": ("get", lambda w: [], [401, *[SESSIONS] * 5, 200, 403, 200]),
    "api:customers-bulk": ("post", lambda w: [], [401, *[SESSIONS] * 5, 400, 403, 400]),
    "api:customer-timeline": ("get", lambda w: [w["customer"].pk], [401, *[SESSIONS] * 5, 200, 403, 404]),
    "api:customer-conversations": ("get", lambda w: [w["customer"].pk],
                                   [401, *[SESSIONS] * 5, 200, 403, 404]),
    "api:conversation-messages": ("get", lambda w: [w["conversation"].pk],
                                  [401, *[SESSIONS] * 5, 200, 403, 404]),
    "api:carts": ("get", lambda w: [], [401, *[SESSIONS] * 5, 200, 403, 200]),
    "api:sales-bulk": ("post", lambda w: [], [401, *[SESSIONS] * 5, 400, 403, 400]),
    "api:products-bulk": ("post", lambda w: [], [401, *[SESSIONS] * 5, 400, 403, 400]),
    "api:segments": ("post", lambda w: [], [401, *[SESSIONS] * 5, 400, 403, 400]),
    "api:webhook-deliveries": ("get", lambda w: [], [401, *[SESSIONS] * 5, 200, 200, 200]),
    "api:measures-bulk": ("post", lambda w: [], [401, *[SESSIONS] * 5, 400, 403, 400]),
}


def test_every_api_url_has_a_row():
    names = {name for name in URL_NAMES if name.split(":")[0] == "api"}
    assert names == set(ROWS)


@pytest.fixture
def visitors(org, company_admin, manager, associate_a, associate_b, make_key):
    other_store = make_staff(StaffProfile.Role.ASSOCIATE, org["store_a2"], username="associate.a2")

    def session(user):
        client = APIClient()
        client.force_login(user)
        return client

    def keyed(secret):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client

    return {
        "anonymous": APIClient(), "admin": session(company_admin), "manager": session(manager),
        "associate": session(associate_a), "other_store": session(other_store),
        "other_entity": session(associate_b), "key": keyed(make_key()[1]),
        "key_no_scope": keyed(make_key("webhooks:read", name="Bare")[1]),  # the only scope it holds
        "key_other_entity": keyed(make_key(entity=org["other_entity"], name="FR")[1]),
    }


def test_each_visitor_gets_what_the_table_says(visitors, customer_a, conversation):  # noqa: F811
    world = {"customer": customer_a, "conversation": conversation}
    wrong = []
    for name, (method, args, expected) in ROWS.items():
        url = reverse(name, args=args(world))
        for visitor, want in zip(VISITORS, expected, strict=True):
            response = getattr(visitors[visitor], method)(url, {}, format="json") if method == "post" \
                else visitors[visitor].get(url)
            if response.status_code != want:
                wrong.append(f"{method.upper()} {url} as {visitor}: {response.status_code}, expected {want}")
    assert wrong == []


def test_the_admin_screens_are_for_company_admins_only(client, company_admin, manager):
    urls = [reverse(f"admin:api_{model}_changelist")
            for model in ("apikey", "webhookendpoint", "webhookdelivery")]
    client.force_login(company_admin)
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    client.force_login(manager)
    assert all(client.get(url).status_code == 302 for url in urls)  # to the admin's sign-in
