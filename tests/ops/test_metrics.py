"""/metrics: Prometheus text for the allowed scrapers only (404 for anyone else), with Atelier's
own gauges read at scrape time."""

from datetime import timedelta

import pytest
import redis
from django.urls import reverse
from django.utils import timezone

from clienteling.models import Channel
from conversations import services as conversation_services
from conversations.models import Message, WebhookEvent
from ops import services as ops_services
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
TOKEN = "scrape-token-7c1d9e"  # noqa: S105  a test value


@pytest.fixture
def scrape(client, settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_IPS = []

    def get(**headers):
        return client.get(reverse("ops:metrics"), headers={"Authorization": f"Bearer {TOKEN}", **headers})

    return get


def sample(text: str, line_start: str) -> float:
    """The value of the first sample whose line starts with `line_start`."""
    for line in text.splitlines():
        if line.startswith(line_start):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"no sample {line_start!r} in the metrics")


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"},
                                     {"Authorization": f"Basic {TOKEN}"}, {"Authorization": "Bearer "}])
def test_metrics_are_404_without_the_token_or_an_allowed_address(client, settings, headers):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]

    assert client.get(reverse("ops:metrics"), headers=headers).status_code == 404


def test_an_empty_token_setting_lets_no_bearer_in(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = []

    assert client.get(reverse("ops:metrics"), headers={"Authorization": "Bearer "}).status_code == 404


def test_metrics_answer_an_allowed_address_or_network(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = ["192.0.2.10", "10.1.0.0/16"]

    assert client.get(reverse("ops:metrics"), REMOTE_ADDR="192.0.2.10").status_code == 200
    assert client.get(reverse("ops:metrics"), REMOTE_ADDR="10.1.42.7").status_code == 200
    assert client.get(reverse("ops:metrics"), REMOTE_ADDR="10.2.0.1").status_code == 404


def test_metrics_count_requests_and_show_sends_in_flight_webhook_lag_and_work_due(scrape, org, associate_a):
    customer = CustomerFactory(legal_entity=org["entity"])
    thread = conversation_services.conversation_get_or_create(customer=customer, store=org["store_a"],
                                                              channel=Channel.SMS)
    now = timezone.now()
    Message.objects.create(conversation=thread, direction="out", status="queued", body="a")
    Message.objects.create(conversation=thread, direction="out", status="scheduled", body="b",
                           scheduled_for=now - timedelta(minutes=5))
    Message.objects.create(conversation=thread, direction="out", status="scheduled", body="c",
                           scheduled_for=now + timedelta(days=1))
    event = WebhookEvent.objects.create(provider="twilio", event_id="E1", kind="status", payload={})
    WebhookEvent.objects.filter(pk=event.pk).update(received_at=now - timedelta(seconds=90))
    ops_services.heartbeat_record(name="beat", hostname="background@host", at=now - timedelta(seconds=30))

    response = scrape()

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "django_http_requests_before_middlewares_total" in text  # django-prometheus' own
    assert sample(text, 'atelier_messages{status="queued"}') == 1
    assert sample(text, 'atelier_messages{status="scheduled"}') == 2
    assert sample(text, 'atelier_scheduled_work_due{kind="scheduled_messages"}') == 1
    assert sample(text, 'atelier_webhook_events_pending{kind="status"}') == 1
    assert 85 <= sample(text, 'atelier_webhook_lag_seconds{kind="status"}') <= 200
    assert sample(text, 'atelier_webhook_lag_seconds{kind="inbound"}') == 0
    assert 25 <= sample(text, 'atelier_heartbeat_age_seconds{name="beat"}') <= 120
    assert sample(text, "atelier_payment_events_pending") == 0


def test_metrics_read_the_celery_queue_lengths_from_redis(scrape, settings):
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("queue lengths are read from a Redis broker (the PostgreSQL and Redis pass)")
    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}.sweeps"
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(queue)
    client.lpush(queue, "one", "two", "three")
    try:
        text = scrape().content.decode()
    finally:
        client.delete(queue)

    assert sample(text, f'atelier_celery_queue_length{{queue="{queue}"}}') == 3


def test_metrics_still_answer_when_the_broker_is_down(scrape, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    response = scrape()

    assert response.status_code == 200
    text = response.content.decode()
    assert sample(text, 'atelier_metrics_source_errors{source="broker"}') == 1
    assert "atelier_messages" in text
