"""`python manage.py doctor`: what is wrong with this installation, and how to fix it.

Each check returns a `Finding` (ok, warning, problem or skipped) with what it saw and,
when something is wrong, the fix. A problem makes the command exit non-zero; a warning
does not. Secrets are never printed: a credential is "set" or "missing", an account is
shown by its name and the first characters of its public id.
"""

import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

import redis
import requests
from celery import current_app
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils.translation import gettext as _

from catalog.background import beat_period, queue_names

from . import probes, selectors

OK, WARNING, PROBLEM, SKIPPED = "ok", "warning", "problem", "skipped"
DEFAULT_SECRET_KEY = "insecure-dev-key-change-me-0123456789abcdefghijklmnop"
HEARTBEAT_TASK = "ops.tasks.heartbeat"
# A heartbeat this many periods old means its beater stopped.
MISSED_BEATS = 3


@dataclass
class Finding:
    name: str
    status: str
    message: str
    fix: str = ""
    details: list[str] = field(default_factory=list)


@dataclass
class State:
    """What several checks need to know about the ones before them."""

    database: bool = False
    broker: bool | None = None


def settings_module() -> str:
    # The `settings` fixture of the tests wraps the settings in an override without a module name.
    return settings.SETTINGS_MODULE or os.environ.get("DJANGO_SETTINGS_MODULE", "")


def in_production() -> bool:
    return settings_module().endswith(".production")


def check_database(state: State) -> Finding:
    connection = connections[DEFAULT_DB_ALIAS]
    state.database = probes.database_ok()
    if not state.database:
        return Finding(
            "database",
            PROBLEM,
            _("The database does not answer (%(vendor)s).") % {"vendor": connection.vendor},
            _(
                "Check DATABASE_URL (postgres://user:password@host:5432/name) and that the server runs and "
                "accepts connections from this host."
            ),
        )
    return Finding(
        "database",
        OK,
        _("The database answers (%(vendor)s, %(name)s).")
        % {"vendor": connection.vendor, "name": connection.settings_dict.get("NAME")},
    )


def check_migrations(state: State) -> Finding:
    if not state.database:
        return Finding("migrations", SKIPPED, _("Not checked: the database does not answer."))
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        return Finding(
            "migrations",
            PROBLEM,
            _("The migrations could not be read: %(error)s") % {"error": str(error).splitlines()[0]},
            _("Check the database user's rights."),
        )
    if plan:
        names = [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
        return Finding(
            "migrations",
            PROBLEM,
            _("%(count)d migrations are not applied.") % {"count": len(names)},
            _("Run: python manage.py migrate"),
            names[:10] + ([_("… and %(count)d more") % {"count": len(names) - 10}] if names[10:] else []),
        )
    return Finding("migrations", OK, _("Every migration is applied."))


def check_redis(state: State) -> Finding:
    if not settings.REDIS_URL:
        state.broker = None
        return Finding(
            "redis",
            SKIPPED,
            _(
                "No REDIS_URL: the embedded default (per-process cache, broker "
                "in files under var/). Production needs Redis."
            ),
        )
    reachable = probes.redis_ok()
    broker = settings.CELERY_BROKER_URL
    state.broker = (
        reachable
        if broker == settings.REDIS_URL
        else bool(not broker.startswith(("redis://", "rediss://")) or probes.redis_ok(broker))
    )
    if not reachable:
        return Finding(
            "redis",
            PROBLEM,
            _("Redis does not answer at %(address)s.") % {"address": _redis_address(settings.REDIS_URL)},
            _(
                "Check REDIS_URL (redis://host:6379/0) and that Redis runs; the cache, the task queue and "
                "the send rate limits all live there."
            ),
        )
    return Finding(
        "redis", OK, _("Redis answers at %(address)s.") % {"address": _redis_address(settings.REDIS_URL)}
    )


def _redis_address(url: str) -> str:
    """Host, port and database of a Redis URL, without its password."""
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 6379}{parts.path or ''}"


def celery_ping(timeout: float) -> dict[str, set[str]]:
    """The workers that answer, each with the queues it consumes."""
    app = current_app
    answers = app.control.ping(timeout=timeout) or []
    workers = {name for answer in answers for name in answer}
    if not workers:
        return {}
    active = app.control.inspect(destination=sorted(workers), timeout=timeout).active_queues() or {}
    return {name: {queue["name"] for queue in active.get(name, [])} for name in workers}


def check_workers(state: State) -> Finding:
    if state.broker is False:
        return Finding("workers", SKIPPED, _("Not checked: the task broker (Redis) does not answer."))
    try:
        workers = celery_ping(settings.DOCTOR_TIMEOUT_SECONDS)
    except (redis.RedisError, OSError) as error:
        return Finding(
            "workers",
            PROBLEM,
            _("The task broker could not be reached: %(error)s") % {"error": error},
            _("Check CELERY_BROKER_URL / REDIS_URL."),
        )
    if not workers:
        return Finding(
            "workers",
            PROBLEM,
            _("No Celery worker answered within %(seconds)s s.")
            % {"seconds": settings.DOCTOR_TIMEOUT_SECONDS},
            _(
                "Start the workers (Procfile: worker and background): celery -A config worker ...; queued "
                "sends, payments and sweeps wait until one runs."
            ),
        )
    expected = set(queue_names(settings.CELERY_TASK_DEFAULT_QUEUE))
    consumed = set().union(*workers.values())
    details = [f"{name}: {', '.join(sorted(queues)) or '-'}" for name, queues in sorted(workers.items())]
    if missing := sorted(expected - consumed):
        return Finding(
            "workers",
            PROBLEM,
            _("%(count)d workers answer, but no worker takes these queues: %(queues)s.")
            % {"count": len(workers), "queues": ", ".join(missing)},
            _(
                "Start the Procfile's missing worker (worker: the short work and the default queue; "
                "background: bulk and sweeps): tasks on those queues wait forever."
            ),
            details,
        )
    return Finding(
        "workers",
        OK,
        _("%(count)d workers answer and every queue is taken.") % {"count": len(workers)},
        details=details,
    )


def check_heartbeats(state: State) -> list[Finding]:
    if not state.database:
        return [Finding("heartbeats", SKIPPED, _("Not checked: the database does not answer."))]
    beats = selectors.heartbeats()
    period = beat_period(HEARTBEAT_TASK) or 60.0
    findings = []
    beat = beats["beat"][0] if beats["beat"] else None
    beat_fix = _(
        "Run beat, once (Procfile: beat: celery -A config beat), and the background worker that "
        "takes the sweeps queue: beat's heartbeat task runs there every minute."
    )
    if beat is None:
        findings.append(Finding("beat", PROBLEM, _("Beat's heartbeat never ran."), beat_fix))
    elif beat.age_seconds > MISSED_BEATS * period:
        findings.append(
            Finding(
                "beat",
                PROBLEM,
                _("Beat's last heartbeat is %(age)s old (expected every %(period)d s).")
                % {"age": _age(beat.age_seconds), "period": period},
                beat_fix,
            )
        )
    else:
        findings.append(
            Finding(
                "beat",
                OK,
                _("Beat's last heartbeat: %(age)s ago, run by %(host)s.")
                % {"age": _age(beat.age_seconds), "host": beat.hostname or "-"},
            )
        )
    limit = MISSED_BEATS * settings.OPS_HEARTBEAT_SECONDS
    fresh = [worker for worker in beats["workers"] if worker.age_seconds <= limit]
    details = [f"{worker.hostname}: {_age(worker.age_seconds)}" for worker in beats["workers"][:20]]
    if not fresh:
        findings.append(
            Finding(
                "worker heartbeats",
                PROBLEM,
                _("No worker's heartbeat in the last %(age)s.") % {"age": _age(limit)},
                _("Start the workers (Procfile: worker and background)."),
                details,
            )
        )
    else:
        findings.append(
            Finding(
                "worker heartbeats",
                OK,
                _("%(count)d workers beat in the last %(age)s.") % {"count": len(fresh), "age": _age(limit)},
                details=details,
            )
        )
    return findings


def _age(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 2 * 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


def _secret_state(value) -> str:
    return _("set") if value else _("missing")


def check_providers(state: State) -> list[Finding]:
    findings = []
    if state.database:
        try:
            findings += _messaging_findings() + [_payment_finding()]
        except ImproperlyConfigured as error:  # a stored secret that the keys cannot decrypt
            findings.append(
                Finding(
                    "provider accounts",
                    PROBLEM,
                    str(error),
                    _(
                        "Put the key the secrets were encrypted with back into "
                        "FIELD_ENCRYPTION_KEYS (the new key first, the old ones after it)."
                    ),
                )
            )
    else:
        findings.append(
            Finding("provider accounts", SKIPPED, _("Not checked: the database does not answer."))
        )
    findings += [_email_finding(), _push_finding()]
    return findings


def _messaging_findings() -> list[Finding]:
    from conversations.models import MetaWhatsAppAccount
    from conversations.providers.addresses import active_twilio_account

    findings = []
    providers = settings.MESSAGING_PROVIDERS
    for channel in ("sms", "whatsapp"):
        name = providers.get(channel, "")
        label = f"{channel} ({name})"
        if name == "demo":
            status = PROBLEM if in_production() else OK
            findings.append(
                Finding(
                    label,
                    status,
                    _("The demo provider records texts and sends nothing."),
                    _("Set MESSAGING_%(channel)s_PROVIDER=twilio and add a Twilio account in the admin.")
                    % {"channel": channel.upper()}
                    if status == PROBLEM
                    else "",
                )
            )
        elif name == "twilio":
            account = active_twilio_account()
            if account is None or not account.account_sid or not account.auth_token:
                findings.append(
                    Finding(
                        label,
                        PROBLEM,
                        _("No active Twilio account with its SID and auth token."),
                        _("Admin > Twilio accounts: add the Account SID and Auth Token."),
                    )
                )
            else:
                findings.append(
                    Finding(
                        label,
                        OK,
                        _("Twilio account %(account)s: auth token %(token)s.")
                        % {"account": str(account), "token": _secret_state(account.auth_token)},
                    )
                )
        elif name == "meta":
            accounts = list(MetaWhatsAppAccount.objects.filter(active=True).order_by("pk")[:20])
            incomplete = [
                account for account in accounts if not (account.access_token and account.app_secret)
            ]
            if not accounts or incomplete:
                findings.append(
                    Finding(
                        label,
                        PROBLEM,
                        _("No active WhatsApp (Meta) account with its access token and app secret."),
                        _("Admin > WhatsApp accounts (Meta): set the access token and app secret."),
                        [str(account) for account in incomplete],
                    )
                )
            else:
                findings.append(
                    Finding(
                        label,
                        OK,
                        _("%(count)d WhatsApp (Meta) accounts, tokens set.") % {"count": len(accounts)},
                        details=[str(account) for account in accounts],
                    )
                )
        else:
            findings.append(
                Finding(label, SKIPPED, _("A provider of your own: its credentials are not checked."))
            )
    return findings


def _payment_finding() -> Finding:
    from carts.models import PaymentProviderAccount

    name = settings.CARTS_PAYMENT_PROVIDER or "demo"
    label = f"payments ({name})"
    if name == "demo":
        status = PROBLEM if in_production() else OK
        return Finding(
            label,
            status,
            _("The demo payment provider approves any payment."),
            _("Set CARTS_PAYMENT_PROVIDER=adyen and add its account in the admin.")
            if status == PROBLEM
            else "",
        )
    if name != "adyen":
        return Finding(label, SKIPPED, _("A provider of your own: its credentials are not checked."))
    account = PaymentProviderAccount.objects.filter(provider="adyen", active=True).order_by("pk").first()
    if account is None or not (account.api_key and account.hmac_key and account.merchant_account):
        return Finding(
            label,
            PROBLEM,
            _("No active Adyen account with its merchant account, API key and HMAC key."),
            _("Admin > Payment provider accounts: add the Adyen account."),
        )
    return Finding(
        label,
        OK,
        _("Adyen merchant account %(merchant)s (%(environment)s): API key %(api)s, HMAC key %(hmac)s.")
        % {
            "merchant": account.merchant_account,
            "environment": account.environment,
            "api": _secret_state(account.api_key),
            "hmac": _secret_state(account.hmac_key),
        },
    )


def _email_finding() -> Finding:
    backend = settings.EMAIL_BACKEND
    if settings.MESSAGING_PROVIDERS.get("email") != "email" or not backend.endswith("smtp.EmailBackend"):
        return Finding(
            "email", OK, _("Email goes through %(backend)s.") % {"backend": backend.rsplit(".", 2)[-2]}
        )
    detail = _("SMTP %(host)s:%(port)s, user %(user)s, password %(password)s, from %(sender)s.") % {
        "host": settings.EMAIL_HOST,
        "port": settings.EMAIL_PORT,
        "user": _secret_state(settings.EMAIL_HOST_USER),
        "password": _secret_state(settings.EMAIL_HOST_PASSWORD),
        "sender": settings.MESSAGING_EMAIL_FROM or settings.DEFAULT_FROM_EMAIL,
    }
    if in_production() and settings.EMAIL_HOST in ("", "localhost", "127.0.0.1"):
        return Finding(
            "email",
            PROBLEM,
            detail,
            _(
                "Set EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER and "
                "EMAIL_HOST_PASSWORD to your mail provider's SMTP relay."
            ),
        )
    return Finding("email", OK, detail)


def _push_finding() -> Finding:
    private, public = settings.PUSH_VAPID_PRIVATE_KEY, settings.PUSH_VAPID_PUBLIC_KEY
    if private and public:
        return Finding(
            "web push",
            OK,
            _("VAPID keys set; subject %(subject)s.") % {"subject": settings.PUSH_VAPID_SUBJECT},
        )
    if private or public:
        return Finding(
            "web push",
            PROBLEM,
            _("Only one of the VAPID keys is set."),
            _("Set both PUSH_VAPID_PRIVATE_KEY and PUSH_VAPID_PUBLIC_KEY (docs/pwa.md), or neither."),
        )
    return Finding(
        "web push",
        WARNING,
        _("No VAPID keys: push notifications are off."),
        _("Optional: set PUSH_VAPID_PRIVATE_KEY and PUSH_VAPID_PUBLIC_KEY (docs/pwa.md)."),
    )


def webhook_urls() -> list[tuple[str, str]]:
    """(what, path) of every webhook the providers in use call."""
    from carts.payments import provider_name

    urls = []
    providers = set(settings.MESSAGING_PROVIDERS.values())
    if "twilio" in providers:
        urls += [("twilio messages", reverse("twilio_messages")), ("twilio status", reverse("twilio_status"))]
    if "meta" in providers:
        urls.append(("meta whatsapp", reverse("meta_whatsapp")))
    name = provider_name()
    urls.append((f"{name} payments", reverse("carts_public:notify", kwargs={"provider": name})))
    return urls


def check_webhooks(state: State) -> list[Finding]:
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    if not base:
        return [
            Finding(
                "webhooks",
                SKIPPED,
                _("PUBLIC_BASE_URL is not set: the providers' webhook addresses are not checked."),
            )
        ]
    findings = []
    for what, path in webhook_urls():
        url = base + path
        try:
            response = requests.head(url, timeout=settings.DOCTOR_TIMEOUT_SECONDS, allow_redirects=False)
            if response.status_code == 405:  # HEAD not allowed: a GET reaches the same view
                response = requests.get(url, timeout=settings.DOCTOR_TIMEOUT_SECONDS, allow_redirects=False)
        except requests.RequestException as error:
            findings.append(
                Finding(
                    f"webhook {what}",
                    PROBLEM,
                    _("%(url)s cannot be reached: %(error)s") % {"url": url, "error": type(error).__name__},
                    _("Providers post to this address: check DNS, the proxy and TLS for PUBLIC_BASE_URL."),
                )
            )
            continue
        if response.status_code == 404 or response.status_code >= 500:
            findings.append(
                Finding(
                    f"webhook {what}",
                    PROBLEM,
                    _("%(url)s answers %(status)d.") % {"url": url, "status": response.status_code},
                    _("The proxy must pass this path to Atelier's web processes."),
                )
            )
        else:
            findings.append(
                Finding(
                    f"webhook {what}",
                    OK,
                    _("%(url)s answers (%(status)d).") % {"url": url, "status": response.status_code},
                )
            )
    return findings


def check_settings(state: State) -> list[Finding]:
    production = in_production()
    findings = []
    severity = PROBLEM if production else WARNING
    if settings.DEBUG:
        findings.append(
            Finding(
                "DEBUG",
                severity,
                _("DEBUG is on: error pages show settings and code."),
                _("Unset DEBUG (or DEBUG=0)."),
            )
        )
    if settings.SECRET_KEY == DEFAULT_SECRET_KEY or len(settings.SECRET_KEY) < 50:
        findings.append(
            Finding(
                "SECRET_KEY",
                severity,
                _("SECRET_KEY is the development default or too short."),
                _("Set SECRET_KEY to a random value of 50 characters or more."),
            )
        )
    keys = [key for key in settings.FIELD_ENCRYPTION_KEYS if key.strip()]
    bad_keys = []
    for position, key in enumerate(keys, 1):
        try:
            Fernet(key)
        except ValueError:
            bad_keys.append(str(position))
    if bad_keys:
        findings.append(
            Finding(
                "FIELD_ENCRYPTION_KEYS",
                PROBLEM,
                _("Keys number %(keys)s are not Fernet keys.") % {"keys": ", ".join(bad_keys)},
                _(
                    'Generate one with: python -c "from cryptography.fernet import '
                    'Fernet; print(Fernet.generate_key().decode())"'
                ),
            )
        )
    elif not keys:
        findings.append(
            Finding(
                "FIELD_ENCRYPTION_KEYS",
                severity,
                _("No encryption keys: provider secrets are encrypted with a key derived from SECRET_KEY."),
                _("Set FIELD_ENCRYPTION_KEYS to one or more Fernet keys."),
            )
        )
    hosts = settings.ALLOWED_HOSTS
    if not hosts or "*" in hosts:
        findings.append(
            Finding(
                "ALLOWED_HOSTS",
                severity,
                _("ALLOWED_HOSTS is empty or allows any host."),
                _("Set ALLOWED_HOSTS to the site's host names (comma separated)."),
            )
        )
    public_host = urlsplit(settings.PUBLIC_BASE_URL).hostname if settings.PUBLIC_BASE_URL else None
    if public_host and hosts and not _host_allowed(public_host, hosts):
        findings.append(
            Finding(
                "ALLOWED_HOSTS",
                PROBLEM,
                _(
                    "PUBLIC_BASE_URL's host %(host)s is not in "
                    "ALLOWED_HOSTS: customers' links and webhooks get a 400."
                )
                % {"host": public_host},
                _("Add it to ALLOWED_HOSTS."),
            )
        )
    if production and not settings.SECURE_SSL_REDIRECT:
        findings.append(
            Finding(
                "SECURE_SSL_REDIRECT",
                WARNING,
                _("Plain HTTP is not redirected to HTTPS."),
                _("Unset SECURE_SSL_REDIRECT unless the proxy redirects itself."),
            )
        )
    if not findings:
        findings.append(
            Finding("settings", OK, _("DEBUG off, secret key, encryption keys and ALLOWED_HOSTS look right."))
        )
    return findings


def _host_allowed(host: str, allowed: list[str]) -> bool:
    for pattern in allowed:
        if pattern == host or (pattern.startswith(".") and (host == pattern[1:] or host.endswith(pattern))):
            return True
    return False


CHECKS: list[Callable[[State], Finding | list[Finding]]] = [
    check_database,
    check_migrations,
    check_redis,
    check_workers,
    check_heartbeats,
    check_providers,
    check_webhooks,
    check_settings,
]


def diagnose() -> list[Finding]:
    """Every check, in order; each may rely on what the ones before it found."""
    state = State()
    findings = []
    for check in CHECKS:
        try:
            result = check(state)
        except DatabaseError as error:  # a table its migration did not make yet, a lost connection
            result = Finding(
                check.__name__.removeprefix("check_"),
                PROBLEM,
                _("The database could not answer this check: %(error)s")
                % {"error": str(error).splitlines()[0]},
                _("Run: python manage.py migrate (and check the database user's rights)."),
            )
        findings += result if isinstance(result, list) else [result]
    return findings


def as_json(findings: list[Finding]) -> dict:
    return {
        "ok": not any(finding.status == PROBLEM for finding in findings),
        "settings": settings_module(),
        "checks": [asdict(finding) for finding in findings],
    }
