"""schemathesis against the OpenAPI schema: every operation, no 5xx, responses as documented.

Runs in-process over WSGI (the test database, a key with every scope, seeded customers, a
conversation and a cart), a bounded number of examples per operation (under ~2 minutes).
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from clienteling.models import ExternalMeasuresSettings, MailingList
from tests.carts.conftest import conversation, shop, two_coats_cart  # noqa: F401  fixtures
from tests.factories import CustomerFactory, TagFactory

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance,
          content_type_conformance]


@pytest.fixture
def api_schema(db):
    # As Django's test client does: a finished request must not close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def seeded(org, two_coats_cart):  # noqa: F811
    for i in range(5):
        CustomerFactory(legal_entity=org["entity"], external_id=f"S{i}")
    TagFactory(slug="vip")
    MailingList.objects.create(name="News", slug="news")
    ExternalMeasuresSettings.objects.create(legal_entity=org["entity"], source_name="Lens",
                                            match_field="external_id")


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_conforms_to_its_schema(case, make_key, seeded):
    _key, secret = make_key(rate=100_000)
    case.call_and_validate(headers={"Authorization": f"Bearer {secret}"}, checks=CHECKS)
