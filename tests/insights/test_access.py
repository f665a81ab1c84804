"""Every insights URL against every kind of visitor (built like tests/test_access_matrix.py).

Visitors: anonymous, a company admin, the manager and an associate of store A, an associate of
store A2 (same legal entity), an associate of another legal entity. The objects belong to
store A; out-of-scope objects answer 404. A URL of the namespace without a row fails.
"""

from datetime import date, timedelta

import pytest
from django.db import transaction
from django.urls import get_resolver, reverse
from django.utils import timezone

from clienteling.models import StaffProfile
from insights.models import CreditJob, FeedRun, Goal, Suggestion
from tests.factories import CustomerFactory, make_staff

pytestmark = pytest.mark.django_db

VISITORS = ("anonymous", "admin", "manager", "associate", "other_store", "other_entity")
LOGIN = "login"


@pytest.fixture
def visitors(company_admin, manager, associate_a, associate_b, org):
    other_store = make_staff(StaffProfile.Role.ASSOCIATE, org["store_a2"], username="associate.a2")
    return {
        "anonymous": None,
        "admin": company_admin,
        "manager": manager,
        "associate": associate_a,
        "other_store": other_store,
        "other_entity": associate_b,
    }


@pytest.fixture
def world(org, associate_a, manager):
    store = org["store_a"]
    customer = CustomerFactory(legal_entity=org["entity"], home_store=store)
    today = date.today()
    run = FeedRun.objects.create(store=store, day=today)
    suggestion = Suggestion.objects.create(
        run=run,
        day=today,
        associate=associate_a,
        store=store,
        customer=customer,
        condition="follow_up",
        action="profile",
        reason="Follow-up due",
    )
    goal = Goal.objects.create(
        store=store,
        metric="sales",
        target=1000,
        starts_on=today.replace(day=1),
        ends_on=today + timedelta(days=30),
        created_by=manager,
    )
    job = CreditJob.objects.create(since=timezone.now() - timedelta(days=30))
    return {"store": store, "suggestion": suggestion, "goal": goal, "job": job}


def sid(w):
    return [w["suggestion"].pk]


A = {"store": "@store"}
ANYONE = {
    "anonymous": LOGIN,
    "admin": 200,
    "manager": 200,
    "associate": 200,
    "other_store": 200,
    "other_entity": 200,
}
OWN_SUGGESTION = {
    "anonymous": LOGIN,
    "admin": 404,
    "manager": 404,
    "associate": 302,
    "other_store": 404,
    "other_entity": 404,
}
STORE_A = {
    "anonymous": LOGIN,
    "admin": 200,
    "manager": 200,
    "associate": 200,
    "other_store": 404,
    "other_entity": 404,
}
MANAGERS = {
    "anonymous": LOGIN,
    "admin": 200,
    "manager": 200,
    "associate": 403,
    "other_store": 403,
    "other_entity": 403,
}
MANAGERS_POST = {**MANAGERS, "admin": 302, "manager": 302}
ADMIN = {
    "anonymous": LOGIN,
    "admin": 200,
    "manager": 403,
    "associate": 403,
    "other_store": 403,
    "other_entity": 403,
}

# url name -> [(method, args(world), data, expected by visitor)]
REQUESTS = {
    "insights:feed": [("get", lambda w: [], {}, ANYONE)],
    "insights:suggestion_act": [("post", sid, {}, OWN_SUGGESTION)],
    "insights:suggestion_done": [("post", sid, {}, OWN_SUGGESTION)],
    "insights:suggestion_dismiss": [("post", sid, {}, OWN_SUGGESTION)],
    "insights:suggestion_snooze": [("post", sid, {"days": "1"}, OWN_SUGGESTION)],
    "insights:dashboard": [("get", lambda w: [], {}, ANYONE), ("get", lambda w: [], A, STORE_A)],
    "insights:dashboard_csv": [("get", lambda w: [], A, STORE_A)],
    "insights:goals": [("get", lambda w: [], {}, MANAGERS)],
    "insights:goal_create": [("get", lambda w: [], {}, MANAGERS)],
    "insights:goal_edit": [("get", lambda w: [w["goal"].pk], {}, MANAGERS)],
    "insights:goal_delete": [("post", lambda w: [w["goal"].pk], {}, MANAGERS_POST)],
    "insights:rule_report": [("get", lambda w: [], {}, MANAGERS)],
    "insights:credit_recompute": [("get", lambda w: [], {}, ADMIN)],
    "insights:credit_job": [("get", lambda w: [w["job"].pk], {}, ADMIN)],
}


def url_names() -> set[str]:
    resolver = get_resolver()
    namespace = resolver.namespace_dict["insights"][1]
    return {f"insights:{pattern.name}" for pattern in namespace.url_patterns if pattern.name}


def test_every_insights_url_has_a_row():
    assert url_names() == set(REQUESTS)


def outcome(response):
    if response.status_code == 302 and response["Location"].startswith("/login/"):
        return LOGIN
    return response.status_code


def test_access_matrix(client, visitors, world):
    wrong = []
    for name, requests in REQUESTS.items():
        for method, args, data, expected in requests:
            url = reverse(name, args=args(world))
            data = {
                key: (world[value[1:]].pk if isinstance(value, str) and value.startswith("@") else value)
                for key, value in data.items()
            }
            for visitor in VISITORS:
                client.logout()
                if visitors[visitor] is not None:
                    client.force_login(visitors[visitor])
                with transaction.atomic():
                    got = outcome(getattr(client, method)(url, data))
                    transaction.set_rollback(True)
                if got != expected[visitor]:
                    wrong.append(
                        f"{method.upper()} {name} {data} as {visitor}: {got}, expected {expected[visitor]}"
                    )
    assert not wrong, "\n".join(wrong)
