"""`manage.py bench_conversations [--json]`: conversations at scale, on PostgreSQL and Redis.

1. Bulk outreach: a mapped template rendered for 100,000 opted-in customers
   (`--customers 1000000`: the 3-minute goal), threads created, messages stored
   and their send tasks queued to the real Redis broker on a queue nobody
   consumes (purged afterwards), with the process's peak memory. Goal < 60 s.
2. Inbound webhook under gunicorn (3 sync workers) on loopback: signed Twilio
   requests, each sent once, from wrk when installed (15 s; `apt-get install
   wrk`, `--load wrk` to insist on it) or else a small asyncio load generator
   (a fixed count); goal >= 1,000 req/s with p99 < 50 ms (alone on the machine),
   and every answered request recorded (WebhookEvent rows counted).
3. A conversation of 5,000 messages: first page, server time (selector and
   the whole view in-process). Goal < 150 ms.
4. Recorded webhook events applied by one Celery worker process (concurrency 1):
   delivery reports for a campaign's messages, then inbound messages, each alone.
   Goal >= 500 events/s.

Run it against a scratch database: it creates its own legal entity, store,
staff and customers (prefix "bench-conv") and removes the messages it made.
"""

import asyncio
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from bench.timing import measure, percentile

CODE = "bench-conv"
PUBLIC = "https://bench.atelier.test"
STORE_NUMBER = "+16465550100"
TOKEN = "bench-auth-token-0123456789"
SID = "AC" + "b" * 32
WARMUP = 50

# wrk script: each thread sends its share of the prepared signed requests once,
# then stops; prints one JSON line.
WRK_SCRIPT = r"""
-- Each prepared request (its own MessageSid) is sent once. A thread that runs out
-- stops; the few requests wrk still asks of it repeat its last one (a replay, which
-- the webhook records once) and are counted as "replays" so they are not taken for
-- lost events.
local counter, threads = 0, {}
function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end
function init(args)
  items, pos, replays = {}, 0, 0
  local path, nthreads, index = args[1], tonumber(args[2]), 0
  for line in io.lines(path) do
    if index % nthreads == id then
      local signature, body = line:match("^([^\t]*)\t(.*)$")
      items[#items + 1] = wrk.format("POST", nil, {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["X-Twilio-Signature"] = signature}, body)
    end
    index = index + 1
  end
end
function request()
  pos = pos + 1
  if pos > #items then
    replays = replays + 1
    wrk.thread:stop()
    return items[#items]
  end
  return items[pos]
end
function done(summary, latency, requests)
  local e, extra = summary.errors, 0
  for _, thread in ipairs(threads) do extra = extra + (thread:get("replays") or 0) end
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "non2xx": %d, "socket_errors": %d, "p50_us": %d, "p99_us": %d, '
    .. '"replays": %d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), extra))
end
"""


def webhook_app():
    """gunicorn factory (`module:webhook_app()`): the normal WSGI app, tasks on the bench queue."""
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    from celery import current_app as app  # the project's app, made current by config

    if os.environ.get("BENCH_CELERY_QUEUE"):
        app.conf.task_default_queue = os.environ["BENCH_CELERY_QUEUE"]
    return application


class Command(BaseCommand):
    help = "Benchmark bulk outreach, the inbound webhook and a long thread (PostgreSQL + Redis)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print one JSON list.")
        parser.add_argument("--customers", type=int, default=100_000)
        parser.add_argument("--chunk", type=int, default=1000)
        parser.add_argument("--requests", type=int, default=20000,
                            help="Signed requests prepared (wrk runs 15 s; asyncio sends them all).")
        # Two connections per sync worker keeps every worker busy. More only wait in the
        # listen backlog: with 12 on 3 workers the accept queue overflows, dropped SYNs are
        # retried after a second, and p99 measures TCP's retry timer, not the webhook.
        parser.add_argument("--concurrency", type=int, default=6)
        # gunicorn's classic setup: sync workers (one request each) behind the proxy.
        parser.add_argument("--workers", type=int, default=3)
        parser.add_argument("--threads", type=int, default=1)
        parser.add_argument("--worker-class", default="sync")
        parser.add_argument("--thread-messages", type=int, default=5000)
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument("--events", type=int, default=20000,
                            help="Delivery reports applied by the worker (inbound: a tenth of it).")
        parser.add_argument("--only", choices=["bulk", "webhook", "thread", "events"], action="append")
        parser.add_argument("--load", choices=["auto", "wrk", "asyncio"], default="auto",
                            help="Webhook load generator: wrk when installed (apt-get install wrk), "
                                 "else the built-in asyncio one.")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_conversations measures PostgreSQL; set DATABASE_URL.")
        if not settings.REDIS_URL:
            raise CommandError("bench_conversations measures the Redis broker; set REDIS_URL.")
        settings.DEBUG = False
        self.quiet = options["json"]
        self.load_tool = options["load"]
        if self.load_tool == "auto":
            self.load_tool = "wrk" if shutil.which("wrk") else "asyncio"
        elif self.load_tool == "wrk" and not shutil.which("wrk"):
            raise CommandError("wrk is not installed: apt-get install wrk, or pass --load asyncio.")
        if self.load_tool == "asyncio":
            self.say("webhook load: wrk not found, using the built-in asyncio generator "
                     "(apt-get install wrk for the reference measurement)")
        only = set(options["only"] or ["bulk", "webhook", "thread", "events"])
        self.world = self.setup(options["customers"])
        results = []
        if "bulk" in only:
            results += self.bench_bulk(options["customers"], options["chunk"])
        if "webhook" in only:
            results += self.bench_webhook(options["requests"], options["concurrency"],
                                          options["workers"], options["threads"], options["worker_class"])
        if "thread" in only:
            results += self.bench_thread(options["thread_messages"], options["runs"])
        if "events" in only:
            results += self.bench_events(options["events"])
        if options["json"]:
            self.stdout.write(json.dumps(results))
        else:
            for r in results:
                self.stdout.write(f"{r['name']:<58} {r['value']:>10} {r['unit']:<6} goal {r['goal']}")

    def say(self, text: str) -> None:
        if not self.quiet:
            self.stderr.write(text)

    # --- data --------------------------------------------------------------------------

    def setup(self, customers: int) -> dict:
        from datetime import time as clock

        from clienteling.models import (
            Customer,
            LegalEntity,
            ModuleSettings,
            StaffProfile,
            Store,
        )
        from clienteling.services import staff_sync_access
        from conversations.models import (
            MessageTemplate,
            StoreMessagingSettings,
            TemplateVariable,
            TwilioAccount,
        )
        entity, _ = LegalEntity.objects.get_or_create(code=CODE, defaults={"name": "Bench Conversations",
                                                                         "country": "US"})
        store, _ = Store.objects.get_or_create(code=CODE, defaults={
            "legal_entity": entity, "name": "Bench Store", "timezone": "America/New_York",
            "country": "US", "clienteling_phone": STORE_NUMBER})
        StoreMessagingSettings.objects.update_or_create(store=store, defaults={
            "sms_number": STORE_NUMBER, "bulk_cap_per_day": 1,
            # Equal bounds: no quiet hours, so the run measures queueing at any hour.
            "quiet_hours_start": clock(0), "quiet_hours_end": clock(0)})
        module_control = ModuleSettings.load()
        module_control.customers_enabled = True
        module_control.switches = {**module_control.switches, "conversations": True}
        module_control.save()
        user, _ = get_user_model().objects.get_or_create(username=f"{CODE}.associate",
                                                         defaults={"first_name": "Bea"})
        profile, _ = StaffProfile.objects.get_or_create(user=user, defaults={
            "legal_entity": entity, "role": StaffProfile.Role.ASSOCIATE, "home_store": store})
        profile.stores.add(store)
        staff_sync_access(profile=profile)
        TwilioAccount.objects.filter(active=True).exclude(account_sid=SID).update(active=False)
        TwilioAccount.objects.update_or_create(account_sid=SID, defaults={
            "name": "Bench", "auth_token": TOKEN, "active": True})
        template, _ = MessageTemplate.objects.get_or_create(
            channel="sms", name=f"{CODE}-arrivals", language="en", defaults={
                "body": "Hi {{1}}, the new collection is in at {{2}}. Reply STOP to opt out.",
                "status": MessageTemplate.Status.APPROVED})
        for position, source in ((1, "customer_first_name"), (2, "store_name")):
            TemplateVariable.objects.get_or_create(template=template, position=position,
                                                   defaults={"source": source})
        have = Customer.objects.filter(legal_entity=entity).count()
        if have < customers:
            self.say(f"creating {customers - have} customers ...")
            started = time.perf_counter()
            self.customers_create(entity=entity, store=store, user=user, start=have, stop=customers)
            self.say(f"  done in {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cursor:
            # Email threads for every customer, made once and kept: a real database
            # holds many threads, and an almost empty table would be an unfair start
            # (plans for its foreign-key checks are made while it is tiny and kept
            # while the run grows it, until autovacuum analyses it).
            cursor.execute(
                "INSERT INTO conversations_conversation (customer_id, store_id, channel, status, "
                "archive_reason, last_message_preview, unread_count, created_at) "
                "SELECT id, %s, 'email', 'open', '', '', 0, now() FROM clienteling_customer "
                "WHERE legal_entity_id = %s ON CONFLICT DO NOTHING", [store.pk, entity.pk])
            cursor.execute("ANALYZE")
        return {"entity": entity, "store": store, "user": user, "template": template}

    def customers_create(self, *, entity, store, user, start: int, stop: int) -> None:
        """Opted-in customers `start`..`stop`: the first made by the ORM, the rest copied from
        it in SQL a million at a time (every column as the ORM wrote it; name, phone and
        email numbered), with their consent and contact history."""
        from django.utils import timezone

        from clienteling.models import ConsentState, Customer, CustomerConsent, CustomerContactHistory

        now = timezone.now()
        if start == 0:
            first = Customer.objects.create(legal_entity=entity, home_store=store, first_name="Client0",
                                            last_name="Bench", phone="+19170000000", primary_salesperson=user,
                                            email="client0@bench.test")
            start = 1
        else:
            first = Customer.objects.filter(legal_entity=entity).order_by("pk").first()
        columns = [f.column for f in Customer._meta.concrete_fields if not f.primary_key]
        numbered = {"first_name": "'Client' || n", "phone": "'+1917' || lpad(n::text, 7, '0')",
                    "email": "'client' || n || '@bench.test'", "external_id": "NULL"}
        values = ", ".join(numbered.get(column, f"t.{column}") for column in columns)
        with connection.cursor() as cursor:
            for low in range(start, stop, 250_000):
                high = min(stop, low + 250_000) - 1
                with transaction.atomic():
                    cursor.execute(
                        f"INSERT INTO clienteling_customer ({', '.join(columns)}) "  # noqa: S608
                        f"SELECT {values} FROM clienteling_customer t, generate_series(%s, %s) n "
                        f"WHERE t.id = %s", [low, high, first.pk])
                self.say(f"  {high + 1:,} customers")
            cursor.execute(
                "INSERT INTO clienteling_customerconsent (customer_id, channel, state, changed_at, source, "
                "detail) SELECT id, 'sms', %s, %s, %s, '' FROM clienteling_customer "
                "WHERE legal_entity_id = %s "
                "ON CONFLICT DO NOTHING",
                [ConsentState.OPTED_IN, now, CustomerConsent.Source.IMPORT, entity.pk])
        CustomerContactHistory.objects.bulk_create([CustomerContactHistory(customer=first)],
                                                   ignore_conflicts=True)
        CustomerContactHistory.objects.filter(customer=first).update(sms_consent=ConsentState.OPTED_IN)
        history = [f.column for f in CustomerContactHistory._meta.concrete_fields
                   if f.column != "customer_id"]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO clienteling_customercontacthistory (customer_id, {', '.join(history)}) "  # noqa: S608
                f"SELECT c.id, {', '.join('h.' + column for column in history)} FROM clienteling_customer c, "
                f"clienteling_customercontacthistory h WHERE c.legal_entity_id = %s AND h.customer_id = %s "
                f"ON CONFLICT DO NOTHING", [entity.pk, first.pk])

    def cleanup_outreach(self):
        from clienteling.models import CustomerContactHistory

        store, entity = self.world["store"], self.world["entity"]
        with connection.cursor() as cursor:
            # Fresh statistics first: with the ones from before the run the planner
            # picks a nested loop over 100,000 x 100,000 rows.
            cursor.execute("ANALYZE conversations_message")
            cursor.execute("ANALYZE conversations_conversation")
            cursor.execute("DELETE FROM conversations_message m USING conversations_conversation c "
                           "WHERE m.conversation_id = c.id AND c.store_id = %s AND c.channel = 'sms'",
                           [store.pk])
            # In SQL: the ORM's delete would load a million threads to cascade by hand.
            threads = "SELECT id FROM conversations_conversation WHERE store_id = %s AND channel = 'sms'"
            cursor.execute(f"DELETE FROM conversations_conversationreadstate "  # noqa: S608  fixed SQL
                           f"WHERE conversation_id IN ({threads})", [store.pk])
            cursor.execute(f"UPDATE carts_cart SET conversation_id = NULL "  # noqa: S608  fixed SQL
                           f"WHERE conversation_id IN ({threads})", [store.pk])
            cursor.execute("DELETE FROM conversations_conversation WHERE store_id = %s AND channel = 'sms'",
                           [store.pk])
        CustomerContactHistory.objects.filter(customer__legal_entity=entity).update(
            last_text_at=None, last_text_preview="", last_marketing_at=None, last_marketing_sms_at=None)

    # --- 1. bulk outreach --------------------------------------------------------------

    def bench_bulk(self, customers: int, chunk: int) -> list[dict]:
        from celery import current_app as app  # the project's app, made current by config

        from clienteling.models import Customer
        from conversations import services
        from conversations.models import Message

        self.say("bulk outreach: cleaning the previous run ...")
        self.cleanup_outreach()
        ids = list(Customer.objects.filter(legal_entity=self.world["entity"]).order_by("pk")
                   .values_list("pk", flat=True)[:customers])
        queue = f"bench-conv-{uuid.uuid4().hex[:8]}"
        previous = (app.conf.task_always_eager, app.conf.task_default_queue)
        app.conf.task_always_eager, app.conf.task_default_queue = False, queue
        queued = skipped = 0
        self.say(f"bulk outreach to {len(ids)} customers, queue {queue} ...")
        started = time.perf_counter()
        try:
            for start in range(0, len(ids), chunk):
                report = services.message_send_bulk(
                    customer_ids=ids[start:start + chunk], store=self.world["store"], channel="sms",
                    sender=self.world["user"], template=self.world["template"], bulk_job_id=424242)
                queued += report.queued
                skipped += sum(report.skipped.values())
            elapsed = time.perf_counter() - started
        finally:
            app.conf.task_always_eager, app.conf.task_default_queue = previous
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        tasks = self.purge(queue)
        stored = Message.objects.filter(bulk_job_id=424242).count()
        self.say(f"  {queued} queued, {skipped} skipped, {stored} rows, {tasks} tasks purged "
                 f"in {elapsed:.1f} s")
        if stored != len(ids) or queued != len(ids):
            raise CommandError(f"bulk outreach lost messages: {queued} queued, {stored} stored")
        self.cleanup_outreach()
        # Settle the tables (untimed) so autovacuum does not run under the next benchmark.
        with connection.cursor() as cursor:
            for table in ("conversations_message", "conversations_conversation",
                          "clienteling_customercontacthistory"):
                cursor.execute(f"VACUUM (ANALYZE) {table}")
            try:  # flush the run's WAL now rather than during the webhook benchmark
                with transaction.atomic():
                    cursor.execute("CHECKPOINT")
            except DatabaseError:
                self.say("  (CHECKPOINT needs a superuser; skipped)")
        return [
            {"name": f"bulk outreach: {len(ids):,} customers rendered and queued", "value": round(elapsed, 2),
             "unit": "s", "goal": f"< {max(60, len(ids) * 180 // 1_000_000)}"},
            {"name": "bulk outreach: throughput", "value": round(len(ids) / elapsed),
             "unit": "msg/s", "goal": ">= 1667"},
            {"name": "bulk outreach: send tasks on the broker (100 messages each)", "value": tasks,
             "unit": "tasks", "goal": f"= {-(-len(ids) // 100)}"},
            # Bounded memory: the process's peak, whatever the number of customers.
            {"name": "bulk outreach: peak memory of the process", "value": round(peak_mb),
             "unit": "MB", "goal": "< 500"},
        ]

    def purge(self, queue: str) -> int:
        """Drop the run's default queue and its workload queues; the tasks that were on them."""
        from celery import current_app as app  # the project's app, made current by config

        from catalog.background import queue_names

        count = 0
        with app.connection_for_write() as conn:
            channel = conn.default_channel
            for name in queue_names(queue):
                try:
                    _name, waiting, _consumers = channel.queue_declare(queue=name, passive=True)
                except Exception:  # noqa: BLE001  the queue was never declared
                    continue
                count += waiting
                channel.queue_purge(name)
                channel.queue_delete(name)
                # Celery named an exchange after the queue; drop its binding sets too.
                channel.client.delete(f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")
        return count

    # --- 2. inbound webhook under gunicorn ---------------------------------------------

    def bench_webhook(self, requests: int, concurrency: int, workers: int, threads: int,
                      worker_class: str) -> list[dict]:
        from twilio.request_validator import RequestValidator

        from conversations.models import WebhookEvent

        path = reverse("twilio_messages")
        validator = RequestValidator(TOKEN)
        run = uuid.uuid4().hex[:10]
        bodies, forms = [], []
        for n in range(requests):
            params = {"MessageSid": f"SM{run}{n:022d}", "AccountSid": SID, "From": f"+1917{n % 100000:07d}",
                      "To": STORE_NUMBER, "Body": f"Hello, message {n}", "NumMedia": "0"}
            signature = validator.compute_signature(PUBLIC + path, params)
            body = urlencode(params).encode()
            forms.append((signature, body.decode()))
            bodies.append((
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded"
                f"\r\nContent-Length: {len(body)}\r\nX-Twilio-Signature: {signature}\r\n"
                f"Connection: keep-alive\r\n\r\n").encode() + body)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        queue = f"bench-conv-hooks-{run}"
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE, "DEBUG": "0",
               "PUBLIC_BASE_URL": PUBLIC, "BENCH_CELERY_QUEUE": queue, "LOG_LEVEL": "WARNING",
               "DATABASE_URL": self.database_url(), "REDIS_URL": settings.REDIS_URL}
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "bench.management.commands.bench_conversations:webhook_app()",
             "-b", f"127.0.0.1:{port}", "-w", str(workers), "-k", worker_class, "--threads", str(threads),
             "--keep-alive", "5", "--log-level", "warning"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        tool = self.load_tool
        try:
            self.wait_for_port(port, server)
            self.say(f"webhook: {requests} signed requests ({tool}), {concurrency} connections, "
                     f"gunicorn {workers}x{threads} {worker_class} on :{port} ...")
            asyncio.run(self.load(port, bodies[:WARMUP], concurrency))  # warm-up
            if tool == "wrk":
                run_result = self.load_wrk(port, path, forms[WARMUP:], concurrency)
            else:
                run_result = self.load_asyncio(port, bodies[WARMUP:], concurrency)
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        purged = self.purge(queue)
        events = WebhookEvent.objects.filter(provider="twilio", event_id__startswith=f"SM{run}")
        recorded = events.count()
        events.delete()
        # Every request answered 200 must have its event row (requests still in
        # flight when the load stopped may add a few more rows).
        answered = WARMUP + run_result["requests"] - run_result["not_ok"] - run_result.get("replays", 0)
        lost = max(0, answered - recorded)
        if run_result.get("ran_out"):
            self.say("  the load generator ran out of prepared requests: pass a larger --requests")
        self.say(f"  {run_result['requests']} requests in {run_result['seconds']:.1f} s, "
                 f"{run_result['not_ok']} not 200, {recorded} events recorded for {answered} answered, "
                 f"{purged} tasks purged")
        return [
            {"name": f"inbound webhook under gunicorn ({tool}, {concurrency} conn): throughput",
             "value": round(run_result["requests"] / run_result["seconds"]), "unit": "req/s",
             "goal": ">= 1000"},
            {"name": "inbound webhook under gunicorn: p99 latency", "value": round(run_result["p99"], 1),
             "unit": "ms", "goal": "< 50"},
            {"name": "inbound webhook under gunicorn: p50 latency", "value": round(run_result["p50"], 1),
             "unit": "ms", "goal": ""},
            {"name": "inbound webhook: requests not answered 200", "value": run_result["not_ok"],
             "unit": "req", "goal": "= 0"},
            {"name": "inbound webhook: events lost (distinct requests - WebhookEvent rows)", "value": lost,
             "unit": "events", "goal": "= 0"},
        ]

    def load_asyncio(self, port: int, bodies: list[bytes], concurrency: int) -> dict:
        latencies, statuses, elapsed = asyncio.run(self.load(port, bodies, concurrency))
        return {"requests": len(statuses), "seconds": elapsed, "p50": percentile(latencies, 50),
                "p99": percentile(latencies, 99), "not_ok": len(statuses) - statuses.count(200)}

    def load_wrk(self, port: int, path: str, forms: list[tuple[str, str]], concurrency: int,
                 seconds: int = 15) -> dict:
        """wrk on loopback for `seconds`, each prepared request at most once.

        Prepare more requests than the server can take in that time: a wrk
        thread that runs out stops early, which would make the rate look lower.
        """
        threads = 2
        with tempfile.TemporaryDirectory() as folder:
            data = os.path.join(folder, "requests.tsv")
            with open(data, "w") as handle:
                handle.writelines(f"{signature}\t{body}\n" for signature, body in forms)
            script = os.path.join(folder, "webhook.lua")
            with open(script, "w") as handle:
                handle.write(WRK_SCRIPT)
            done = subprocess.run(
                ["wrk", "-t", str(threads), "-c", str(max(concurrency, threads)), "-d", f"{seconds}s",
                 "--timeout", "5s", "-s", script, f"http://127.0.0.1:{port}{path}", "--", data, str(threads)],
                capture_output=True, text=True, timeout=seconds + 60, check=True)
        summary = json.loads(done.stdout.strip().splitlines()[-1])
        replays = summary.get("replays", 0)
        return {"requests": summary["requests"], "seconds": summary["duration_us"] / 1e6,
                "p50": summary["p50_us"] / 1000, "p99": summary["p99_us"] / 1000,
                "not_ok": summary["non2xx"] + summary["socket_errors"], "replays": replays,
                "ran_out": replays > 0}

    def database_url(self) -> str:
        db = connection.settings_dict
        user = db.get("USER") or "postgres"
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
        return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"

    def wait_for_port(self, port: int, server: subprocess.Popen) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError(f"gunicorn exited: {server.stderr.read().decode()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.2)
        raise CommandError("gunicorn did not start within 30 s")

    async def load(self, port: int, requests: list[bytes], concurrency: int, limit_s: float = 120.0):
        """Send every request once over `concurrency` keep-alive connections; bounded in time."""
        pending = iter(requests)
        latencies: list[float] = []
        statuses: list[int] = []
        deadline = time.monotonic() + limit_s

        async def client():
            reader = writer = None
            for raw in pending:
                if time.monotonic() > deadline:
                    return
                if writer is None:
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                started = time.perf_counter()
                writer.write(raw)
                await writer.drain()
                status_line = await reader.readline()
                headers = {}
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    key, _sep, value = line.decode().partition(":")
                    headers[key.strip().lower()] = value.strip()
                await reader.readexactly(int(headers.get("content-length", 0)))
                latencies.append((time.perf_counter() - started) * 1000)
                statuses.append(int(status_line.split()[1]) if status_line else 0)
                if headers.get("connection", "").lower() == "close":
                    writer.close()
                    reader = writer = None
            if writer is not None:
                writer.close()

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        return latencies, statuses, time.perf_counter() - started

    # --- 3. a long conversation --------------------------------------------------------

    def bench_thread(self, size: int, runs: int) -> list[dict]:
        from datetime import timedelta

        from django.utils import timezone

        from clienteling.models import Customer
        from conversations import selectors, services
        from conversations.models import Message

        customer = Customer.objects.filter(legal_entity=self.world["entity"]).order_by("-pk").first()
        thread = services.conversation_get_or_create(customer=customer, store=self.world["store"],
                                                     channel="whatsapp",
                                                     user=self.world["user"])
        have = thread.messages.count()
        if have < size:
            self.say(f"thread: adding {size - have} messages ...")
            start = timezone.now() - timedelta(days=400)
            Message.objects.bulk_create([
                Message(conversation=thread, direction="in" if n % 3 == 0 else "out",
                        status="received" if n % 3 == 0 else "delivered",
                        body=f"Message {n}: do you have the silk scarf in navy?", sent_by=None
                        if n % 3 == 0 else self.world["user"], provider_sid=f"SMthread{thread.pk}-{n}")
                for n in range(have, size)], batch_size=2000)
            # Spread them over time: created_at is set on insert.
            with connection.cursor() as cursor:
                cursor.execute("UPDATE conversations_message "
                               "SET created_at = %s + (id * interval '1 minute') "
                               "WHERE conversation_id = %s", [start, thread.pk])
                cursor.execute("ANALYZE conversations_message")
        selector = measure(lambda: selectors.conversation_messages(conversation=thread, limit=50), runs=runs)
        results = [{"name": f"{size:,}-message conversation: first page (selector) p95",
                    "value": round(selector["p95"], 1), "unit": "ms", "goal": "< 150"}]
        client = Client()
        client.force_login(self.world["user"])
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        url = reverse("conversations:detail", args=[thread.pk])
        response = client.get(url)
        if response.status_code == 200:
            view = measure(lambda: client.get(url), runs=runs)
            results.append({"name": f"{size:,}-message conversation: first page (whole view) p95",
                            "value": round(view["p95"], 1), "unit": "ms", "goal": "< 150"})
        else:
            self.say(f"  the conversation view answered {response.status_code}; measured the selector only")
        return results

    # --- 4. recorded webhook events applied by one worker process ------------------------

    def bench_events(self, reports: int) -> list[dict]:
        from django.utils import timezone

        from conversations.models import Conversation, Message, WebhookEvent
        from conversations.services import webhook_events_drain_soon

        run = uuid.uuid4().hex[:8]
        threads = list(Conversation.objects.filter(store=self.world["store"], channel="email")
                       .order_by("pk").values_list("pk", flat=True)[:reports])
        inbound = max(1, min(len(threads), reports // 10))
        self.say(f"events: {len(threads)} sent messages and their delivery reports, {inbound} inbound ...")
        now = timezone.now()
        Message.objects.bulk_create(
            [Message(conversation_id=pk, direction="out", status="sent", body="Bench offer",
                     provider_sid=f"SMev{run}{n:020d}", sent_at=now, status_updated_at=now)
             for n, pk in enumerate(threads)], batch_size=5000)
        WebhookEvent.objects.bulk_create(
            [WebhookEvent(provider="twilio", kind="status", event_id=f"SMev{run}{n:020d}:delivered",
                          received_at=now, payload={"MessageSid": f"SMev{run}{n:020d}",
                                                    "MessageStatus": "delivered", "AccountSid": SID})
             for n in range(len(threads))], batch_size=5000)
        WebhookEvent.objects.bulk_create(
            [WebhookEvent(provider="twilio", kind="inbound", event_id=f"SMin{run}{n:020d}", received_at=now,
                          payload={"MessageSid": f"SMin{run}{n:020d}", "AccountSid": SID,
                                   "From": f"+1917{n:07d}", "To": STORE_NUMBER, "Body": f"Hello {n}",
                                   "NumMedia": "0"})
             for n in range(inbound)], batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE conversations_webhookevent")
            cursor.execute("ANALYZE conversations_message")
        queue = f"bench-conv-events-{run}"
        results = []
        worker = self.start_worker(queue, ("status", "inbound"))
        try:
            for kind, count, prefix in (("status", len(threads), "SMev"), ("inbound", inbound, "SMin")):
                pending = WebhookEvent.objects.filter(kind=kind, processed_at__isnull=True,
                                                      event_id__startswith=f"{prefix}{run}")
                started = time.perf_counter()
                with self.on_queue(queue):
                    webhook_events_drain_soon(kind=kind, force=True)
                deadline = started + 600
                while pending.exists() and time.perf_counter() < deadline:
                    time.sleep(0.05)
                elapsed = time.perf_counter() - started
                left = pending.count()
                self.say(f"  {kind}: {count - left} of {count} applied in {elapsed:.1f} s")
                results.append({"name": f"{kind} events applied by one worker process", "unit": "events/s",
                                "value": round((count - left) / elapsed), "goal": ">= 500"})
            delivered = Message.objects.filter(provider_sid__startswith=f"SMev{run}",
                                               status="delivered").count()
            results.append({"name": "delivery reports not applied", "value": len(threads) - delivered,
                            "unit": "events", "goal": "= 0"})
        finally:
            self.stop_worker(worker)
            self.purge(queue)
            WebhookEvent.objects.filter(event_id__contains=run).delete()
            Message.objects.filter(provider_sid__startswith=f"SMev{run}").delete()
            received = Message.objects.filter(provider_sid__startswith=f"SMin{run}")
            Conversation.objects.filter(pk__in=received.values("conversation_id"), channel="sms").delete()
        return results

    def on_queue(self, queue: str):
        """Tasks this process queues go to `queue` (and its workload queues) for a while."""
        from contextlib import contextmanager

        from celery import current_app as app  # the project's app, made current by config

        @contextmanager
        def swapped():
            previous = (app.conf.task_always_eager, app.conf.task_default_queue)
            app.conf.task_always_eager, app.conf.task_default_queue = False, queue
            try:
                yield
            finally:
                app.conf.task_always_eager, app.conf.task_default_queue = previous
        return swapped()

    def start_worker(self, queue: str, workloads: tuple[str, ...]) -> subprocess.Popen:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE, "DEBUG": "0",
               "CELERY_QUEUE": queue, "DATABASE_URL": self.database_url(), "REDIS_URL": settings.REDIS_URL,
               "LOG_LEVEL": "WARNING"}
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency=1", "--pool=prefork",
             "-Q", ",".join(f"{queue}.{workload}" for workload in workloads), "--loglevel=WARNING",
             f"--hostname={queue}@%h", "--without-gossip", "--without-mingle"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        from celery import current_app as app  # the project's app, made current by config

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if worker.poll() is not None:
                raise CommandError(f"the worker exited: {worker.stderr.read().decode()[-2000:]}")
            if app.control.ping(destination=[f"{queue}@{socket.gethostname()}"], timeout=0.5):
                return worker
        worker.kill()
        raise CommandError("the worker did not start within 60 s")

    def stop_worker(self, worker: subprocess.Popen) -> None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
