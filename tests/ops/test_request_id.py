"""A request id on every log line, from the request into the Celery tasks it starts."""

import json
import logging
import subprocess
import sys
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from carts.models import PaymentEvent
from carts.tasks import payment_event_process
from config.logging import RequestIdFilter
from ops import request_id
from tests.celery_worker import ROOT, running_worker, wait_until
from tests.test_deploy import production_env

pytestmark = pytest.mark.django_db


def test_a_request_without_an_id_gets_a_fresh_one_in_the_response(client):
    first = client.get(reverse("ops:healthz"))["X-Request-ID"]
    second = client.get(reverse("ops:healthz"))["X-Request-ID"]

    assert len(first) == 32 and int(first, 16) >= 0
    assert first != second


def test_the_proxys_request_id_is_kept_when_it_looks_sane(client):
    response = client.get(reverse("ops:healthz"), headers={"X-Request-ID": "lb-4f2a.9c:e1_77"})

    assert response["X-Request-ID"] == "lb-4f2a.9c:e1_77"


@pytest.mark.parametrize("given", ["short", "has space 12345", "x" * 129, "evil\\nline1234", "<script>12345"])
def test_an_odd_request_id_is_replaced(client, given):
    response = client.get(reverse("ops:healthz"), headers={"X-Request-ID": given})

    assert response["X-Request-ID"] != given
    assert len(response["X-Request-ID"]) == 32


def test_django_logs_a_missing_page_with_the_request_id_it_answered_with(client, caplog):
    """Django logs a 4xx/5xx after the middleware chain has returned: the id is still bound."""
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/no-such-page-at-all/")

    assert response.status_code == 404
    lines = [record for record in caplog.records if record.name == "django.request"]
    assert [record.request_id for record in lines] == [response["X-Request-ID"]]
    assert request_id.get() is None  # unbound once the request finished


def test_a_task_run_inline_logs_with_the_request_id_of_its_request(org, caplog):
    """The embedded default and the tests run tasks inline, inside the request that queued them."""
    event = PaymentEvent.objects.create(provider="demo", psp_reference="PSP9", event_code="AUTHORISATION",
                                        kind="payment", merchant_reference="nobody", payload={})
    caplog.handler.addFilter(RequestIdFilter())
    token = request_id.bind("req-inline-0001")
    try:
        with caplog.at_level(logging.INFO, logger="carts"):
            payment_event_process.delay(event.pk)
    finally:
        request_id.reset(token)

    lines = [record for record in caplog.records if record.name == "carts.services.payments"]
    assert [record.request_id for record in lines] == ["req-inline-0001"]
    assert request_id.get() is None  # nothing leaks past the request


def test_a_message_published_in_a_request_carries_its_id_in_the_headers():
    from config.celery import _request_id_publish

    headers = {}
    _request_id_publish(headers=headers)
    assert headers == {}  # outside a request: no header
    token = request_id.bind("req-publish-0001")
    try:
        _request_id_publish(headers=headers)
    finally:
        request_id.reset(token)
    assert headers == {"request_id": "req-publish-0001"}


@pytest.mark.integration
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps migrations' rows
def test_a_worker_logs_a_task_with_the_request_id_of_the_request_that_queued_it(org):
    event = PaymentEvent.objects.create(provider="demo", psp_reference="PSP10", event_code="AUTHORISATION",
                                        kind="payment", merchant_reference="nobody", payload={})
    PaymentEvent.objects.filter(pk=event.pk).update(received_at=timezone.now() - timedelta(minutes=1))
    queue = f"atelier-test-{uuid.uuid4().hex[:8]}"
    rid = f"req-{uuid.uuid4().hex[:12]}"
    with running_worker(queue=queue):
        token = request_id.bind(rid)
        try:
            payment_event_process.delay(event.pk)
        finally:
            request_id.reset(token)
        assert wait_until(lambda: PaymentEvent.objects.get(pk=event.pk).processed_at is not None)
    log = (ROOT / "var" / f"worker-{queue}-all.log").read_text()

    lines = [line for line in log.splitlines() if "unknown reference" in line]
    assert lines and all(f"[{rid}]" in line for line in lines), log[-3000:]


def test_production_logs_one_json_object_a_line_with_the_request_id():
    """The production settings as deployed: a refused request's warning line, as JSON, with the proxy's id."""
    script = (
        "from django.test import Client\n"
        "Client().post('/healthz', secure=True, headers={'X-Request-ID': 'req-json-00042'})\n"
    )
    env = production_env(ALLOWED_HOSTS="testserver", LOG_LEVEL="INFO")
    result = subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", script], cwd=ROOT,
                            env={**env, "PYTHONUNBUFFERED": "1"}, capture_output=True, text=True, timeout=120)

    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    refused = [line for line in lines if line.get("logger") == "django.request"]
    assert refused, result.stderr[-3000:]
    assert refused[0]["request_id"] == "req-json-00042"
    assert refused[0]["level"] == "WARNING"
    assert refused[0]["status_code"] == 405
    assert "Method Not Allowed" in refused[0]["message"]
    assert {"time", "logger", "message"} <= set(refused[0])
