import os

import pytest
from django.conf import settings
from django.db import connection

from clienteling.models import StaffProfile

from .factories import (
    CustomerFactory,
    LegalEntityFactory,
    StoreFactory,
    StoreGroupFactory,
    make_staff,
)

Role = StaffProfile.Role


def _backend_lines() -> list[str]:
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    redis = settings.REDIS_URL or "not configured (LocMem cache, no Redis tests)"
    return [f"atelier: database backend = {engine}", f"atelier: redis = {redis}"]


def pytest_report_header(config):
    return _backend_lines()


def pytest_terminal_summary(terminalreporter):
    # -q (our default) hides the header: say it again at the end, where it is always shown.
    for line in _backend_lines():
        terminalreporter.write_line(line)


@pytest.fixture(scope="session", autouse=True)
def _backend_as_asked(django_db_setup, django_db_blocker):
    """`make test` runs each pass on the backend it names; a fallback must never pass unseen."""
    wanted = os.environ.get("ATELIER_TEST_BACKEND")
    with django_db_blocker.unblock():
        vendor = connection.vendor
    if wanted == "postgresql":
        assert vendor == "postgresql", "the PostgreSQL pass must run on PostgreSQL"
        assert settings.REDIS_URL, "the PostgreSQL pass must run with Redis"
    elif wanted == "embedded":
        assert vendor == "sqlite" and not settings.REDIS_URL, "the embedded pass must use SQLite"


@pytest.fixture
def org(db):
    """Two legal entities: store A and A2 share a store group; store B is elsewhere."""
    entity = LegalEntityFactory(name="Atelier US", code="us")
    other_entity = LegalEntityFactory(name="Atelier France", code="fr", country="FR",
                                      default_currency="EUR")
    group = StoreGroupFactory(legal_entity=entity, name="East")
    store_a = StoreFactory(legal_entity=entity, group=group, code="nyc", name="New York")
    store_a2 = StoreFactory(legal_entity=entity, group=group, code="bos", name="Boston")
    store_b = StoreFactory(legal_entity=other_entity, code="par", name="Paris",
                           timezone="Europe/Paris", currency="EUR", country="FR",
                           clienteling_phone="+33142681234")
    return {"entity": entity, "other_entity": other_entity, "group": group,
            "store_a": store_a, "store_a2": store_a2, "store_b": store_b}


@pytest.fixture
def company_admin(org):
    return make_staff(Role.COMPANY_ADMIN, org["store_a"], org["store_a2"], username="admin",
                      first_name="Ada", last_name="Admin")


@pytest.fixture
def manager(org):
    return make_staff(Role.STORE_MANAGER, org["store_a"], username="manager",
                      first_name="Mia", last_name="Manager")


@pytest.fixture
def associate_a(org):
    return make_staff(Role.ASSOCIATE, org["store_a"], username="associate.a",
                      first_name="Alex", last_name="Associate")


@pytest.fixture
def associate_b(org):
    return make_staff(Role.ASSOCIATE, org["store_b"], username="associate.b",
                      first_name="Bea", last_name="Other")


@pytest.fixture
def customer_a(org, associate_a):
    return CustomerFactory(legal_entity=org["entity"], home_store=org["store_a"],
                           primary_salesperson=associate_a, first_name="Claire",
                           last_name="Dupont", email="claire@example.com",
                           phone="+12125550123")


@pytest.fixture
def customer_b(org, associate_b):
    return CustomerFactory(legal_entity=org["other_entity"], home_store=org["store_b"],
                           primary_salesperson=associate_b, first_name="Jean",
                           last_name="Martin", email="jean@example.fr", phone="+33612345678")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached settings must not leak from one test's rolled-back data into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
