"""A real Celery worker process on Redis, for tests about background work."""

import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from catalog.background import queue_names
from config.celery import app

ROOT = Path(__file__).resolve().parent.parent


def database_url_for_test_db() -> str:
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.skip("a worker process shares the test database only on PostgreSQL")
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


@contextmanager
def running_worker(*, concurrency: int = 1, workloads: tuple[str, ...] | None = None, queue: str = ""):
    """Start `celery worker` against the test database; stop it afterwards.

    Its queues are named after a default queue of its own (`queue`, or a fresh one), so
    parallel tests never take each other's tasks; it takes the default queue and every
    workload's (config/celery.py), or only `workloads`.
    """
    queue = queue or f"atelier-test-{uuid.uuid4().hex[:8]}"
    names = queue_names(queue)
    if workloads is not None:
        names = [f"{queue}.{workload}" for workload in workloads]
    node = f"{queue}-{'-'.join(workloads or ('all',))}"
    # Not PYTEST_XDIST_WORKER: the test settings would move the worker to that parallel
    # worker's Redis database, where REDIS_URL (already this process's) must be taken as is.
    env = {
        **{name: value for name, value in os.environ.items() if name != "PYTEST_XDIST_WORKER"},
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url_for_test_db(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_QUEUE": queue,
        # The test settings run tasks inline; a worker hands the tasks it queues to the broker.
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    (ROOT / "var").mkdir(exist_ok=True)
    log = open(ROOT / "var" / f"worker-{node}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", ",".join(names),
         f"--concurrency={concurrency}", "--pool=prefork", "--loglevel=INFO",
         f"--hostname={node}@%h", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if app.control.ping(destination=[f"{node}@{os.uname().nodename}"], timeout=0.5):
                break
            if process.poll() is not None:
                raise RuntimeError(f"worker exited: see var/worker-{node}.log")
        else:
            raise RuntimeError("worker did not start within 30 s")
        yield process
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def kill_tree(pid: int) -> None:
    """SIGKILL a worker we started and its pool children, by id (a machine lost, an OOM kill)."""
    children = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as handle:
            children += [int(child) for child in handle.read().split()]
    for child in children:
        os.kill(child, signal.SIGKILL)
    os.kill(pid, signal.SIGKILL)


def visibility_timeout_passes() -> int:
    """The broker's visibility timeout passes: what a killed worker held is handed out again.

    Redis keeps a task a worker took but never acknowledged (acks_late) and gives it to the
    next worker only once CELERY_BROKER_TRANSPORT_OPTIONS' visibility timeout has passed (an
    hour); a test moves those tasks' clocks back instead of waiting. Returns how many.
    """
    client = redis.Redis.from_url(app.conf.broker_url)
    timeout = app.conf.broker_transport_options.get("visibility_timeout", 3600)
    held = client.zrange("unacked_index", 0, -1, withscores=True)
    for tag, score in held:
        client.zadd("unacked_index", {tag: score - timeout - 1})
    return len(held)


def wait_until(predicate, timeout: float = 20.0, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
