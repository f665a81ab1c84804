"""Customers' data requests: everything held about one customer exported, and erased for good.

The customer is given data in every app through the paths the product uses (webhooks,
services, the admin), then exported, then erased; after erasure no table holds any of it.
"""

import io
import json
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from carts import services as cart_services
from carts.models import Cart
from clienteling import services
from clienteling.models import AuditAction, AuditEvent, Customer, CustomerAttribute, Sale
from conversations import services as conversation_services
from tests.carts.test_checkout_demo import demo_notify, paid_notification
from tests.conversations.conftest import (  # noqa: F401  fixtures
    STORE_A_SMS,
    fake_twilio,
    messaging,
    post_signed,
    twilio,
)
from tests.conversations.test_composer import PNG
from tests.factories import ActivityFactory, CustomerFactory, NoteFactory, TaskFactory

pytestmark = pytest.mark.django_db
MARKERS = ["Zelphine", "Quorrowby", "zelphine.q", "2125550177", "Marigold", "Quillborough", "Bartholomew",
           "POS-ZQ-7781", "velvet", "size is 38"]


@pytest.fixture
def zelphine(org, shop, associate_a, company_admin, demo_account, twilio, messaging, client,  # noqa: F811
             django_capture_on_commit_callbacks):
    """A customer with something personal in every app."""
    twilio.account.refresh_from_db()
    customer = CustomerFactory(
        legal_entity=org["entity"], home_store=shop.store, primary_salesperson=associate_a,
        first_name="Zelphine", last_name="Quorrowby", email="zelphine.q@markers.example",
        phone="+12125550177", birth_date=date(1988, 4, 2), address_line1="77 Marigold Crescent",
        city="Quillborough", partner_name="Bartholomew", external_id="POS-ZQ-7781")
    attribute = CustomerAttribute.objects.create(name="Fabric", data_type="text")
    services.attribute_values_set(customer=customer, attribute=attribute, raw_values="velvet only")
    NoteFactory(customer=customer, author=associate_a, body="Zelphine prefers velvet")
    ActivityFactory(customer=customer, actor=associate_a, summary="Fitting with Zelphine")
    TaskFactory(customer=customer, assignee=associate_a, title="Call Zelphine Quorrowby")
    services.sale_record(customer=customer, store=shop.store, salesperson=associate_a, sold_at=timezone.now(),
                         lines=[{"title": "Silk Scarf", "amount": Decimal("350.00")}])
    # She writes first (a signed webhook, stored raw), gets an answer with a photo, opts in.
    with django_capture_on_commit_callbacks(execute=True):
        post_signed(client, "/webhooks/twilio/messages/", {
            "MessageSid": "SM" + "7" * 32, "From": "+12125550177", "To": STORE_A_SMS,
            "Body": "Zelphine here, my size is 38", "NumMedia": "0", "ProfileName": "Zelphine Q"},
            twilio.fake.auth_token)
    with django_capture_on_commit_callbacks(execute=True):
        thread = conversation_services.conversation_get_or_create(customer=customer, store=shop.store,
                                                                  channel="sms")
        conversation_services.message_send(
            conversation=thread, sender=associate_a, body="Hello Zelphine, here it is",
            images=[SimpleUploadedFile("coat.png", PNG, content_type="image/png")])
        services.customer_consent_set(customer=customer, channel="sms", state="opted_in", source="keyword",
                                      detail="Zelphine said yes")
        # A cart delivered to her address, paid through the demo page's signed notification.
        cart = cart_services.cart_open(customer=customer, store=shop.store, user=associate_a,
                                       conversation=thread)
        cart_services.cart_line_add(cart=cart, variant=shop.coat_s, user=associate_a, fulfilment="ship")
        cart_services.cart_delivery_set(cart=cart, user=associate_a, address={
            "name": "Zelphine Quorrowby", "line1": "77 Marigold Crescent", "city": "Quillborough",
            "zip": "10016", "country": "US"})
        cart_services.cart_shipping_set(cart=cart, user=associate_a, shipping_option_id=shop.express.pk)
        cart_services.cart_share(cart=cart, user=associate_a)
        cart.refresh_from_db()
        assert demo_notify(client, paid_notification(cart)).status_code == 200
    # The admin's own history names her too.
    client.force_login(company_admin)
    client.post(reverse("admin:clienteling_customer_changelist"), {})
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    LogEntry.objects.log_actions(user_id=company_admin.pk, queryset=[customer], action_flag=CHANGE,
                                 change_message="Changed email.", single_object=True)
    assert Cart.objects.get(pk=cart.pk).status == Cart.Status.PAID
    assert ContentType.objects.get_for_model(Customer)
    return customer


def tables_holding(markers) -> dict[str, list[str]]:
    """Every table and every marker found anywhere in its rows, read raw."""
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            text = " ".join(str(row) for row in cursor.fetchall()).lower()
            hits = [marker for marker in markers if marker.lower() in text]
            if hits:
                found[table] = hits
    return found


def test_the_test_customer_really_is_everywhere(zelphine):
    found = tables_holding(MARKERS)
    for table in ("clienteling_customer", "clienteling_note", "clienteling_customerattributevalue",
                  "conversations_message", "conversations_webhookevent", "carts_cart", "django_admin_log",
                  "clienteling_consentchange", "clienteling_task", "clienteling_activity"):
        assert table in found, table


def test_export_holds_every_part_as_json_csv_and_media(zelphine):
    archive = zipfile.ZipFile(io.BytesIO(services.customer_data_export(customer=zelphine)))
    names = set(archive.namelist())
    data = json.loads(archive.read("customer.json"))

    assert {"README.txt", "customer.json", "profile.csv", "notes.csv", "conversations.csv", "carts.csv",
            "sales.csv", "consent.csv", "attributes.csv"} <= names
    assert data["profile"][0]["email"] == "zelphine.q@markers.example"
    assert any("size is 38" in row["body"] for row in data["conversations"])
    assert any(row["delivery_line1"] == "77 Marigold Crescent" for row in data["carts"])
    assert {row["state"] for row in data["consent"]} == {"opted_in"}
    assert [name for name in names if name.startswith("media/")] and archive.read(
        next(name for name in names if name.startswith("media/"))) == PNG
    assert AuditEvent.objects.filter(action=AuditAction.DATA_EXPORT, customer=zelphine).exists()


def test_erasure_leaves_nothing_personal_in_any_table(zelphine):
    sales = Sale.objects.filter(customer=zelphine).count()

    report = services.customer_erase(customer=zelphine)

    assert tables_holding(MARKERS) == {}
    zelphine.refresh_from_db()
    assert zelphine.erased_at and str(zelphine) == f"Erased customer #{zelphine.pk}"
    assert Sale.objects.filter(customer=zelphine).count() == sales  # kept, anonymous, for the reports
    assert any("Twilio message SM" in line for line in report.provider_follow_ups)
    assert any(line.startswith("demo payment") for line in report.provider_follow_ups)
    event = AuditEvent.objects.get(action=AuditAction.ERASURE)
    assert event.customer_id == zelphine.pk


def test_an_erased_customers_cart_links_lead_nowhere(client, zelphine):
    links = [reverse("carts_public:cart", args=[token])
             for token in Cart.objects.filter(customer=zelphine).values_list("token", flat=True)]
    assert links and all(client.get(link).status_code in (200, 410) for link in links)

    services.customer_erase(customer=zelphine)

    assert all(client.get(link).status_code == 404 for link in links)


def test_an_erased_customer_is_gone_from_the_console(client, zelphine, manager):
    services.customer_erase(customer=zelphine)
    client.force_login(manager)

    assert client.get(reverse("clienteling:customer_detail", args=[zelphine.pk])).status_code == 404
    rows = client.get(reverse("clienteling:customer_list")).context["result"].rows
    assert zelphine.pk not in [row["customer"].pk for row in rows]


def test_the_commands_export_and_erase(zelphine, tmp_path):
    target = tmp_path / "request.zip"
    call_command("customer_export", zelphine.pk, output=str(target), stdout=io.StringIO())
    assert "Quorrowby" in zipfile.ZipFile(target).read("customer.json").decode()

    out = io.StringIO()
    call_command("customer_erase", zelphine.pk, yes=True, stdout=out)

    assert "erased" in out.getvalue() and "Twilio message" in out.getvalue()
    assert tables_holding(MARKERS) == {}


def test_the_admin_exports_and_erases_after_confirmation(client, company_admin, zelphine):
    client.force_login(company_admin)
    url = reverse("admin:clienteling_customer_changelist")
    chosen = {"_selected_action": [zelphine.pk], "index": "0"}

    export = client.post(url, {**chosen, "action": "export_personal_data"})
    assert export["Content-Type"] == "application/zip"
    assert "Zelphine" in zipfile.ZipFile(io.BytesIO(export.content)).read("customer.json").decode()

    asked = client.post(url, {**chosen, "action": "erase_personal_data"})
    assert "This cannot be undone" in asked.content.decode()
    wrong = client.post(url, {**chosen, "action": "erase_personal_data", "confirm": "erase"})
    assert "Type ERASE" in wrong.content.decode()
    zelphine.refresh_from_db()
    assert zelphine.erased_at is None

    done = client.post(url, {**chosen, "action": "erase_personal_data", "confirm": "ERASE"}, follow=True)
    assert "1 customer erased" in done.content.decode()
    assert tables_holding(MARKERS) == {}


def test_an_associate_has_no_data_request_actions(client, associate_a, zelphine):
    client.force_login(associate_a)
    response = client.post(reverse("admin:clienteling_customer_changelist"),
                           {"_selected_action": [zelphine.pk], "index": "0", "action": "erase_personal_data",
                            "confirm": "ERASE"})
    assert response.status_code == 302  # the admin's sign-in: not staff
    zelphine.refresh_from_db()
    assert zelphine.erased_at is None
