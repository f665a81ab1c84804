"""Two beat processes by mistake: every periodic job still does its work once per period."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from tests.celery_worker import database_url_for_test_db, running_worker

ROOT = Path(__file__).resolve().parent.parent
EVERY = 3  # seconds between a job's runs, for this test
JOBS = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis"),
]


def test_two_beats_send_every_job_twice_and_each_runs_once_per_period(tmp_path, monkeypatch):
    monkeypatch.setenv("CELERY_BEAT_EVERY_SECONDS", str(EVERY))
    queue = f"atelier-test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "CELERY_QUEUE": queue,
           "CELERY_TASK_ALWAYS_EAGER": "0",
           "DATABASE_URL": database_url_for_test_db(), "REDIS_URL": settings.REDIS_URL}
    with running_worker(queue=queue, concurrency=2):
        beats = [subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO",
             f"--schedule={tmp_path / f'beat-{n}'}", "--max-interval=1"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT) for n in (1, 2)]
        time.sleep(4.5 * EVERY)
        for beat in beats:
            beat.terminate()
            beat.wait(timeout=15)
        time.sleep(2)  # the last sends finish
    log = (ROOT / "var" / f"worker-{queue}-all.log").read_text()

    for job in JOBS:
        received = sum(1 for line in log.splitlines() if f"Task {job}[" in line and "received" in line)
        skipped = log.count(f"{job}: this period's run was already taken")
        assert received >= 4, f"{job}: the two beats sent it {received} times"
        # Two beats, one run a period: at most one run per pair sent (and the odd one).
        assert received - skipped <= received // 2 + 1, f"{job}: {received} sent, {skipped} skipped"
