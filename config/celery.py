"""The Celery app; its queues by workload are described in catalog/background.py."""

import logging
import os

from celery import Celery, bootsteps, signals
from kombu import Queue

from catalog.background import queue_names, route_task
from ops import request_id

logger = logging.getLogger(__name__)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

# Every task's base retries one that lost its database connection (catalog/background.py).
app = Celery("atelier", task_cls="catalog.background:Background")
# Set before the Django settings are read (they are read lazily, on first use); the
# queue names follow CELERY_QUEUE, as CELERY_TASK_DEFAULT_QUEUE does in the settings.
app.conf.update(
    task_routes=(route_task,),
    task_queues=[Queue(name) for name in queue_names(os.environ.get("CELERY_QUEUE", "atelier"))],
)
# A worker's own log lines (the embedded default, development) carry the request id too;
# production's workers log JSON through the settings' LOGGING instead.
app.conf.update(
    worker_log_format="[%(asctime)s: %(levelname)s/%(processName)s] [%(request_id)s] %(message)s",
    worker_task_log_format="[%(asctime)s: %(levelname)s/%(processName)s] [%(request_id)s] "
                           "%(task_name)s[%(task_id)s]: %(message)s",
)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# The request id of the request (or task) that queues a task rides in the message's headers,
# and is the task's own while it runs: its log lines carry it (config/logging.py).
_bound = {}


@signals.worker_init.connect
def _freeze_what_is_loaded(**kwargs):
    """As config/wsgi.py does for the web: what is loaded before the pool forks stays put."""
    import gc

    gc.freeze()


@signals.before_task_publish.connect
def _request_id_publish(headers=None, **kwargs):
    value = request_id.get()
    if value and headers is not None:
        headers.setdefault(request_id.CELERY_HEADER, value)


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _request_id_on_worker_lines(logger=None, **kwargs):
    from config.logging import RequestIdFilter

    for handler in logger.handlers:
        if not any(isinstance(existing, RequestIdFilter) for existing in handler.filters):
            handler.addFilter(RequestIdFilter())


@signals.task_prerun.connect
def _request_id_bind(task_id=None, task=None, **kwargs):
    request = task.request
    value = request_id.sane(getattr(request, request_id.CELERY_HEADER, None)
                            or (request.headers or {}).get(request_id.CELERY_HEADER))
    if value is None and request.is_eager:
        value = request_id.get()  # run inline, inside the request that queued it
    _bound[task_id] = request_id.bind(value)


@signals.task_postrun.connect
def _request_id_reset(task_id=None, **kwargs):
    token = _bound.pop(task_id, None)
    if token is not None:
        try:
            request_id.reset(token)
        except ValueError:  # bound in another context (a thread pool): nothing of ours to undo
            request_id.bind(None)


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Each worker stamps its heartbeat when it starts and every OPS_HEARTBEAT_SECONDS
    (`doctor` and /metrics read them), from its main process, beat or no beat."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.timer_ref = None

    def start(self, worker):
        from django.conf import settings

        self.beat(worker)
        self.timer_ref = worker.timer.call_repeatedly(settings.OPS_HEARTBEAT_SECONDS, self.beat, (worker,),
                                                      priority=10)

    def stop(self, worker):
        if self.timer_ref is not None:
            self.timer_ref.cancel()
            self.timer_ref = None

    def beat(self, worker):
        from django.db import DatabaseError, connection

        from ops.services import worker_heartbeat_record

        try:
            worker_heartbeat_record(hostname=worker.hostname)
        except DatabaseError as error:
            logger.warning("worker heartbeat not recorded: %s", error)
        finally:
            # The main process forks the pool: it keeps no connection between beats.
            connection.close()


app.steps["worker"].add(WorkerHeartbeat)
