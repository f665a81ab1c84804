"""Production: PostgreSQL, Redis, HTTPS behind a TLS-terminating proxy.

Starting refuses a configuration that would run but be wrong: no database or Redis,
a missing or default secret, no encryption keys, no public address, or the offline
providers that only pretend to send texts and take payments. `collectstatic`, a build
step, runs without any of them.
"""

import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

from .base import *  # noqa: F403
from .base import DATABASES, INSTALLED_APPS, LOGGING, MESSAGING_PROVIDERS, MIDDLEWARE, env

DEBUG = False

_DEFAULT_SECRET_KEY = "insecure-dev-key-change-me-0123456789abcdefghijklmnop"
_GENERATE_KEYS = (
    'generate with: python -c "from django.core.management.utils import get_random_secret_key; '
    'print(get_random_secret_key())" (SECRET_KEY) and python -c "from cryptography.fernet import '
    'Fernet; print(Fernet.generate_key().decode())" (FIELD_ENCRYPTION_KEYS)'
)


# `collectstatic` is a build step (an image build, a buildpack): it reads and writes files
# and needs none of the secrets and services the running processes refuse to start without.
_BUILD_STEP = sys.argv[1:2] == ["collectstatic"]


def _refuse(message: str):
    if not _BUILD_STEP:
        raise ImproperlyConfigured(f"Production settings: {message}. See README, 'Deploy'.")


SECRET_KEY = os.environ.get("SECRET_KEY", "")  # as written, like base
if not SECRET_KEY or SECRET_KEY == _DEFAULT_SECRET_KEY or len(SECRET_KEY) < 50:
    _refuse(f"SECRET_KEY must be set to a random value of 50 characters or more; {_GENERATE_KEYS}")
    SECRET_KEY = get_random_secret_key()  # a build step signs nothing
FIELD_ENCRYPTION_KEYS = [key for key in env.list("FIELD_ENCRYPTION_KEYS", default=[]) if key.strip()]
ALLOW_DERIVED_ENCRYPTION_KEY = False
if not FIELD_ENCRYPTION_KEYS:
    _refuse(f"FIELD_ENCRYPTION_KEYS must hold at least one Fernet key; {_GENERATE_KEYS}")
if not env("DATABASE_URL", default="") or DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    _refuse("DATABASE_URL must point at PostgreSQL (postgres://user:password@host:5432/name)")
if not env("REDIS_URL", default=""):
    _refuse("REDIS_URL must point at Redis, the Celery broker and the shared cache")
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="")
if not PUBLIC_BASE_URL.startswith("https://"):
    _refuse("PUBLIC_BASE_URL must be the https:// address customers and providers reach")

# Texts go through Twilio unless told otherwise; the demo provider only records them.
MESSAGING_PROVIDERS = {
    "sms": env("MESSAGING_SMS_PROVIDER", default="twilio"),
    "whatsapp": env("MESSAGING_WHATSAPP_PROVIDER", default="twilio"),
    "email": MESSAGING_PROVIDERS["email"],
}
if "demo" in MESSAGING_PROVIDERS.values():
    _refuse("the demo messaging provider only records messages; use twilio (MESSAGING_*_PROVIDER)")
CARTS_PAYMENT_PROVIDER = env("CARTS_PAYMENT_PROVIDER", default="adyen")
if CARTS_PAYMENT_PROVIDER == "demo":
    _refuse("the demo payment provider approves any payment; use CARTS_PAYMENT_PROVIDER=adyen")

# Provider credentials only ever go to the provider's own hosts.
PROVIDER_TEST_DOUBLES = False
# The demo data and the benchmarks (with their scratch-data commands) stay out of production.
INSTALLED_APPS = [app for app in INSTALLED_APPS if app not in ("demo", "bench")]
# Static files served by the app itself, compressed and cache-busted: right after the
# security middleware, as WhiteNoise asks.
_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1
MIDDLEWARE = [*MIDDLEWARE[:_security], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[_security:]]

# Query counts, durations and errors per database in /metrics (docs/operations.md): the same
# PostgreSQL backend, counted by django-prometheus. DATABASE_METRICS=0 turns it off.
if env.bool("DATABASE_METRICS", default=True):
    for _database in DATABASES.values():
        if _database["ENGINE"] == "django.db.backends.postgresql":
            _database["ENGINE"] = "django_prometheus.db.backends.postgresql"

# One JSON object a line, for the log collector: time, level, logger, message and the
# request id (ops/request_id.py), plus whatever a line adds (status_code, task ids...).
# The workers log the same way: Celery leaves the root logger to these settings.
LOGGING = {
    **LOGGING,
    "formatters": {
        **LOGGING["formatters"],
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {**LOGGING["handlers"], "stream": {**LOGGING["handlers"]["stream"], "formatter": "json"}},
}
if env.bool("LOG_PLAIN", default=False):  # a person reading a terminal
    LOGGING["handlers"]["stream"]["formatter"] = "plain"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# The load balancer's health checks come over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="atelier@localhost")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
