"""A customer's message reaches the associate's device through a real Celery worker that
takes only the `sends` queue (the Procfile's short-work process), retrying a busy push service."""

from datetime import UTC, datetime

import pytest
from django.conf import settings

from clienteling.models import Channel
from clienteling.services import push
from conversations import services
from tests.celery_worker import running_worker, wait_until
from tests.fakes.push_fake import FakePushService

from .conftest import STORE_A_SMS

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis"),
]


def test_the_push_task_runs_on_the_sends_queue_and_retries_a_busy_push_service(sms_thread, customer_a,
                                                                               associate_a):
    with FakePushService() as push_service:
        push.push_subscribe(user=associate_a, **push_service.subscription("phone"))
        push_service.answer("phone", 503)
        with running_worker(workloads=("sends",)):
            services.inbound_receive(store=sms_thread.store, from_number=str(customer_a.phone),
                                     to_number=STORE_A_SMS, channel=Channel.SMS, body="Is the coat in?",
                                     media_urls=[], provider_sid="SM" + "7" * 32,
                                     received_at=datetime.now(UTC))

            assert wait_until(lambda: [p.status for p in push_service.to("phone")] == [503, 201])
        assert push_service.decrypt(push_service.pushes[-1])["body"] == "Is the coat in?"
