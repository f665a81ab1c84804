"""Background work through a real Celery worker on Redis."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from clienteling.models import CustomerMeasures
from clienteling.tasks import customer_measures_refresh_stale
from tests.celery_worker import running_worker, wait_until
from tests.factories import CustomerFactory

pytestmark = [
    pytest.mark.integration,
    # serialized_rollback restores the rows data migrations made (role groups ...).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis"),
]


def test_beat_measures_sweep_runs_in_a_real_worker(org):
    customers = CustomerFactory.create_batch(3, legal_entity=org["entity"])
    CustomerMeasures.objects.create(customer=customers[0], computed_on=date(2000, 1, 1))
    with running_worker():
        customer_measures_refresh_stale.delay()
        # "Today" is each customer's store's, which may be a day off UTC's.
        utc_today = timezone.now().date()
        fresh = CustomerMeasures.objects.filter(computed_on__range=(utc_today - timedelta(days=1),
                                                                    utc_today + timedelta(days=1)))
        assert wait_until(lambda: fresh.count() == 3)
