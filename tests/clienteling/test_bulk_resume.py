"""A bulk job whose worker died part way: the next run carries on after the last chunk done."""

from datetime import date

import pytest

from clienteling import services
from clienteling.models import BulkJob, Task
from clienteling.services.bulk import RESUME_AFTER
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_a_job_left_running_resumes_after_its_last_chunk_and_does_none_twice(org, associate_a, monkeypatch):
    monkeypatch.setattr("clienteling.services.bulk.CHUNK_SIZE", 2)
    ids = [customer.pk for customer in CustomerFactory.create_batch(5, legal_entity=org["entity"])]
    params = {"action": {"title": "Call back", "due_on": date(2026, 12, 24).isoformat()},
              "selection": {"ids": ids}}
    job = BulkJob.objects.create(action="follow_up", created_by=associate_a, params=params)
    # The first run dies after its first chunk: the chunk and the job's progress committed together.
    services.task_create_many(customer_ids=ids[:2], title="Call back", due_on=date(2026, 12, 24),
                              assignee=associate_a, created_by=associate_a)
    BulkJob.objects.filter(pk=job.pk).update(status=BulkJob.Status.RUNNING, total=5, processed=2, succeeded=2,
                                             report={RESUME_AFTER: ids[1]})

    job = services.bulk_job_run(job_id=job.pk)

    assert (job.status, job.total, job.processed, job.succeeded) == (BulkJob.Status.DONE, 5, 5, 5)
    assert sorted(Task.objects.values_list("customer_id", flat=True)) == sorted(ids)
    assert services.bulk_job_run(job_id=job.pk) is None  # done: a late copy of the task does nothing
