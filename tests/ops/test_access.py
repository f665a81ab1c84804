"""Every URL of the "ops" namespace against every kind of visitor.

The probes are public by design (load balancers sign in to nothing) and say nothing
sensitive; /metrics is for the configured scrapers only: a signed-in company admin gets the
same 404 as anyone else. A URL without a row fails the test.
"""

import pytest
from django.urls import URLPattern, get_resolver, reverse

from clienteling.models import StaffProfile
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

VISITORS = ("anonymous", "admin", "manager", "associate", "other_store", "other_entity")
EVERYONE = dict.fromkeys(VISITORS, 200)
NOBODY = dict.fromkeys(VISITORS, 404)

MATRIX = {
    "ops:healthz": EVERYONE,
    "ops:readyz": EVERYONE,
    "ops:metrics": NOBODY,  # no token, no allowed address: not even a company admin
}


def ops_url_names() -> set[str]:
    resolver = get_resolver()
    found = set()
    for pattern in resolver.url_patterns:
        if getattr(pattern, "namespace", None) == "ops":
            found |= {f"ops:{inner.name}" for inner in pattern.url_patterns
                      if isinstance(inner, URLPattern) and inner.name}
    return found


@pytest.fixture
def visitors(company_admin, manager, associate_a, associate_b, org):
    other_store = make_staff(StaffProfile.Role.ASSOCIATE, org["store_a2"], username="associate.a2")
    return {"anonymous": None, "admin": company_admin, "manager": manager, "associate": associate_a,
            "other_store": other_store, "other_entity": associate_b}


def test_every_ops_url_has_a_row():
    assert ops_url_names() == set(MATRIX)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_visitor_gets_what_the_matrix_says(client, settings, visitors, name):
    settings.METRICS_TOKEN = "a-token-nobody-sends"  # noqa: S105  a test value
    settings.METRICS_ALLOWED_IPS = ["192.0.2.1"]
    answers = {}
    for visitor, user in visitors.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        answers[visitor] = client.get(reverse(name)).status_code

    assert answers == MATRIX[name]


def test_probes_show_nothing_of_the_installation(client):
    for name in ("ops:healthz", "ops:readyz"):
        body = client.get(reverse(name)).content.decode()
        assert set(body) <= set('{}":, abcdefghijklmnopqrstuvwxyz')  # names and "ok", no address
