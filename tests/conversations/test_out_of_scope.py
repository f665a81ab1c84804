"""Staff of another store change nothing in a thread (every view and role: tests/test_access_matrix.py).

The associate of store B (another legal entity) gets 404 for each write, so ids cannot be
probed, and the thread, its messages and its schedule stay as they were.
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


# The writes of a thread, none of which reaches a thread of another store.
POSTS = [
    ("send", thread, {"body": "Hello"}),
    ("opt_in", thread, {}),
    ("product_share", thread, {"product": "PRODUCT"}),
    ("assign", thread, {"assignee": "MANAGER"}),
    ("archive", thread, {}),
    ("simulate_reply", thread, {"body": "START"}),
    ("scheduled_cancel", lambda o: [o["thread"].pk, o["scheduled"].pk], {}),
    ("start", lambda o: [o["customer"].pk], {"store": "STORE", "channel": "sms"}),
]
PLACEHOLDERS = {"TEMPLATE": "template", "PRODUCT": "product", "MANAGER": "manager", "STORE": "store"}


def fill(data: dict, objects: dict) -> dict:
    return {key: objects[PLACEHOLDERS[value]].pk if value in PLACEHOLDERS else value
            for key, value in data.items()}


def test_staff_of_another_store_change_nothing(client, users, objects, django_capture_on_commit_callbacks):
    client.force_login(users["associate_b"])
    before = Message.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        for name, args, data in POSTS:
            assert client.post(reverse(f"conversations:{name}", args=args(objects)),
                               fill(data, objects)).status_code == 404
    assert Message.objects.count() == before
    objects["thread"].refresh_from_db()
    assert objects["thread"].status == "open" and objects["thread"].assigned_to_id != users["associate_b"].pk
    objects["scheduled"].refresh_from_db()
    assert objects["scheduled"].status == Message.Status.SCHEDULED
