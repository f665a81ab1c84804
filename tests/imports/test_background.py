"""An admin import job through a real Celery worker on Redis (the upload page's background work)."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from clienteling.models import Customer
from imports.models import ImportJob
from imports.services import import_job_create, import_job_start
from tests.celery_worker import running_worker, wait_until
from tests.imports.conftest import SAMPLES

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis"),
]


def test_an_import_job_runs_in_a_real_worker(org, company_admin):
    # The worker reads the uploaded file from the database, a chunk at a time.
    name = "shopify_customers.csv"
    job = import_job_create(
        kind="customers",
        legal_entity=org["entity"],
        store=org["store_a"],
        created_by=company_admin,
        upload=SimpleUploadedFile(name, (SAMPLES / name).read_bytes()),
    )
    with running_worker(workloads=("bulk",)):
        assert import_job_start(job=job)
        assert wait_until(
            lambda: ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.DONE, timeout=60
        )
    job.refresh_from_db()
    assert (job.created, job.rejected, job.percent) == (3, 3, 100)
    assert [row[0] for row in job.rejected_rows] == [5, 6, 7]
    assert Customer.objects.filter(legal_entity=org["entity"]).count() == 3
