"""Test settings: the real services when DATABASE_URL/REDIS_URL are set (CI)."""

import os

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Unit tests run tasks inline (still after commit); the integration tests
# start a real worker against Redis and switch this off.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)  # noqa: F405
CELERY_TASK_EAGER_PROPAGATES = True
FIELD_ENCRYPTION_KEYS = ["nJ1Ih0bVqEFfM2tq5E7o1vU2nOqQ1d1fC8bS8Jc3m0k="]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Integration tests start a worker on a queue of their own, so a stale task
# from another run on the same Redis can never reach it.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="atelier-test")  # noqa: F405

# Parallel test workers each get a Redis database of their own: clearing the
# cache in one worker must not empty another's mid-test.
_worker = env("PYTEST_XDIST_WORKER", default="")  # noqa: F405
if REDIS_URL and _worker.startswith("gw"):  # noqa: F405
    _db = 14 - int(_worker[2:]) % 8
    _base = REDIS_URL.rsplit("/", 1)[0] if REDIS_URL.count("/") > 2 else REDIS_URL  # noqa: F405
    REDIS_URL = f"{_base}/{_db}"
    CACHES["default"]["LOCATION"] = REDIS_URL  # noqa: F405
    CELERY_BROKER_URL = REDIS_URL

# Web push: a test key pair (tests/fakes/push_fake.py plays the push service).
PUSH_VAPID_PRIVATE_KEY = "hQ05tjSE-Y3H_QQO9ICTvJNv2QR0DLbRhotNQ6bZN6s"
PUSH_VAPID_PUBLIC_KEY = ("BEsppOrezqkoaXSwE0eXmXojYruDogqDaNlqVLMupr94bYm1tNNCM_8JpPA-RyDkSUH8hVVAHl3"
                         "LD7kDIi5znGk")
PUSH_HTTP_TIMEOUT = 2.0

# Conversations
MESSAGING_SEND_RATE_PER_SECOND = 0  # unlimited; the token bucket has tests of its own
TASK_RETRY_BASE_SECONDS = 0
TWILIO_HTTP_TIMEOUT = env.float("TWILIO_HTTP_TIMEOUT", default=2.0)  # noqa: F405
TWILIO_HTTP_CONNECT_TIMEOUT = 1.0
META_HTTP_TIMEOUT = 2.0
META_HTTP_CONNECT_TIMEOUT = 1.0

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, as the embedded default runs: WAL and the busy timeout then serialise
    # concurrent writers, where an in-memory shared-cache database fails them with
    # "database table is locked". pytest-xdist suffixes the name per worker; the run's
    # id keeps two runs in one checkout apart.
    _run = os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid()))[:8]
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-atelier-{_run}.sqlite3")}  # noqa: F405

# A count that happened to be slow on a loaded CI machine must not change what the next
# request of the same test shows; the tests of that memory switch it on themselves.
CUSTOMER_LIST_SLOW_COUNT_SECONDS = 0
# Likewise, a page that is slow on a loaded machine must still count within the page; the
# tests of the count's budget set theirs.
CUSTOMER_LIST_COUNT_BUDGET_MS = 2000

# The two-beats test runs every beat job every few seconds.
if _beat_every := env.float("CELERY_BEAT_EVERY_SECONDS", default=0):  # noqa: F405
    for _entry in CELERY_BEAT_SCHEDULE.values():  # noqa: F405
        _entry["schedule"] = _beat_every
