"""The mixed load of `manage.py bench_mixed`: associates in the console, Twilio's webhooks.

Started by the command (`locust -f bench/locustfile.py --headless ...`), which sets:

- BENCH_MIXED_USERS, BENCH_MIXED_PASSWORD: the associates' usernames (comma-separated,
  shared round-robin by the simulated associates) and their password;
- BENCH_MIXED_TWILIO_TOKEN, BENCH_MIXED_PUBLIC_URL: the auth token webhooks are signed
  with and the public base URL the signature covers (PUBLIC_BASE_URL of the server);
- BENCH_MIXED_ASSOCIATES, BENCH_MIXED_WEBHOOK_USERS, BENCH_MIXED_WEBHOOKS_PER_SECOND:
  how many of each user, and the webhooks' total rate (constant_throughput per user);
- BENCH_MIXED_READY_FILE: where to write the time every associate had signed in; the
  statistics are reset then, so they describe the steady load, not the sign-ins;
- BENCH_MIXED_DATA: a JSON file with the rest (filters to browse, threads each associate
  may write in, customers' numbers that text the stores, the Redis list of messages the
  provider fake accepted, whose status callbacks are due).

Requests are named by endpoint (`name=`), so locust's statistics group per endpoint.
Nothing here imports Django: this runs in locust's own (gevent) process.
"""

import itertools
import json
import os
import random
import re
import time
from html import unescape
from urllib.parse import urlencode, urlsplit

import gevent
import redis
from locust import FastHttpUser, between, constant_throughput, task
from twilio.request_validator import RequestValidator

ENV = os.environ
DATA = json.loads(open(ENV["BENCH_MIXED_DATA"]).read()) if ENV.get("BENCH_MIXED_DATA") else {}
USERS = [name for name in ENV.get("BENCH_MIXED_USERS", "").split(",") if name]
PASSWORD = ENV.get("BENCH_MIXED_PASSWORD", "")
PUBLIC = ENV.get("BENCH_MIXED_PUBLIC_URL", "").rstrip("/")
VALIDATOR = RequestValidator(ENV.get("BENCH_MIXED_TWILIO_TOKEN", ""))
ASSOCIATES = int(ENV.get("BENCH_MIXED_ASSOCIATES", "1"))
WEBHOOK_USERS = int(ENV.get("BENCH_MIXED_WEBHOOK_USERS", "1"))
WEBHOOK_RATE = float(ENV.get("BENCH_MIXED_WEBHOOKS_PER_SECOND", "1"))
# Of the webhooks, this share are delivery reports (when the fake accepted messages
# that still wait for theirs); the rest are customers' texts.
STATUS_SHARE = float(DATA.get("status_share", 2 / 3))
# How often a browser asks for the unread badge, and a thread page for new messages.
BADGE_EVERY = float(DATA.get("badge_every", 10))
THREAD_POLL_EVERY = 5.0

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PROFILE_LINK = re.compile(r'href="/customers/(\d+)/"')
THREAD_LINK = re.compile(r'href="/conversations/(\d+)/"')
NEXT_PAGE = re.compile(r'href="(/customers/\?[^"]*cursor=[^"]+)"')
DEFERRED_COUNT = re.compile(r'hx-get="(/customers/count/\?[^"]*)"')
TEMPLATE_OPTION = re.compile(r'name="template"[^>]*>\s*<option value="(\d+)"')

_usernames = itertools.cycle(USERS or ["associate"])
_signed_in = 0
_sids = itertools.count(1)
_redis = redis.Redis.from_url(DATA["redis_url"]) if DATA.get("redis_url") else None


class AssociateUser(FastHttpUser):
    """An associate on a phone in the store: Today, the customer list, profiles, threads."""

    fixed_count = ASSOCIATES
    # People read what they opened before the next tap.
    wait_time = between(float(DATA.get("think_min", 3)), float(DATA.get("think_max", 10)))

    def on_start(self):
        self.username = next(_usernames)
        self.customers: list[str] = []
        self.threads: list[str] = []
        self.sendable = [str(pk) for pk in DATA.get("sendable_threads", {}).get(self.username, [])]
        self.badge_at = 0.0
        self.sign_in()

    def sign_in(self):
        page = self.client.get("/login/", name="/login/")
        token = CSRF_INPUT.search(page.text or "")
        with self.client.post("/login/", data={
                "csrfmiddlewaretoken": token.group(1) if token else "", "username": self.username,
                "password": PASSWORD}, name="/login/ [sign in]", allow_redirects=False,
                catch_response=True) as answer:
            if answer.status_code != 302:
                answer.failure(f"sign-in as {self.username} answered {answer.status_code}")
                return
        self.all_signed_in()

    def all_signed_in(self) -> None:
        """The last associate in: statistics start again from here (the steady load)."""
        global _signed_in
        _signed_in += 1
        if _signed_in != ASSOCIATES:
            return
        self.environment.runner.stats.reset_all()
        if ENV.get("BENCH_MIXED_READY_FILE"):
            with open(ENV["BENCH_MIXED_READY_FILE"], "w") as handle:
                handle.write(str(time.time()))

    # --- what a browser does on its own after a page ---------------------------------------

    def page(self, path: str, name: str, *, htmx_target: str = "") -> str:
        headers = {"HX-Request": "true", "HX-Target": htmx_target} if htmx_target else {}
        text = self.client.get(path, name=name, headers=headers).text or ""
        self.after_page(text)
        return text

    def after_page(self, text: str) -> None:
        if found := DEFERRED_COUNT.search(text):  # the count that ran out of time in the page
            self.client.get(unescape(found.group(1)), name="/customers/count/",
                            headers={"HX-Request": "true"})
        now = time.monotonic()
        if now - self.badge_at >= BADGE_EVERY:
            self.badge_at = now
            self.client.get("/conversations/unread/?place=top", name="/conversations/unread/",
                            headers={"HX-Request": "true"})

    def csrf(self) -> str:
        for cookie in self.client.cookiejar:
            if cookie.name == "csrftoken":
                return cookie.value
        return ""

    # --- tasks -----------------------------------------------------------------------------

    @task(2)
    def today(self):
        self.page("/", "/ [today]")

    @task(4)
    def customer_list(self):
        text = self.page("/customers/", "/customers/")
        self.remember_customers(text)
        filters = DATA.get("filters") or []
        for _n in range(random.randint(1, 2)):
            if not filters:
                break
            query = random.choice(filters)
            text = self.page(f"/customers/?{query}", "/customers/ [filter]", htmx_target="results")
            self.remember_customers(text)
        if random.random() < 0.5 and (found := NEXT_PAGE.search(text)):
            text = self.page(unescape(found.group(1)), "/customers/ [next page]", htmx_target="results")
            self.remember_customers(text)

    @task(4)
    def profile(self):
        if not self.customers:
            return self.customer_list()
        self.page(f"/customers/{random.choice(self.customers)}/", "/customers/<id>/")

    @task(3)
    def thread(self):
        text = self.page("/conversations/", "/conversations/")
        found = THREAD_LINK.findall(text)
        self.threads = found[:50] or self.threads
        choices = self.threads or self.sendable
        if choices:
            self.open_thread(random.choice(choices))

    @task(1)
    def send(self):
        if not self.sendable:
            return
        thread = random.choice(self.sendable)
        self.open_thread(thread)
        with self.client.post(f"/conversations/{thread}/send/", name="/conversations/<id>/send/",
                              data={"body": f"Hello, it is {self.username} from the store: the piece "
                                            f"you asked about is in ({random.randint(1, 10**6)})."},
                              headers={"HX-Request": "true", "HX-Target": "thread",
                                       "X-CSRFToken": self.csrf()},
                              catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"send answered {answer.status_code}: {(answer.text or '')[:200]}")

    def open_thread(self, thread: str) -> None:
        text = self.page(f"/conversations/{thread}/", "/conversations/<id>/")
        if found := TEMPLATE_OPTION.search(text):  # the template preview loads with the page
            self.client.get(f"/conversations/{thread}/preview/?{urlencode({'template': found.group(1)})}",
                            name="/conversations/<id>/preview/", headers={"HX-Request": "true"})
        # The page asks for new messages every 5 s while the associate reads it.
        for _n in range(random.randint(0, 2)):
            gevent.sleep(THREAD_POLL_EVERY)
            self.client.get(f"/conversations/{thread}/poll/", name="/conversations/<id>/poll/",
                            headers={"HX-Request": "true"})

    def remember_customers(self, text: str) -> None:
        found = PROFILE_LINK.findall(text)
        if found:
            self.customers = found[:50]


class WebhookUser(FastHttpUser):
    """Twilio: customers' texts and delivery reports for the messages it accepted, signed."""

    fixed_count = WEBHOOK_USERS
    wait_time = constant_throughput(WEBHOOK_RATE / max(1, WEBHOOK_USERS))

    @task
    def webhook(self):
        if _redis is not None and random.random() < STATUS_SHARE and self.status_callback():
            return
        self.inbound()

    def inbound(self):
        sender, store_number = random.choice(DATA["inbound_from"])
        params = {"MessageSid": f"SM{DATA['run']}a{next(_sids):023d}", "SmsSid": "",
                  "AccountSid": DATA["account_sid"], "From": sender, "To": store_number,
                  "Body": random.choice(BODIES), "NumMedia": "0", "ApiVersion": "2010-04-01"}
        params["SmsSid"] = params["MessageSid"]
        self.post_signed(DATA["inbound_path"], params, "/webhooks/twilio/messages/")

    def status_callback(self) -> bool:
        """A delivery report due: "sent" for a message the fake accepted, later "delivered"."""
        raw, status = _redis.lpop(DATA["sent_key"]), "sent"
        if raw is None:
            raw, status = _redis.lpop(DATA["delivered_key"]), "delivered"
        if raw is None:
            return False
        message = json.loads(raw)
        url = urlsplit(message["callback"])
        params = {"MessageSid": message["sid"], "SmsSid": message["sid"], "MessageStatus": status,
                  "SmsStatus": status, "AccountSid": DATA["account_sid"], "From": message["from"],
                  "To": message["to"], "ApiVersion": "2010-04-01"}
        self.post_signed(f"{url.path}?{url.query}" if url.query else url.path, params,
                         "/webhooks/twilio/status/")
        if status == "sent":
            _redis.rpush(DATA["delivered_key"], raw)
        return True

    def post_signed(self, path: str, params: dict, name: str) -> None:
        signature = VALIDATOR.compute_signature(PUBLIC + path, params)
        self.client.post(path, data=urlencode(params), name=name, headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})


BODIES = [
    "Thank you! Is the navy cashmere coat still available in a 40?",
    "Could you hold the loafers for me until Saturday?",
    "Perfect, see you at 3pm.",
    "Do you have the silk scarf in green?",
    "Can I pay by link? I am travelling this week.",
    "Great, thanks so much!",
]
