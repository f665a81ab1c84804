"""Faults on more than one process: workers killed, Redis restarted, PostgreSQL connections cut.

Each test runs real Celery workers (tests/celery_worker.py) on PostgreSQL and Redis, and
the real provider SDKs against the loopback fakes (tests/fakes/).
"""

import uuid
from contextlib import contextmanager

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from clienteling.models import Channel, ConsentState, Customer, CustomerConsent
from tests.carts.conftest import conversation, demo_account, shared, shop, two_coats_cart  # noqa: F401 (fixtures)
from tests.celery_worker import ROOT
from tests.conversations.conftest import PUBLIC, fake_twilio, messaging, twilio  # noqa: F401 (fixtures)

FAULTS = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis"),
    pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
                       reason="needs PostgreSQL: workers share the test database, tests hold its row locks"),
]


@pytest.fixture
def worker_env(monkeypatch):
    # A worker reads its settings from the environment, not from this process.
    monkeypatch.setenv("MESSAGING_SMS_PROVIDER", "twilio")
    monkeypatch.setenv("MESSAGING_WHATSAPP_PROVIDER", "twilio")
    monkeypatch.setenv("PUBLIC_BASE_URL", PUBLIC)


def many_customers(entity, count: int, *, store=None, opted_in_every: int = 1) -> list[int]:
    """`count` customers made in two statements, every `opted_in_every`-th opted in to texts;
    their ids, in order."""
    customers = Customer.objects.bulk_create(
        Customer(legal_entity=entity, home_store=store, first_name=f"Client{n}", last_name="Fault",
                 phone=f"+1646{5550000 + n}") for n in range(count))
    now = timezone.now()
    CustomerConsent.objects.bulk_create(
        CustomerConsent(customer=customer, channel=Channel.SMS, state=ConsentState.OPTED_IN, changed_at=now,
                        source=CustomerConsent.Source.KEYWORD) for customer in customers[::opted_in_every])
    return [customer.pk for customer in customers]


@contextmanager
def row_locked(sql: str, *params):
    """Hold a row lock from another session (`SELECT ... FOR UPDATE`): whoever needs the row
    waits there, so a test can catch a worker at a known point in the middle of its work."""
    db = connection.settings_dict
    with psycopg.connect(dbname=db["NAME"], user=db.get("USER") or "postgres",
                         host=db.get("HOST") or "127.0.0.1", port=db.get("PORT") or 5432,
                         password=db.get("PASSWORD") or None) as other:
        with other.transaction():
            assert other.execute(sql, params).fetchall(), "nothing to lock"
            yield other


def blocked_by(holder) -> list[int]:
    """The sessions waiting for a lock that `holder` (a row_locked session) holds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
                       [holder.info.backend_pid])
        return [pid for (pid,) in cursor.fetchall()]


def ended(pids: list[int]) -> bool:
    """None of these sessions is left (a dead worker's ends once it has nothing to wait for)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [pids])
        return cursor.fetchone()[0] == 0


def waiting_on_a_lock() -> bool:
    """Some session of the test database waits for a lock (a worker reached the held row)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0] > 0


def new_queue() -> str:
    """A queue name for the workers of one test: a worker started again takes the same one."""
    return f"atelier-test-{uuid.uuid4().hex[:8]}"


def worker_log(queue: str) -> str:
    """What the (last) worker of `queue` taking every workload has logged."""
    return (ROOT / "var" / f"worker-{queue}-all.log").read_text()
