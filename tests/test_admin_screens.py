"""Every Company Admin screen, on real rows: each list shows them, each add page opens or is refused.

The rows come from `seed_demo` plus the few kinds the demo does not make (a shared and
paid cart, a product share, a bulk job ...), made through the services that make them.
"""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from api.services.keys import api_key_create
from api.services.webhooks import webhook_endpoint_create, webhook_test_send
from carts import services as cart_services
from carts.models import Cart, PaymentEvent
from catalog import services as catalog_services
from catalog.models import ProductVariant
from clienteling import services as clienteling_services
from clienteling.models import (
    BulkJob,
    Customer,
    CustomerAttribute,
    CustomerCardProperty,
    ExternalMeasure,
    ListTemplate,
    MeasuresModel,
    Shift,
    StaffProfile,
    Store,
)
from conversations.models import ArchivePolicy, MetaWhatsAppAccount, TwilioAccount, WebhookEvent
from imports.services import import_job_create
from tests.carts.test_checkout_demo import demo_notify, paid_notification

pytestmark = pytest.mark.django_db

MAX_LIST_QUERIES = 16
REGISTERED = sorted((model._meta.app_label, model._meta.model_name) for model in admin.site._registry)
# Written by the product, never by hand: the admin shows them and offers no "add".
READ_ONLY = {
    ("carts", "cart"), ("carts", "paymentevent"), ("carts", "paymentlink"), ("catalog", "productshare"),
    ("clienteling", "bulkjob"), ("clienteling", "modulesettings"),
    ("conversations", "archivepolicy"), ("conversations", "webhookevent"),
    ("axes", "accessattempt"), ("axes", "accessfailurelog"), ("axes", "accesslog"),
    ("clienteling", "auditevent"), ("clienteling", "numbersequence"),
    ("appointments", "appointment"), ("appointments", "bookingpage"),
    ("api", "webhookdelivery"),
    ("clienteling", "externalmeasure"), ("clienteling", "measuresmodel"),
}
# "Add" is an upload form of its own (a file, then its preview), not the model's fields.
UPLOAD_FORMS = {("imports", "importjob")}


def test_the_read_only_table_names_registered_screens():
    assert READ_ONLY <= set(REGISTERED)


@pytest.fixture
def every_kind_of_row(client, django_capture_on_commit_callbacks):
    """The demo company, and one row of each kind the demo does not make."""
    call_command("seed_demo", customers=20, stdout=StringIO())
    admin_user = get_user_model().objects.get(username="admin")
    associate = get_user_model().objects.get(username="associate.ny1")
    store = Store.objects.get(code="ny")
    customer = Customer.objects.filter(home_store=store).exclude(email="").first()
    variant = ProductVariant.objects.filter(
        active=True, product__active=True, stock_levels__location=store.stock_location,
        stock_levels__on_hand__gt=F("stock_levels__reserved")).first()
    # A cart shared and paid through the demo provider: a cart, its link, a payment event.
    cart = cart_services.cart_open(customer=customer, store=store, user=associate)
    cart_services.cart_line_add(cart=cart, variant=variant, user=associate)
    with django_capture_on_commit_callbacks(execute=True):  # the tasks run eagerly after commit
        cart_services.cart_share(cart=cart, user=associate, channel="email")
        cart.refresh_from_db()
        assert demo_notify(client, paid_notification(cart)).status_code == 200
    catalog_services.product_share_create(product=variant.product, created_by=associate, currency="USD")
    clienteling_services.note_create(customer=customer, author=associate, body="Prefers navy", store=store)
    BulkJob.objects.create(action="tag", created_by=admin_user, total=3)
    # A fitted model (the nightly fit needs more history than 20 customers) and an imported measure.
    MeasuresModel.objects.create(cutoff=timezone.localdate(), horizon_days=365, payload=b"",
                                 quality={"churn_auc": 0.8, "churn_auc_baseline": 0.7})
    ExternalMeasure.objects.create(customer=customer, source="Customer Insights", name="CLV", value="900",
                                   imported_at=timezone.now())
    ListTemplate.objects.create(owner=admin_user, name="VIP this month", is_template=True,
                                template_status=ListTemplate.TemplateStatus.PUBLISHED)
    Shift.objects.create(store=store, staff=associate, starts_at=timezone.now(),
                         ends_at=timezone.now() + timedelta(hours=8))
    ArchivePolicy.objects.get_or_create(pk=1)
    TwilioAccount.objects.create(account_sid="AC" + "1" * 32, auth_token="secret-token")
    MetaWhatsAppAccount.objects.create(
        phone_number_id="106540352242922", business_account_id="102290129340398",
        access_token="meta-token", app_secret="meta-secret", verify_token="verify")
    WebhookEvent.objects.create(provider="twilio", event_id="SM" + "2" * 32, kind="inbound", payload={})
    # An integrator's key and webhook endpoint, and one delivery in its log (not sent: no worker).
    api_key_create(name="POS", legal_entity=store.legal_entity, scopes=["customers:read"])
    webhook_test_send(endpoint=webhook_endpoint_create(legal_entity=store.legal_entity, name="CRM",
                                                       url="https://crm.example.com/hooks", events=[])[0])
    # A file uploaded for import, waiting for its preview to be confirmed.
    import_job_create(kind="customers", legal_entity=store.legal_entity, created_by=admin_user,
                      upload=SimpleUploadedFile("customers.csv",
                                                b"external_id,first_name,last_name\nX1,Ada,Lovelace\n"))
    # A wrong password and a sign-in: the lockout screens' rows.
    client.post("/login/", {"username": "associate.ny2", "password": "wrong"})
    client.post("/login/", {"username": "associate.ny1", "password": "atelier-demo"})
    client.logout()
    return admin_user


def test_every_admin_list_shows_its_rows(client, every_kind_of_row,
                                         django_assert_max_num_queries):
    client.force_login(every_kind_of_row)  # the demo's company admin
    empty, missing = [], []
    for app_label, model_name in REGISTERED:
        model = next(m for m in admin.site._registry if (m._meta.app_label, m._meta.model_name)
                     == (app_label, model_name))
        if not model._default_manager.exists():
            empty.append(model_name)
            continue
        # Up to a hundred rows a page, and no query per row.
        with django_assert_max_num_queries(MAX_LIST_QUERIES, info=model_name):
            response = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"), follow=True)
        assert response.status_code == 200, model_name
        prefix = reverse(f"admin:{app_label}_{model_name}_changelist")
        if response.redirect_chain:  # a one-row setting opens its form straight away
            shown = {int(re.search(r"/(\d+)/change/$", response.redirect_chain[-1][0]).group(1))}
        else:
            shown = {int(pk) for pk in re.findall(rf'href="{prefix}(\d+)/change/', response.content.decode())}
        if not shown or model._default_manager.filter(pk__in=shown).count() != len(shown):
            missing.append(model_name)
    assert empty == [] and missing == []
    assert PaymentEvent.objects.exists() and Cart.objects.filter(status=Cart.Status.PAID).exists()


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
def test_company_admin_opens_every_add_page_but_the_read_only_ones(client, company_admin, app_label,
                                                                   model_name):
    assert StaffProfile.objects.get(user=company_admin).role == StaffProfile.Role.COMPANY_ADMIN
    client.force_login(company_admin)

    response = client.get(reverse(f"admin:{app_label}_{model_name}_add"))

    if (app_label, model_name) in READ_ONLY:
        assert response.status_code == 403
    elif (app_label, model_name) in UPLOAD_FORMS:
        assert response.status_code == 200
        assert b'<form' in response.content and b'type="file"' in response.content
    else:
        assert response.status_code == 200
        assert b'<form' in response.content and b'name="_save"' in response.content


def test_the_card_takes_three_properties_then_refuses_a_fourth(client, company_admin):
    client.force_login(company_admin)
    url = reverse("admin:clienteling_customercardproperty_add")
    assert client.get(url).status_code == 200
    for position in range(1, CustomerCardProperty.MAX_PROPERTIES + 1):
        attribute = CustomerAttribute.objects.create(name=f"Attribute {position}", data_type="text")
        CustomerCardProperty.objects.create(attribute=attribute, position=position)

    assert client.get(url).status_code == 403
