"""A bulk job whose worker died part way carries on after the last chunk done; one whose task
was lost is queued again."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

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


def test_a_job_whose_task_was_lost_is_queued_again_by_beat(org, associate_a,
                                                            django_capture_on_commit_callbacks):
    ids = [customer.pk for customer in CustomerFactory.create_batch(2, legal_entity=org["entity"])]
    params = {"action": {"title": "Call back", "due_on": date(2026, 12, 24).isoformat()},
              "selection": {"ids": ids}}
    lost = BulkJob.objects.create(action="follow_up", created_by=associate_a, params=params)
    BulkJob.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=20))
    recent = BulkJob.objects.create(action="follow_up", created_by=associate_a, params=params)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.bulk_jobs_requeue_stale() == 1

    assert BulkJob.objects.get(pk=lost.pk).status == BulkJob.Status.DONE
    assert BulkJob.objects.get(pk=recent.pk).status == BulkJob.Status.QUEUED  # its task may still come
    assert Task.objects.count() == 2
