"""The Celery app; its queues by workload are described in catalog/background.py."""

import os

from celery import Celery
from kombu import Queue

from catalog.background import queue_names, route_task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

# Every task's base retries one that lost its database connection (catalog/background.py).
app = Celery("atelier", task_cls="catalog.background:Background")
# Set before the Django settings are read (they are read lazily, on first use); the
# queue names follow CELERY_QUEUE, as CELERY_TASK_DEFAULT_QUEUE does in the settings.
app.conf.update(
    task_routes=(route_task,),
    task_queues=[Queue(name) for name in queue_names(os.environ.get("CELERY_QUEUE", "atelier"))],
)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
