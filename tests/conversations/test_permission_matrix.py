"""Each role against each conversations view, GET and POST: who gets in, who sees 404, who signs in first.

Store A's thread is seen by the company admin, store A's manager and associate;
the associate of store B (another legal entity) gets 404 everywhere, so ids
cannot be probed. "login" means a redirect to the sign-in page.
"""

from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clienteling.models import BulkJob, Channel
from conversations import services
from conversations.models import Message
from tests.factories import ProductFactory, TagFactory

from .conftest import STORE_A_SMS, mapped_template, opt_in
from .test_composer import PNG

pytestmark = pytest.mark.django_db

ROLES = ["admin", "manager", "associate_a", "associate_b", None]
SCOPED = ("ok", "ok", "ok", 404, "login")  # a store A thread
EVERY_STAFF = ("ok", "ok", "ok", "ok", "login")


@pytest.fixture
def users(company_admin, manager, associate_a, associate_b):
    return {"admin": company_admin, "manager": manager, "associate_a": associate_a,
            "associate_b": associate_b}


@pytest.fixture
def objects(org, twilio, messaging, sms_thread, customer_a, associate_a, manager):
    opt_in(customer_a)
    template = mapped_template(body="Hi {{1}}", sources=("customer_first_name",))
    scheduled = services.message_send(conversation=sms_thread, sender=associate_a, body="Later",
                                      scheduled_for=datetime(2031, 1, 1, tzinfo=UTC))
    media = f"{twilio.fake.base_url}/2010-04-01/Accounts/{twilio.fake.account_sid}/Messages/MM1/Media/ME1"
    image = services.inbound_receive(store=org["store_a"], from_number=str(customer_a.phone),
                                     to_number=STORE_A_SMS, channel=Channel.SMS, body="", media_urls=[media],
                                     provider_sid="SM" + "9" * 32, received_at=datetime.now(UTC))
    public = services.media_store(SimpleUploadedFile("a.png", PNG, content_type="image/png"))
    return {
        "thread": sms_thread, "customer": customer_a, "template": template, "scheduled": scheduled,
        "image": image, "public_name": public.rsplit("/", 1)[1], "store": org["store_a"],
        "campaign": TagFactory(name="Summer Campaign", is_outreach_list=True),
        "job": BulkJob.objects.create(action="send_message", created_by=associate_a, store=org["store_a"]),
        "product": ProductFactory(), "manager": manager,
    }


def thread(o):
    return [o["thread"].pk]


# view name, args, query (GET) or data (POST), expected per role (admin, manager, associate_a,
# associate_b, anonymous).
GETS = [
    ("inbox", lambda o: [], {}, EVERY_STAFF),
    ("store_inbox", lambda o: [o["store"].pk], {}, SCOPED),
    ("archived", lambda o: [], {}, EVERY_STAFF),
    ("archived_store", lambda o: [o["store"].pk], {}, SCOPED),
    ("unread_badge", lambda o: [], {}, EVERY_STAFF),
    ("outreach_lists", lambda o: [], {}, EVERY_STAFF),
    ("outreach_detail", lambda o: [o["campaign"].pk], {}, EVERY_STAFF),
    ("outreach_job", lambda o: [o["campaign"].pk, o["job"].pk], {}, (404, 404, "ok", 404, "login")),
    ("detail", thread, {}, SCOPED),
    ("poll", thread, {}, SCOPED),
    ("preview", thread, {"template": "TEMPLATE"}, SCOPED),
    ("product_picker", thread, {"q": "coat"}, SCOPED),
    ("inbound_media", lambda o: [o["thread"].pk, o["image"].pk, 0], {}, SCOPED),
    ("public_media", lambda o: [o["public_name"]], {}, ("ok", "ok", "ok", "ok", "ok")),
    # POST-only views refuse a GET once signed in.
    ("send", thread, {}, (405, 405, 405, 405, "login")),
    ("archive", thread, {}, (405, 405, 405, 405, "login")),
]
THREAD_PAGE = "/conversations/{thread}/"
# The last item: where a permitted POST lands.
POSTS = [
    ("send", thread, {"body": "Hello"}, SCOPED, THREAD_PAGE),
    ("opt_in", thread, {}, SCOPED, THREAD_PAGE),
    ("product_share", thread, {"product": "PRODUCT"}, SCOPED, THREAD_PAGE),
    ("assign", thread, {"assignee": "MANAGER"}, SCOPED, THREAD_PAGE),
    ("archive", thread, {}, SCOPED, "/conversations/"),
    # The demo reply exists only with the console provider; here texts go to Twilio.
    ("simulate_reply", thread, {"body": "START"}, (404, 404, 404, 404, "login"), None),
    ("scheduled_cancel", lambda o: [o["thread"].pk, o["scheduled"].pk], {}, SCOPED, THREAD_PAGE),
    ("start", lambda o: [o["customer"].pk], {"store": "STORE", "channel": "sms"}, SCOPED, THREAD_PAGE),
    ("outreach_send", lambda o: [o["campaign"].pk], {"template": "TEMPLATE"}, EVERY_STAFF,
     "/conversations/outreach/{campaign}/?job={job}"),
    # GET-only views refuse a POST once signed in.
    ("detail", thread, {}, (405, 405, 405, 405, "login"), None),
    ("inbox", lambda o: [], {}, (405, 405, 405, 405, "login"), None),
]
PLACEHOLDERS = {"TEMPLATE": "template", "PRODUCT": "product", "MANAGER": "manager", "STORE": "store"}


def fill(data: dict, objects: dict) -> dict:
    return {key: objects[PLACEHOLDERS[value]].pk if value in PLACEHOLDERS else value
            for key, value in data.items()}


def check(response, expected, lands: str | None = None):
    """"ok" is exact: a page (200) for a GET, a redirect to where the action lands for a POST."""
    if expected == "login":
        assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
    elif expected == "ok" and lands is None:
        assert response.status_code == 200
    elif expected == "ok":
        assert response.status_code == 302
        assert response["Location"] == lands
    else:
        assert response.status_code == expected


def ids(rows):
    return [f"{method}-{row[0]}" for method, row in rows]


ROWS = [("get", (*r, None)) for r in GETS] + [("post", r) for r in POSTS]


@pytest.mark.parametrize(("method", "row"), ROWS, ids=ids(ROWS))
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=[str(r) for r in ROLES])
def test_view_access(client, users, objects, method, row, role_index, django_capture_on_commit_callbacks):
    name, args, data, expected, lands = row
    role = ROLES[role_index]
    if role:
        client.force_login(users[role])
    url = reverse(f"conversations:{name}", args=args(objects))
    with django_capture_on_commit_callbacks(execute=True):
        response = getattr(client, method)(url, fill(data, objects))
    if lands:
        job = BulkJob.objects.order_by("-pk").values_list("pk", flat=True).first()
        lands = lands.format(thread=objects["thread"].pk, campaign=objects["campaign"].pk, job=job)
    check(response, expected[role_index], lands)


def test_staff_of_another_store_change_nothing(client, users, objects, django_capture_on_commit_callbacks):
    client.force_login(users["associate_b"])
    before = Message.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        for name, args, data, _expected, _lands in POSTS[:8]:
            assert client.post(reverse(f"conversations:{name}", args=args(objects)),
                               fill(data, objects)).status_code == 404
    assert Message.objects.count() == before
    objects["thread"].refresh_from_db()
    assert objects["thread"].status == "open" and objects["thread"].assigned_to_id != users["associate_b"].pk
    objects["scheduled"].refresh_from_db()
    assert objects["scheduled"].status == Message.Status.SCHEDULED
