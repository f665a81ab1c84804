"""The message and webhook-event tables grow; the console's reads and the sweeps must not.

On PostgreSQL, volume is made in the database (INSERT ... SELECT generate_series) and
analysed, and the plans of the queries the views and jobs really send are read: on the big
tables an index scan bounded by its page or batch, never a sequential scan, and no higher
estimate when the table doubles. The webhook prune runs on every backend.
"""

import contextlib
import json
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.db import insert_once
from clienteling.models import Customer
from conversations import selectors, services, tasks
from conversations.models import Conversation, Message, WebhookEvent
from conversations.services import retention

from .conftest import STORE_A_SMS, post_signed

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="reads PostgreSQL's plans over volume made by generate_series")

THREADS = 2000
MESSAGES = 200_000
EVENTS = 300_000
LONG_THREADS = 20
INDEX_SCANS = {"Index Scan", "Index Only Scan"}
BY_INDEX = INDEX_SCANS | {"Bitmap Heap Scan"}  # a bitmap too reads only what its index finds


# --- plans -----------------------------------------------------------------------------


def walk(node):
    yield node
    for child in node.get("Plans", []):
        yield from walk(child)


def plan_of(queryset) -> dict:
    found = json.loads(queryset.explain(format="json"))
    return (found[0] if isinstance(found, list) else found)["Plan"]


def plan_of_sql(sql: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        found = cursor.fetchone()[0]
    return (json.loads(found) if isinstance(found, str) else found)[0]["Plan"]


def outline(plan) -> list[tuple]:
    return [(node["Node Type"], node.get("Relation Name"), node.get("Index Name"), node["Total Cost"])
            for node in walk(plan)]


def scans_of(plan, table: str) -> list[dict]:
    return [node for node in walk(plan) if node.get("Relation Name") == table]


def assert_bounded(plan, table: str, index: str):
    """Only index scans on `table`, by `index`, under a LIMIT: the page or batch bounds the work."""
    scans = scans_of(plan, table)
    assert scans and {node["Node Type"] for node in scans} <= INDEX_SCANS, outline(plan)
    assert {node["Index Name"] for node in scans} == {index}, outline(plan)
    assert plan["Node Type"] in ("Limit", "LockRows"), outline(plan)


def sent_sql(run, table: str) -> list[str]:
    """The SELECTs on `table` that `run` sends, whatever it writes undone."""
    with CaptureQueriesContext(connection) as queries, contextlib.suppress(_Undo):
        with transaction.atomic():
            run()
            raise _Undo
    return [query["sql"] for query in queries.captured_queries
            if query["sql"].startswith("SELECT") and f'FROM "{table}"' in query["sql"]]


class _Undo(Exception):
    """Raised inside the block to roll back what it wrote."""


# --- volume ----------------------------------------------------------------------------


def analyse(*tables):
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {table}")


@pytest.fixture
def threads(org, associate_a, manager):
    """2,000 threads in three stores: a quarter mine, a quarter a colleague's, half waiting."""
    stores = [org["store_a"], org["store_a2"], org["store_b"]]
    customers = Customer.objects.bulk_create([
        Customer(legal_entity=org["entity"], home_store=stores[n % 3], first_name=f"C{n}", last_name="Growth",
                 phone=f"+1212{n:07d}") for n in range(THREADS)])
    now = timezone.now()
    owners = [associate_a, manager, None, None]
    Conversation.objects.bulk_create([
        Conversation(customer=customer, store=stores[n % 3], channel="sms", assigned_to=owners[n % 4],
                     started_by=owners[n % 4], last_message_at=now - timedelta(minutes=n),
                     last_message_preview="Hello", unread_count=n % 5,
                     status=Conversation.Status.ARCHIVED if n % 10 == 0 else Conversation.Status.OPEN)
        for n, customer in enumerate(customers)])
    analyse("conversations_conversation", "clienteling_customer")
    return list(Conversation.objects.order_by("pk"))


def add_messages(count: int, *, older: bool = False):
    """`count` messages over the last two years, half of them in the first 20 threads (the
    long ones of regular clients), half over every thread; `older`: the two years before,
    redacted (the table two years later: the rows stay, their words are gone)."""
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO conversations_message (
                conversation_id, direction, kind, is_marketing, body, subject, media_urls,
                template_variables, content_sid, status, schedule_reason, error_code, error_message,
                provider_sid, idempotency_key, send_attempts, created_at, sent_at, redacted_at)
            SELECT t.ids[1 + (g / 2) %% CASE WHEN g %% 2 = 0 THEN t.n ELSE %(long)s END],
                   CASE WHEN g %% 3 = 0 THEN 'in' ELSE 'out' END, 'text', false,
                   CASE WHEN %(older)s THEN '' ELSE 'Your size is in, shall I keep it for you? ' || g END,
                   '', '[]', '{}', '', CASE WHEN g %% 3 = 0 THEN 'received' ELSE 'delivered' END,
                   '', '', '', 'SMG' || %(older)s || g, gen_random_uuid(), 1, m.ts, m.ts,
                   CASE WHEN %(older)s THEN now() END
            FROM generate_series(1, %(count)s) g
            CROSS JOIN (SELECT array_agg(id ORDER BY id) ids, count(*) n FROM conversations_conversation) t
            CROSS JOIN LATERAL (
                SELECT now() - CASE WHEN %(older)s THEN interval '730 days' ELSE interval '0' END
                       - (g::float / %(count)s) * interval '730 days' ts) m
        """, {"count": count, "older": older, "long": LONG_THREADS})
    analyse("conversations_message")


def count_waiting_events():
    """The waiting few are a sliver of the log: count them exactly, not from a sample that
    finds a different handful each run (the setting goes with the test's transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE conversations_webhookevent "
                       "ALTER COLUMN processed_at SET STATISTICS 10000")
        cursor.execute("ANALYZE conversations_webhookevent (processed_at)")


def add_events(count: int, *, days: int, after_days: int = 0, tag: str = "a"):
    """`count` processed callbacks (a quarter inbound) received over `days` days, `after_days` ago."""
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO conversations_webhookevent (
                provider, event_id, kind, payload, received_at, processed_at)
            SELECT 'twilio', 'SMG' || %(tag)s || g || ':delivered',
                   CASE WHEN g %% 4 = 0 THEN 'inbound' ELSE 'status' END,
                   jsonb_build_object('MessageSid', 'SMG' || %(tag)s || g, 'MessageStatus', 'delivered',
                                      'AccountSid', 'AC' || repeat('f', 32), 'ApiVersion', '2010-04-01'),
                   m.ts, m.ts + interval '2 seconds'
            FROM generate_series(1, %(count)s) g
            CROSS JOIN LATERAL (SELECT now() - make_interval(days => %(after)s)
                                - (g::float / %(count)s) * make_interval(days => %(days)s) ts) m
        """, {"count": count, "days": days, "after": after_days, "tag": tag})
    analyse("conversations_webhookevent")


# --- the console -----------------------------------------------------------------------


@postgres_only
def test_a_thread_page_is_an_index_scan_bounded_by_the_page_however_big_the_table(threads):
    conversation = threads[7]  # one of the long threads: thousands of messages
    add_messages(MESSAGES)
    newest = selectors.conversation_messages(conversation=conversation, limit=51)
    assert len(newest) == 51
    first = sent_sql(lambda: selectors.conversation_messages(conversation=conversation, limit=51),
                     "conversations_message")
    anchor, older = sent_sql(lambda: selectors.conversation_messages(
        conversation=conversation, before_id=newest[-1].pk, limit=51), "conversations_message")
    queries = {"first page": first[0], "anchor": anchor, "older page": older}
    at_n = {name: plan_of_sql(sql) for name, sql in queries.items()}

    add_messages(MESSAGES, older=True)  # twice the rows: two more years of (redacted) history
    at_2n = {name: plan_of_sql(sql) for name, sql in queries.items()}

    for plans in (at_n, at_2n):
        assert_bounded(plans["first page"], "conversations_message", "message_thread")
        assert_bounded(plans["older page"], "conversations_message", "message_thread")
        assert_bounded(plans["anchor"], "conversations_message", "conversations_message_pkey")
        # The older page starts at its anchor in the index rather than filtering the thread.
        (scan,) = scans_of(plans["older page"], "conversations_message")
        assert "created_at <=" in scan["Index Cond"], outline(plans["older page"])
    # An ordinary thread may be read by a bitmap over its index range (a few dozen rows), never
    # by a scan of the table.
    ordinary = sent_sql(lambda: selectors.conversation_messages(conversation=threads[500], limit=51),
                        "conversations_message")
    plan = plan_of_sql(ordinary[0])
    assert {node["Node Type"] for node in scans_of(plan, "conversations_message")} <= BY_INDEX, outline(plan)
    assert "message_thread" in {node.get("Index Name") for node in walk(plan)}, outline(plan)
    for name in queries:
        assert at_2n[name]["Plan Rows"] == at_n[name]["Plan Rows"]
        assert at_2n[name]["Total Cost"] <= at_n[name]["Total Cost"] * 1.1, (name, outline(at_n[name]),
                                                                               outline(at_2n[name]))


def test_older_pages_keep_messages_of_the_same_instant_in_order(sms_thread, associate_a, demo_provider):
    sent = [services.message_send(conversation=sms_thread, sender=associate_a, body=f"m{n}")
            for n in range(5)]
    Message.objects.filter(pk__in=[m.pk for m in sent]).update(created_at=timezone.now())
    pages, before = [], None
    while page := selectors.conversation_messages(conversation=sms_thread, before_id=before, limit=2):
        pages.append([m.body for m in page])
        before = page[-1].pk
    assert pages == [["m4", "m3"], ["m2", "m1"], ["m0"]]


@postgres_only
def test_the_inboxes_and_the_unread_badge_never_read_the_messages(threads, associate_a, org):
    def plans():
        found = {
            "mine": plan_of(selectors.my_inbox(user=associate_a)[:50]),
            "store": plan_of(selectors.store_inbox(user=associate_a, store=org["store_a"])[:50]),
            "archived": plan_of(selectors.archived_inbox(user=associate_a, store=org["store_a"])[:50]),
        }
        (badge,) = sent_sql(lambda: selectors.unread_count(user=associate_a), "conversations_conversation")
        return {**found, "badge": plan_of_sql(badge)}

    before = plans()
    add_messages(MESSAGES)
    after = plans()

    for name, plan in after.items():
        # Threads carry their last message time, preview and unread counter: no message is read.
        assert not scans_of(plan, "conversations_message"), (name, outline(plan))
        # Read through an index (a bitmap for "mine": assigned to me or started by me).
        conversation_scans = scans_of(plan, "conversations_conversation")
        assert conversation_scans, outline(plan)
        assert {node["Node Type"] for node in conversation_scans} <= BY_INDEX, outline(plan)
        assert plan["Total Cost"] == before[name]["Total Cost"], name


# --- the webhook log -------------------------------------------------------------------


@postgres_only
def test_the_drains_and_the_sweeps_of_the_webhook_log_read_only_their_batch(settings):
    settings.MESSAGING_WEBHOOK_DEDUP_DAYS = 58
    add_events(EVENTS, days=60)
    waiting = WebhookEvent.objects.bulk_create([  # for a drain: most just in, a few left behind
        WebhookEvent(provider="twilio", event_id=f"SMP{n}:delivered", kind="status",
                     payload={"MessageSid": f"SMP{n}", "MessageStatus": "delivered"}) for n in range(60)])
    WebhookEvent.objects.filter(pk__in=[event.pk for event in waiting[:20]]).update(
        received_at=timezone.now() - timedelta(minutes=10))
    analyse("conversations_webhookevent")
    count_waiting_events()
    (stale,) = sent_sql(services.webhook_events_requeue_stale, "conversations_webhookevent")
    claim = sent_sql(lambda: services.webhook_events_drain(kind="status", seconds=0),
                     "conversations_webhookevent")[0]
    prune = sent_sql(services.webhook_events_prune, "conversations_webhookevent")
    queries = {"stale sweep": stale, "drain claim": claim, "prune processed": prune[0],
               "prune unprocessed": prune[-1]}
    assert len(prune) > 2  # a few batches of processed events, then the (empty) unprocessed one
    at_n = {name: plan_of_sql(sql) for name, sql in queries.items()}

    add_events(EVENTS, days=60, after_days=60, tag="b")  # twice the rows, all past the window
    count_waiting_events()
    at_2n = {name: plan_of_sql(sql) for name, sql in queries.items()}

    for plans in (at_n, at_2n):
        assert_bounded(plans["drain claim"], "conversations_webhookevent", "webhook_event_pending")
        assert_bounded(plans["prune processed"], "conversations_webhookevent", "webhook_event_done")
        assert_bounded(plans["prune unprocessed"], "conversations_webhookevent", "webhook_event_pending")
        (scan,) = scans_of(plans["stale sweep"], "conversations_webhookevent")
        assert (scan["Node Type"], scan["Index Name"]) == ("Index Only Scan", "webhook_event_pending")
        (scan,) = scans_of(plans["prune processed"], "conversations_webhookevent")
        assert scan["Node Type"] == "Index Only Scan"
    for name in queries:
        assert at_2n[name]["Total Cost"] <= at_n[name]["Total Cost"] * 1.1, (name, outline(at_n[name]),
                                                                               outline(at_2n[name]))


def record(event_id: str, *, days: int, processed: bool = True) -> WebhookEvent:
    event = WebhookEvent.objects.create(provider="twilio", event_id=event_id, kind="status",
                                        payload={"MessageSid": event_id})
    at = timezone.now() - timedelta(days=days)
    WebhookEvent.objects.filter(pk=event.pk).update(received_at=at, processed_at=at if processed else None)
    return event


def test_the_prune_deletes_processed_events_past_the_replay_window_in_batches(settings, monkeypatch):
    settings.MESSAGING_WEBHOOK_DEDUP_DAYS, settings.MESSAGING_RETENTION_DAYS = 30, 730
    monkeypatch.setattr(retention, "CHUNK", 2)
    for n in range(5):
        record(f"old{n}", days=40)
    waiting = record("waiting", days=40, processed=False)  # the drains' business, not the prune's
    recent = record("recent", days=5)
    record("ancient", days=800, processed=False)  # past the retention: its words go, processed or not

    assert tasks.webhook_events_prune.delay().get() == 6
    assert set(WebhookEvent.objects.values_list("event_id", flat=True)) == {"waiting", "recent"}
    assert tasks.webhook_events_prune.delay().get() == 0  # done once
    # A replay inside the window is still recognised; the waiting event is untouched.
    assert insert_once(WebhookEvent, unique=("provider", "event_id"), provider="twilio", event_id="recent",
                       kind="status", payload={}, received_at=timezone.now()) is None
    assert WebhookEvent.objects.get(pk=waiting.pk).processed_at is None
    assert WebhookEvent.objects.get(pk=recent.pk).payload == {"MessageSid": "recent"}


def test_the_retention_wins_over_a_longer_replay_window_and_zero_keeps_them(settings):
    record("twenty", days=20)
    settings.MESSAGING_WEBHOOK_DEDUP_DAYS, settings.MESSAGING_RETENTION_DAYS = 0, 0
    assert services.webhook_events_prune() == 0
    settings.MESSAGING_WEBHOOK_DEDUP_DAYS, settings.MESSAGING_RETENTION_DAYS = 30, 0
    assert services.webhook_events_prune() == 0
    settings.MESSAGING_WEBHOOK_DEDUP_DAYS, settings.MESSAGING_RETENTION_DAYS = 30, 10
    assert services.webhook_events_prune() == 1


def test_a_replayed_webhook_is_one_message_inside_the_window_and_after_it(client, twilio, messaging,
                                                                           django_capture_on_commit_callbacks):
    params = {"MessageSid": "SM" + "7" * 32, "AccountSid": "AC" + "f" * 32, "From": "+13105550199",
              "To": STORE_A_SMS, "Body": "Is the coat still there?", "NumMedia": "0"}

    def deliver():
        with django_capture_on_commit_callbacks(execute=True):
            response = post_signed(client, "/webhooks/twilio/messages/", params, twilio.fake.auth_token)
        assert response.status_code == 200

    deliver()
    WebhookEvent.objects.update(received_at=timezone.now() - timedelta(days=10))
    services.webhook_events_prune()
    deliver()  # inside the window: the recorded event id answers the replay
    assert WebhookEvent.objects.count() == 1

    WebhookEvent.objects.update(received_at=timezone.now() - timedelta(days=40))
    assert services.webhook_events_prune() == 1
    deliver()  # past it: recorded again, and still one message (inbound is unique by provider id)
    assert WebhookEvent.objects.count() == 1
    assert Message.objects.filter(provider_sid=params["MessageSid"]).count() == 1
