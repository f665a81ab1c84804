"""Settings shared by every environment; everything that differs comes from the env.

With no environment variables Atelier runs on the embedded default: an SQLite
file and a Celery broker on kombu's filesystem transport, both under ``var/``.
``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and Redis.
"""

import copy
import os
from pathlib import Path

import django.conf.locale
import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
# The embedded default's files: SQLite database, Celery broker folders, beat schedule, media.
VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var"))).resolve()

# Secrets are read as written: django-environ would take a value starting with "$" for the
# name of another variable, and one random key in fifty starts with it.
SECRET_KEY = os.environ.get("SECRET_KEY") or "insecure-dev-key-change-me-0123456789abcdefghijklmnop"
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "config.admin.AtelierAdminConfig",  # django.contrib.admin, on Atelier's AdminSite
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "adminsortable2",
    "axes",
    "csp",
    "django_filters",
    "django_htmx",
    "guardian",
    "phonenumber_field",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_prometheus",
    "catalog",
    "clienteling",
    "conversations",
    "carts",
    "appointments",
    "insights",
    "imports",
    "api",
    "ops",
    "demo",
    "bench",
]

MIDDLEWARE = [
    # Requests' counts and latencies (/metrics, docs/operations.md): first and last.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Before everything that logs: a request id on every line (ops/request_id.py).
    "ops.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Outside the session's: a session saved by a request counts as its write.
    "catalog.replica.ReadYourWritesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "catalog.links.RequestOriginMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "clienteling.middleware.ModuleSettingsMiddleware",
    "clienteling.middleware.StoreTimezoneMiddleware",
    "clienteling.middleware.StaffLanguageMiddleware",
    # A view's lost database connection becomes a 503 (its process_exception runs first).
    "catalog.db.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

# Content-Security-Policy: everything from our own origin, nothing inline, no eval; in
# every environment, so a violation shows in development and in the browser tests.
# data: images are Bootstrap's form icons; blob: images the preview of a photo to send.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SECURE_REFERRER_POLICY = "same-origin"  # customer links carry tokens: never sent to other sites
# The camera scans barcodes on our own pages; nothing else is asked of the device.
PERMISSIONS_POLICY = {
    "camera": ["self"], "microphone": [], "geolocation": [], "payment": [], "usb": [],
    "interest-cohort": [], "browsing-topics": [],
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clienteling.context_processors.console",
            ],
        },
    },
]

# Plain widgets are written in Python, with the markup of Django's templates.
FORM_RENDERER = "config.forms.FastWidgetRenderer"

DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'atelier.sqlite3'}"
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker and the web server write without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Covering indexes (INCLUDE) are PostgreSQL's; SQLite keeps the same indexes without
    # the extra columns, which the embedded demo does not need.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if env.bool("DATABASE_POOL", default=False):
        # Many web and worker processes: each keeps a small psycopg pool rather than one
        # connection per thread held for CONN_MAX_AGE (Django needs 0 with a pool).
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=1),
            "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=4),
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    # Behind PgBouncer in transaction pooling a cursor cannot outlive its transaction.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
        "DATABASE_DISABLE_SERVER_SIDE_CURSORS", default=False)
    # Console queries are short and many. PostgreSQL's JIT spends tens of milliseconds
    # compiling plans whose estimated cost crosses its threshold (seen on Today's page),
    # and starting parallel workers costs 10-15 ms, more than most list pages take in
    # all: workers only for queries big enough to gain (bench_listing shows the effect).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = env(
        "DATABASE_SESSION_OPTIONS", default="-c jit=off -c parallel_setup_cost=20000")

# A streaming replica of the primary takes the heavy reads that ask for it (lists, exports,
# Today: catalog/replica.py) while it keeps up; everything else stays on the primary.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
DATABASE_REPLICA_MAX_LAG_SECONDS = env.float("DATABASE_REPLICA_MAX_LAG_SECONDS", default=5.0)
# After a write, the writer's heavy reads wait this long at most for the replica to replay
# it; past the window the lag bound alone applies, so it must not be shorter.
DATABASE_REPLICA_READ_YOUR_WRITES_SECONDS = env.int("DATABASE_REPLICA_READ_YOUR_WRITES_SECONDS", default=60)
DATABASE_REPLICA_RETRY_SECONDS = env.float("DATABASE_REPLICA_RETRY_SECONDS", default=10.0)  # after a failure
DATABASE_REPLICA_CHECK_SECONDS = 1.0  # how long a process trusts its last lag measurement
DATABASE_ROUTERS = []
if DATABASE_REPLICA_URL:
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL on PostgreSQL")
    if DATABASE_REPLICA_READ_YOUR_WRITES_SECONDS < DATABASE_REPLICA_MAX_LAG_SECONDS:
        raise ImproperlyConfigured("DATABASE_REPLICA_READ_YOUR_WRITES_SECONDS must be at least "
                                   "DATABASE_REPLICA_MAX_LAG_SECONDS")
    _replica = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"] = {
        **copy.deepcopy(DATABASES["default"]),
        **{key: _replica[key] for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT") if key in _replica},
        # A physical replica replays the test database the primary creates: none of its own.
        "TEST": {"MIRROR": "default"},
    }
    DATABASES["replica"]["OPTIONS"].update(_replica.get("OPTIONS", {}))
    # An unreachable replica must cost a page seconds at most, once: then the primary serves.
    DATABASES["replica"]["OPTIONS"].setdefault(
        "connect_timeout", env.int("DATABASE_REPLICA_CONNECT_TIMEOUT", default=2))
    DATABASE_ROUTERS = ["catalog.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses a sign-in while the account or the address is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "clienteling:today"
LOGOUT_REDIRECT_URL = "login"
GUARDIAN_RAISE_403 = False
# Password guessing (django-axes, console and admin sign-in alike): after a few failures
# the account is locked, and so is the address they came from, for an hour or until a
# company admin deletes the attempt in the admin ("Access attempts").
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
# A success must not wipe the count: with the address as a lockout key, signing in to
# one's own account would clear the failures against someone else's.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failure, kept for the admin to read
# Behind the reverse proxy, the client's address is the last one it added.
AXES_IPWARE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
ANONYMOUS_USER_NAME = None

LANGUAGE_CODE = "en"
# A language with its region, as the anchor app offers them: "en" is American English,
# "en-gb" British; a regional variant whose base language is listed ("fr-ca" of "fr") reads
# the base's catalog and uses Django's formats for its region (django/conf/locale/fr_CA) and
# Babel's for money. Traditional Chinese has its own catalog, made from the Simplified one
# (bin/zh_hant.py, run by `make messages`).
LANGUAGES = [
    ("en", _("English")),
    ("en-gb", _("British English")),
    ("ca", _("Catalan")),
    ("zh-hans", _("Simplified Chinese")),
    ("zh-hant", _("Traditional Chinese")),
    ("cs", _("Czech")),
    ("da", _("Danish")),
    ("nl", _("Dutch")),
    ("fr", _("French")),
    ("fr-ca", _("Canadian French")),
    ("de", _("German")),
    ("it", _("Italian")),
    ("ja", _("Japanese")),
    ("ko", _("Korean")),
    ("pl", _("Polish")),
    ("es", _("Spanish")),
    ("es-mx", _("Mexican Spanish")),
    ("sv", _("Swedish")),
]
# Django knows no "fr-ca" by name: without this the language menu would list "français" twice.
EXTRA_LANG_INFO = {
    "fr-ca": {"bidi": False, "code": "fr-ca", "name": "Canadian French", "name_local": "français canadien"},
}
django.conf.locale.LANG_INFO.update(EXTRA_LANG_INFO)
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

PHONENUMBER_DEFAULT_REGION = env("PHONENUMBER_DEFAULT_REGION", default="US")
PHONENUMBER_DB_FORMAT = "E164"

# Small admin-edited tables (tags, designers, filterable attributes...) are cached until a
# save retires them; this bounds writes that send no signal (bulk imports, update()).
REFERENCE_CACHE_SECONDS = env.int("REFERENCE_CACHE_SECONDS", default=300)
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="atelier"),
        }
    }
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Embedded default: a broker that needs no server, shared by web and worker
    # through folders on disk.
    _broker_dir = VAR_DIR / "celery"
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    # A hostname, or kombu warns that it "reverts to localhost" on every connection.
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "data_folder_processed": str(_broker_dir / "processed"),
        # Broadcast (control) messages; kombu's default is ./control in the working dir.
        "control_folder": str(_broker_dir / "control"),
    }

CELERY_TASK_IGNORE_RESULT = True
# The default queue; each workload has its own beside it (config/celery.py).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="atelier")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "prune-audit-events": {
        "task": "clienteling.tasks.audit_events_prune",
        "schedule": 24 * 60 * 60,
    },
    "requeue-bulk-jobs": {
        "task": "clienteling.tasks.bulk_jobs_requeue_stale",
        "schedule": 10 * 60,
    },
    "refresh-customer-measures": {
        "task": "clienteling.tasks.customer_measures_refresh_stale",
        "schedule": 60 * 60,
    },
    "send-due-scheduled-messages": {
        "task": "conversations.tasks.scheduled_messages_send_due",
        "schedule": 60,
    },
    "archive-conversations": {
        "task": "conversations.tasks.conversations_archive_due",
        "schedule": 60 * 60,
    },
    "redact-expired-messages": {
        "task": "conversations.tasks.messages_redact_expired",
        "schedule": 24 * 60 * 60,
    },
    "reconcile-unknown-sends": {
        "task": "conversations.tasks.messages_reconcile_unknown",
        "schedule": 5 * 60,
    },
    "prune-webhook-events": {
        "task": "conversations.tasks.webhook_events_prune",
        "schedule": 60 * 60,
    },
    # Submits WhatsApp templates to Twilio and reads WhatsApp's verdicts (docs/templates.md).
    "templates_approval_sync": {
        "task": "conversations.tasks.templates_approval_sync",
        "schedule": 2 * 60,
    },
}

# Who saw or changed what is kept this long, then pruned by beat.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=730)

# Secrets stored in the database (provider credentials) are encrypted with the
# first key; older keys stay listed so rotation never locks data out.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
# Without keys, the embedded demo derives one from SECRET_KEY (production refuses to start).
ALLOW_DERIVED_ENCRYPTION_KEY = True

# Public base URL (scheme + host) used for links sent to customers and for
# verifying provider webhook signatures behind a TLS-terminating proxy. Unset (the
# embedded demo, tests), links follow the request's own address, else LOCAL_BASE_URL
# (catalog/links.py); production settings require it.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="")
LOCAL_BASE_URL = env("LOCAL_BASE_URL", default="http://127.0.0.1:8000")
# Provider accounts may point at a test double's address (tests, development); in
# production only at the provider's own hosts (catalog/links.py).
PROVIDER_TEST_DOUBLES = env.bool("PROVIDER_TEST_DOUBLES", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"client_errors": {"()": "config.logging.ClientErrorsWithoutTraceback"},
                "request_id": {"()": "config.logging.RequestIdFilter"}},
    "handlers": {"stream": {"class": "logging.StreamHandler", "formatter": "plain",
                             "filters": ["client_errors", "request_id"]}},
    "root": {"handlers": ["stream"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own config gives "django" a console handler of its own (in DEBUG) on top
        # of the root's, so every 4xx/5xx printed twice: it goes to the root only.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        # A banner in every command and a line per sign-in otherwise; lockouts are WARNINGs.
        "axes": {"level": "WARNING"},
    },
}

# Conversations
# Provider per channel, like Django's email backends: "twilio" | "demo" for texts, "meta" for
# WhatsApp too (docs/whatsapp.md), "email" | "demo" for email (or a dotted path to a provider class).
MESSAGING_PROVIDERS = {
    "sms": env("MESSAGING_SMS_PROVIDER", default="demo"),
    "whatsapp": env("MESSAGING_WHATSAPP_PROVIDER", default="demo"),
    "email": env("MESSAGING_EMAIL_PROVIDER", default="email"),
}
MESSAGING_EMAIL_FROM = env("MESSAGING_EMAIL_FROM", default="")
# Message words and images, and raw webhook payloads, are removed after this many days
# (0 keeps them); the sweep runs daily.
MESSAGING_RETENTION_DAYS = env.int("MESSAGING_RETENTION_DAYS", default=730)
# A processed provider webhook is kept this long only to recognise a replay, then deleted
# (0: kept until the retention above); unprocessed ones wait for the requeue sweep.
MESSAGING_WEBHOOK_DEDUP_DAYS = env.int("MESSAGING_WEBHOOK_DEDUP_DAYS", default=30)
# A webhook queues a drain of its kind only if none is waiting, by a mark in the cache: that
# needs a cache every process shares (Redis). The embedded default's cache is per process,
# so there each webhook queues its own drain (a quiet demo's load).
MESSAGING_WEBHOOK_DRAINS_COALESCE = bool(REDIS_URL)
# The customer list's count may take this long inside the page; past it the page is sent
# and fetches the count afterwards, which may take up to the timeout.
CUSTOMER_LIST_COUNT_BUDGET_MS = env.int("CUSTOMER_LIST_COUNT_BUDGET_MS", default=20)
CUSTOMER_LIST_COUNT_TIMEOUT_MS = env.int("CUSTOMER_LIST_COUNT_TIMEOUT_MS", default=5000)
# A count that ran out of its budget is not tried inside the page again for this long
# (same user, same filters): the page comes at once and the count right after it.
CUSTOMER_LIST_SLOW_COUNT_SECONDS = env.int("CUSTOMER_LIST_SLOW_COUNT_SECONDS", default=600)
# How often the navigation's unread badge asks for news (seconds).
CONVERSATIONS_BADGE_POLL_SECONDS = env.int("CONVERSATIONS_BADGE_POLL_SECONDS", default=10)
# Sends per second per sender number, shared by all workers (token bucket in Redis).
MESSAGING_SEND_RATE_PER_SECOND = env.float("MESSAGING_SEND_RATE_PER_SECOND", default=1.0)
MESSAGING_SEND_BURST = env.float("MESSAGING_SEND_BURST", default=1.0)
# The retry policy of background work (catalog/background.py): attempts and backoff.
TASK_MAX_RETRIES = 6
TASK_RETRY_BASE_SECONDS = 5
TASK_RETRY_MAX_SECONDS = 600
# A send still "sending" after this long lost its worker; it is reconciled, never resent.
MESSAGING_SENDING_STALE_SECONDS = 300
# A message still "queued" after this long lost its task (a Redis restart): it is queued again.
MESSAGING_QUEUED_STALE_SECONDS = 15 * 60
MESSAGING_UNKNOWN_GIVE_UP_SECONDS = 3600
TWILIO_HTTP_TIMEOUT = env.float("TWILIO_HTTP_TIMEOUT", default=10.0)
TWILIO_HTTP_CONNECT_TIMEOUT = 5.0
META_HTTP_TIMEOUT = env.float("META_HTTP_TIMEOUT", default=10.0)  # WhatsApp Cloud API (Graph)
META_HTTP_CONNECT_TIMEOUT = 5.0
LOGGING["loggers"]["twilio.http_client"] = {"level": "WARNING"}  # one INFO line per header otherwise

# Web push (docs/pwa.md): the VAPID key pair in base64url (the raw 32-byte private key; the
# public key as an uncompressed point). Unset, push is off and the unread badge tells alone.
PUSH_VAPID_PRIVATE_KEY = os.environ.get("PUSH_VAPID_PRIVATE_KEY", "")  # as written, like SECRET_KEY
PUSH_VAPID_PUBLIC_KEY = env("PUSH_VAPID_PUBLIC_KEY", default="")
PUSH_VAPID_SUBJECT = env("PUSH_VAPID_SUBJECT", default="mailto:atelier@localhost")
PUSH_HTTP_TIMEOUT = env.float("PUSH_HTTP_TIMEOUT", default=10.0)
# How long a push service keeps a notification for a device that is off (seconds).
PUSH_TTL_SECONDS = env.int("PUSH_TTL_SECONDS", default=4 * 3600)
# Part of the service worker's cache name with the app shell's hash: a new value retires
# every device's cached copy.
PWA_CACHE_VERSION = env("PWA_CACHE_VERSION", default="1")

# Carts
# Payment provider for remote carts, like Django's email backends: "demo" (offline pay
# page) | "adyen" (Pay by Link), or a dotted path to a carts.payments PaymentProvider.
CARTS_PAYMENT_PROVIDER = env("CARTS_PAYMENT_PROVIDER", default="demo")
# The demo provider signs its notifications with its account's random key, or this one.
CARTS_DEMO_HMAC_KEY = os.environ.get("CARTS_DEMO_HMAC_KEY", "")
CARTS_PROVIDER_TIMEOUT = env.int("CARTS_PROVIDER_TIMEOUT", default=10)
CELERY_BEAT_SCHEDULE["expire-remote-carts"] = {
    "task": "carts.tasks.carts_expire_due",
    "schedule": 5 * 60,
}
CELERY_BEAT_SCHEDULE["requeue-payment-events"] = {
    "task": "carts.tasks.payment_events_requeue_stale",
    "schedule": 10 * 60,
}
# Apps above carts (docs/insights.md, docs/appointments.md, docs/api.md).
CELERY_BEAT_SCHEDULE["fit-customer-measures"] = {
    "task": "clienteling.tasks.customer_measures_fit",
    "schedule": 24 * 60 * 60,
}
# Public booking pages: bookings (and moves, cancels) an address or a contact may make an hour.
BOOKINGS_PER_HOUR = env.int("BOOKINGS_PER_HOUR", default=5)
CELERY_BEAT_SCHEDULE["send-appointment-reminders"] = {
    "task": "appointments.tasks.appointment_reminders_send_due",
    "schedule": 5 * 60,
}
CELERY_BEAT_SCHEDULE["build-action-feeds"] = {
    "task": "insights.tasks.action_feeds_build_due",
    "schedule": 15 * 60,
}
CELERY_BEAT_SCHEDULE["credit-new-sales"] = {
    "task": "insights.tasks.sale_credits_assign_due",
    "schedule": 5 * 60,
}
CELERY_BEAT_SCHEDULE["import_jobs_requeue_stale"] = {
    "task": "imports.tasks.import_jobs_requeue_stale",
    "schedule": 10 * 60,
}
CELERY_BEAT_SCHEDULE["retry-outbound-webhooks"] = {
    "task": "api.tasks.webhook_deliveries_retry_due",
    "schedule": 60,
}

# Integration API (docs/api.md): API keys only (no session, no browsable API), JSON in and out.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Atelier API",
    "DESCRIPTION": "Bulk upserts keyed by external id, reads with cursor paging, outbound webhooks.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",  # served from static (drf_spectacular_sidecar), never a CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
API_MAX_BATCH = 1000  # records per bulk request
API_IDEMPOTENCY_HOURS = env.int("API_IDEMPOTENCY_HOURS", default=24)
API_WEBHOOK_TIMEOUT = env.int("API_WEBHOOK_TIMEOUT", default=10)
API_WEBHOOK_MAX_ATTEMPTS = env.int("API_WEBHOOK_MAX_ATTEMPTS", default=8)

# Ops (docs/operations.md): heartbeats, metrics, doctor.
CELERY_BEAT_SCHEDULE["ops-heartbeat"] = {"task": "ops.tasks.heartbeat", "schedule": 60}
OPS_HEARTBEAT_SECONDS = env.int("OPS_HEARTBEAT_SECONDS", default=60)  # each worker's own stamp
# /metrics answers these addresses (REMOTE_ADDR: the scraper's, not through the proxy) or a
# request with "Authorization: Bearer <METRICS_TOKEN>"; anything else gets a 404.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")  # as written, like SECRET_KEY
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])
# How long doctor waits for a worker's ping and for each webhook address.
DOCTOR_TIMEOUT_SECONDS = env.float("DOCTOR_TIMEOUT_SECONDS", default=2.0)
