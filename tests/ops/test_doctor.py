"""`manage.py doctor`: healthy and broken installations, what it prints, and its exit code."""

import json
import socket
import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from catalog.background import queue_names
from conversations.models import TwilioAccount
from ops import doctor
from ops import services as ops_services
from ops.models import Heartbeat
from ops.tasks import heartbeat
from tests.celery_worker import running_worker, wait_until

pytestmark = pytest.mark.django_db
SECRET_TOKEN = "twilio-auth-token-5f1e0c"  # noqa: S105  a test value
SMTP_PASSWORD = "smtp-password-8d2b"  # noqa: S105  a test value


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_doctor(*args) -> tuple[int, str]:
    """(exit code as the shell sees it, output)."""
    out = StringIO()
    try:
        call_command("doctor", *args, stdout=out)
    except CommandError as error:
        return 1, out.getvalue() + str(error)
    return 0, out.getvalue()


@pytest.fixture
def healthy(settings, monkeypatch):
    """Everything as it should be; a worker that takes every queue answers the ping."""
    settings.DEBUG = False
    settings.SECRET_KEY = "k" * 30 + uuid.uuid4().hex
    settings.PUBLIC_BASE_URL = ""
    settings.DOCTOR_TIMEOUT_SECONDS = 0.5
    every_queue = set(queue_names(settings.CELERY_TASK_DEFAULT_QUEUE))
    monkeypatch.setattr(doctor, "celery_ping", lambda timeout: {"worker@host": every_queue})
    ops_services.heartbeat_record(name="beat", hostname="background@host")
    ops_services.worker_heartbeat_record(hostname="worker@host")


def findings_by_name(output: str) -> dict[str, str]:
    data = json.loads(output[:output.rindex("}") + 1])
    return {check["name"]: check["status"] for check in data["checks"]}


def test_a_healthy_installation_exits_zero(healthy):
    code, output = run_doctor()

    assert code == 0, output
    assert "No problems found." in output
    assert "[ok]      database" in output
    assert "[ok]      migrations: Every migration is applied." in output
    assert "[ok]      workers: 1 workers answer and every queue is taken." in output
    assert "[ok]      beat: Beat's last heartbeat" in output
    assert "[skipped] webhooks: PUBLIC_BASE_URL is not set" in output
    assert "[PROBLEM]" not in output


def test_json_output_lists_every_check(healthy):
    code, output = run_doctor("--json")

    assert code == 0
    data = json.loads(output)
    assert data["ok"] is True
    statuses = {check["name"]: check["status"] for check in data["checks"]}
    assert statuses["database"] == "ok" and statuses["migrations"] == "ok" and statuses["workers"] == "ok"
    assert {"beat", "worker heartbeats", "email", "web push", "webhooks"} <= set(statuses)


def test_a_bad_redis_url_is_a_problem_with_its_fix(healthy, settings):
    url = f"redis://:hunter2secret@127.0.0.1:{closed_port()}/0"
    settings.REDIS_URL = url
    settings.CELERY_BROKER_URL = url

    code, output = run_doctor()

    assert code == 1
    assert "[PROBLEM] redis: Redis does not answer at 127.0.0.1:" in output
    assert "fix: Check REDIS_URL" in output
    assert "[skipped] workers: Not checked: the task broker (Redis) does not answer." in output
    assert "hunter2secret" not in output  # the URL's password is never printed
    assert "doctor found 1 problem." in output


def test_an_unapplied_migration_is_a_problem_naming_it(healthy):
    MigrationRecorder(connection).record_unapplied("ops", "0001_initial")

    code, output = run_doctor("--json")

    assert code == 1
    data = json.loads(output[:output.rindex("}") + 1])
    migrations = next(check for check in data["checks"] if check["name"] == "migrations")
    assert migrations["status"] == "problem"
    assert migrations["details"] == ["ops.0001_initial"]
    assert migrations["fix"] == "Run: python manage.py migrate"
    assert data["ok"] is False


def test_no_worker_answering_is_a_problem(healthy, settings, monkeypatch):
    monkeypatch.undo()  # the real ping: nobody listens on this test's queues
    settings.DOCTOR_TIMEOUT_SECONDS = 0.3
    settings.CELERY_TASK_DEFAULT_QUEUE = f"atelier-test-{uuid.uuid4().hex[:8]}"

    code, output = run_doctor()

    assert code == 1
    assert "[PROBLEM] workers: No Celery worker answered within 0.3 s." in output
    assert "fix: Start the workers" in output


def test_a_queue_no_worker_takes_is_a_problem(healthy, settings, monkeypatch):
    short_only = {f"{settings.CELERY_TASK_DEFAULT_QUEUE}.{name}" for name in ("inbound", "sends")}
    monkeypatch.setattr(doctor, "celery_ping", lambda timeout: {"worker@host": short_only})

    code, output = run_doctor()

    assert code == 1
    assert f"no worker takes these queues: {settings.CELERY_TASK_DEFAULT_QUEUE}, " in output
    assert f"{settings.CELERY_TASK_DEFAULT_QUEUE}.sweeps" in output


def test_old_heartbeats_are_problems(healthy):
    long_ago = timezone.now() - timedelta(minutes=10)
    ops_services.heartbeat_record(name="beat", hostname="background@host", at=long_ago)
    ops_services.heartbeat_record(name="worker:worker@host", hostname="worker@host", at=long_ago)

    code, output = run_doctor()

    assert code == 1
    assert "[PROBLEM] beat: Beat's last heartbeat is 10 min old (expected every 60 s)." in output
    assert "[PROBLEM] worker heartbeats: No worker's heartbeat in the last 3 min." in output
    assert "worker@host: 10 min" in output


def test_credentials_are_checked_and_never_printed(healthy, settings):
    settings.MESSAGING_PROVIDERS = {**settings.MESSAGING_PROVIDERS, "sms": "twilio"}
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = (
        "smtp.example.com", "mailer", SMTP_PASSWORD)
    settings.MESSAGING_PROVIDERS = {**settings.MESSAGING_PROVIDERS, "email": "email"}

    code, missing = run_doctor()
    assert code == 1
    assert "[PROBLEM] sms (twilio): No active Twilio account with its SID and auth token." in missing

    TwilioAccount.objects.create(account_sid="AC" + "1" * 32, auth_token=SECRET_TOKEN)
    code, output = run_doctor()

    assert code == 0, output
    assert "[ok]      sms (twilio): Twilio account Twilio (AC1111…): auth token set." in output
    assert "[ok]      email: SMTP smtp.example.com:" in output and "password set" in output
    assert SECRET_TOKEN not in output and SMTP_PASSWORD not in output


def test_debug_in_production_is_a_problem_elsewhere_a_warning(healthy, settings, monkeypatch):
    settings.DEBUG = True
    code, output = run_doctor()
    assert code == 0 and "[warning] DEBUG: DEBUG is on" in output

    monkeypatch.setattr(doctor, "in_production", lambda: True)
    code, output = run_doctor()
    assert code == 1 and "[PROBLEM] DEBUG: DEBUG is on" in output


def test_public_host_missing_from_allowed_hosts_is_a_problem(healthy, settings, monkeypatch):
    monkeypatch.setattr(doctor, "check_webhooks", lambda state: [])
    settings.PUBLIC_BASE_URL = "https://atelier.example.com"
    settings.ALLOWED_HOSTS = ["other.example.com"]

    code, output = run_doctor()

    assert code == 1
    assert ("[PROBLEM] ALLOWED_HOSTS: PUBLIC_BASE_URL's host atelier.example.com is not in ALLOWED_HOSTS"
            in output)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps migrations' rows
def test_webhook_addresses_are_reached_under_the_public_base_url(healthy, settings, live_server):
    settings.MESSAGING_PROVIDERS = {**settings.MESSAGING_PROVIDERS, "sms": "twilio"}
    TwilioAccount.objects.create(account_sid="AC" + "2" * 32, auth_token=SECRET_TOKEN)
    settings.PUBLIC_BASE_URL = live_server.url
    settings.ALLOWED_HOSTS = ["*"]

    code, output = run_doctor("--json")
    statuses = findings_by_name(output)

    assert statuses["webhook twilio messages"] == "ok"
    assert statuses["webhook twilio status"] == "ok"
    assert statuses["webhook demo payments"] == "ok"

    settings.PUBLIC_BASE_URL = f"http://127.0.0.1:{closed_port()}"
    code, output = run_doctor()
    assert code == 1
    assert "[PROBLEM] webhook twilio messages: http://127.0.0.1:" in output
    assert "cannot be reached: ConnectionError" in output


@pytest.mark.integration
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps migrations' rows
def test_a_real_worker_and_beats_heartbeat_make_a_healthy_installation(settings, org):
    """PostgreSQL and Redis: a real worker answers the ping, takes every queue, stamps its heartbeat,
    and runs beat's heartbeat task."""
    settings.DEBUG = False
    settings.SECRET_KEY = "k" * 30 + uuid.uuid4().hex
    settings.PUBLIC_BASE_URL = ""
    queue = f"atelier-test-{uuid.uuid4().hex[:8]}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    with running_worker(queue=queue):
        heartbeat.delay()
        assert wait_until(lambda: "beat" in {row.name for row in Heartbeat.objects.all()})
        code, output = run_doctor()

    assert code == 0, output
    assert "[ok]      workers: 1 workers answer and every queue is taken." in output
    assert f"{queue}-all@" in output  # the worker's heartbeat, by its name
    assert "[ok]      beat: Beat's last heartbeat:" in output
