"""Every URL against every kind of visitor, in one table generated from the URLconf.

Visitors: anonymous, a company admin, a store manager and an associate of store A, an
associate of another store of the same legal entity, and an associate of another legal
entity. Objects belong to store A (or its legal entity). Objects out of a visitor's scope
answer 404, so ids cannot be probed. A URL without a row fails the test, so every new
URL gets one. Each request runs in a savepoint that is rolled back: one visitor's POST
never changes what the next one sees.

The same walk checks what an associate without "view sensitive customer data" reads:
no page or fragment holds a seeded customer's phone number, email or address.
"""

import fnmatch
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from carts import services as cart_services
from carts.models import PaymentLink
from catalog import services as catalog_services
from clienteling import services
from clienteling.models import BulkJob, Channel, ProfileSection, SavedCustomerList, StaffProfile, TagUpload
from clienteling.services.self_service import self_service_link_issue
from conversations import services as conversation_services
from tests.carts.conftest import demo_account, shop  # noqa: F401  fixtures
from tests.conversations.conftest import (  # noqa: F401  fixtures
    STORE_A_SMS,
    fake_twilio,
    mapped_template,
    messaging,
    opt_in,
    twilio,
)
from tests.conversations.test_composer import PNG
from tests.factories import CustomerFactory, NoteFactory, TagFactory, TaskFactory, make_staff

pytestmark = pytest.mark.django_db

VISITORS = ("anonymous", "admin", "manager", "associate", "other_store", "other_entity")
# Seeded contact details the associates must never read (the customers have no name).
SENSITIVE = {"phone": "+12125550142", "email": "unnamed.prospect@private.example",
             "line1": "9 Hidden Lane", "phone_b": "+12125550143",
             "email_b": "second.prospect@private.example"}

LOGIN = "login"  # a redirect to the console's sign-in
ADMIN_LOGIN = "admin login"  # a redirect to the admin's sign-in
OK = 200


def walk(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            yield from walk(pattern.url_patterns,
                            f"{namespace}:{inner}".strip(":") if inner else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}".strip(":")


URL_NAMES = sorted(set(walk(get_resolver().url_patterns)))


@pytest.fixture
def visitors(company_admin, manager, associate_a, associate_b, org):
    other_store = make_staff(StaffProfile.Role.ASSOCIATE, org["store_a2"], username="associate.a2")
    return {"anonymous": None, "admin": company_admin, "manager": manager, "associate": associate_a,
            "other_store": other_store, "other_entity": associate_b}


@pytest.fixture
def world(org, shop, demo_account, twilio, messaging, customer_a, associate_a, manager,  # noqa: F811
          django_capture_on_commit_callbacks):
    """Everything the URLs point at, in store A (or its legal entity)."""
    store = org["store_a"]
    prospect = CustomerFactory(legal_entity=org["entity"], home_store=store, first_name="", last_name="",
                               is_prospect=True, phone=SENSITIVE["phone"], email=SENSITIVE["email"],
                               address_line1=SENSITIVE["line1"], city="Hidden City",
                               primary_salesperson=associate_a)
    second = CustomerFactory(legal_entity=org["entity"], home_store=store, first_name="", last_name="",
                             phone=SENSITIVE["phone_b"], email=SENSITIVE["email_b"],
                             primary_salesperson=associate_a)
    book = services.client_book_get_or_create(owner=associate_a, legal_entity=org["entity"])
    for customer in (prospect, second, customer_a):
        services.client_book_add(book=book, customer=customer, added_by=associate_a)
    opt_in(customer_a)
    opt_in(prospect)
    thread = conversation_services.conversation_get_or_create(customer=prospect, store=store,
                                                              channel=Channel.SMS,
                                                              user=associate_a)
    with django_capture_on_commit_callbacks(execute=True):
        image = conversation_services.inbound_receive(
            store=store, from_number=SENSITIVE["phone"], to_number=STORE_A_SMS, channel=Channel.SMS,
            body="Is the coat in?", received_at=datetime.now(UTC), provider_sid="SM" + "4" * 32,
            media_urls=[f"{twilio.fake.base_url}/2010-04-01/Accounts/{twilio.fake.account_sid}/Messages/MM1/Media/ME1"])
        scheduled = conversation_services.message_send(conversation=thread, sender=associate_a, body="Later",
                                                       scheduled_for=datetime(2031, 1, 1, tzinfo=UTC))
        public = conversation_services.media_store(SimpleUploadedFile("a.png", PNG, content_type="image/png"))
        cart = cart_services.cart_open(customer=prospect, store=store, user=associate_a, conversation=thread)
        line = cart_services.cart_line_add(cart=cart, variant=shop.scarf_os, user=associate_a)
        cart_services.cart_share(cart=cart, user=associate_a)
    cart.refresh_from_db()
    campaign = TagFactory(name="Spring", is_outreach_list=True)
    return {
        "store": store, "prospect": prospect, "customer": customer_a, "thread": thread, "image": image,
        "scheduled": scheduled, "public_media": public.rsplit("/", 1)[1], "cart": cart, "line": line,
        "link": PaymentLink.objects.get(cart=cart),
        "share": catalog_services.product_share_create(product=shop.coat, created_by=associate_a,
                                                       currency="USD"),
        "product": shop.coat, "variant": shop.coat_s,
        "note": NoteFactory(customer=prospect, author=associate_a, store=store),
        "task": TaskFactory(customer=prospect, assignee=associate_a, created_by=associate_a, store=store),
        "contact_section": ProfileSection.objects.get(kind="contact"),
        "attributes_section": ProfileSection.objects.filter(kind="attributes").first(),
        "saved": SavedCustomerList.objects.create(owner=associate_a, name="Mine"),
        "template": SavedCustomerList.objects.create(owner=manager, name="Company", is_template=True,
                                                     template_status="published"),
        "store_template": SavedCustomerList.objects.create(owner=manager, name="New York", is_template=True,
                                                           template_status="draft", store=store),
        "job": BulkJob.objects.create(action="add_tag", created_by=associate_a, store=store),
        "campaign": campaign, "campaign_job": BulkJob.objects.create(action="send_message",
                                                                     created_by=associate_a, store=store),
        "message_template": mapped_template(body="Hi {{1}}", sources=("customer_first_name",)),
        "tag": TagFactory(name="VIP"), "manager": manager,
        "details_token": self_service_link_issue(customer=prospect, user=associate_a).token,
        "upload": TagUpload.objects.create(created_by=associate_a, tag=campaign, kind="id"),
    }


def visit(client, user, method: str, url: str, data: dict):
    client.logout()
    if user is not None:
        client.force_login(user)
    with transaction.atomic():
        response = getattr(client, method)(url, data)
        transaction.set_rollback(True)
    return response


def outcome(response) -> object:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/login/"):
            return LOGIN
        if location.startswith("/admin/login/"):
            return ADMIN_LOGIN
        return ("redirect", location)
    return response.status_code


def cid(w):
    return [w["prospect"].pk]


def thread(w):
    return [w["thread"].pk]


def cart(w):
    return [w["cart"].pk]


# A browser's push subscription as pushManager.subscribe() gives it (a P-256 point, a 16-byte secret).
PUSH_SUBSCRIPTION = {"endpoint": "https://push.example.com/send/1",
                     "p256dh": "BA" + "Q" * 85, "auth": "AAAAAAAAAAAAAAAAAAAAAA"}


# url name -> [(method, args(world), data(world))]
REQUESTS = {
    "clienteling:today": [("get", lambda w: [], {})],
    "clienteling:customer_list": [("get", lambda w: [], {})],
    "clienteling:filter_group": [("get", lambda w: ["dates"], {})],
    "clienteling:customer_count": [("get", lambda w: [], {})],
    "clienteling:sku_options": [("get", lambda w: [], {"skus": "SKU"})],
    "clienteling:grid_columns": [("get", lambda w: [], {}), ("post", lambda w: [], {"columns": ["email"]})],
    "clienteling:customer_export": [("get", lambda w: [], {})],
    "clienteling:saved_list_create": [("post", lambda w: [], {"name": "Mine too"})],
    "clienteling:saved_list_update": [("post", lambda w: [w["saved"].pk], {})],
    "clienteling:saved_list_delete": [("post", lambda w: [w["saved"].pk], {})],
    "clienteling:list_templates": [("get", lambda w: [], {})],
    "clienteling:list_template_copy": [("post", lambda w: [w["template"].pk], {})],
    "clienteling:list_template_manage": [("get", lambda w: [], {})],
    "clienteling:list_template_create": [("get", lambda w: [], {})],
    "clienteling:list_template_edit": [("get", lambda w: [w["store_template"].pk], {}),
                                       ("get", lambda w: [w["template"].pk], {})],
    "clienteling:list_template_status": [("post", lambda w: [w["store_template"].pk],
                                          {"status": "published"})],
    "clienteling:bulk_action_form": [("get", lambda w: ["add_tag"], {}), ("get", lambda w: ["assign"], {}),
                                     ("get", lambda w: ["assign_store"], {})],
    "clienteling:bulk_action_start": [("post", lambda w: ["add_to_my_book"], {"ids": "@prospect"})],
    "clienteling:bulk_job_status": [("get", lambda w: [w["job"].pk], {})],
    "clienteling:tag_upload": [("get", lambda w: [], {}), ("post", lambda w: [], {})],
    "clienteling:tag_upload_status": [("get", lambda w: [w["upload"].pk], {})],
    "clienteling:tag_upload_unmatched": [("get", lambda w: [w["upload"].pk], {})],
    "clienteling:my_details_link": [("get", cid, {}), ("post", cid, {"action": "show"})],
    "clienteling:my_client_book": [("get", lambda w: [], {})],
    "clienteling:client_book_remove": [("post", lambda w: [], {"ids": "@prospect"})],
    "clienteling:store_client_book": [("get", lambda w: [], {})],
    "clienteling:client_book_reassign": [("post", lambda w: [], {
        "ids": "@prospect", "from_owner": "@associate_user", "to_owner": "@manager_user"})],
    "clienteling:customer_detail": [("get", cid, {})],
    "clienteling:profile_section": [("get", lambda w: [w["prospect"].pk, w["contact_section"].pk], {})],
    "clienteling:profile_timeline": [("get", cid, {})],
    "clienteling:profile_note_create": [("get", cid, {}), ("post", cid, {"body": "Likes navy"})],
    "clienteling:profile_note_edit": [("get", lambda w: [w["prospect"].pk, w["note"].pk], {})],
    "clienteling:profile_note_pin": [("post", lambda w: [w["prospect"].pk, w["note"].pk], {"pinned": "1"})],
    "clienteling:profile_task_create": [("get", cid, {})],
    "clienteling:profile_task_done": [("post", lambda w: [w["prospect"].pk, w["task"].pk], {"done": "1"})],
    "clienteling:profile_activity_create": [("get", cid, {})],
    "clienteling:profile_contact_edit": [("get", cid, {})],
    "clienteling:profile_attributes_edit": [("get", lambda w: [w["prospect"].pk, w["attributes_section"].pk],
                                             {})],
    "clienteling:profile_tags": [("get", cid, {})],
    "clienteling:profile_tags_edit": [("get", cid, {})],
    "clienteling:profile_client_book_add": [("post", cid, {})],
    "clienteling:profile_client_book_remove": [("post", cid, {})],
    "clienteling:profile_home_store_edit": [("get", cid, {}), ("post", cid, {"store": "@store"})],
    "conversations:inbox": [("get", lambda w: [], {})],
    "conversations:store_inbox": [("get", lambda w: [w["store"].pk], {})],
    "conversations:archived": [("get", lambda w: [], {})],
    "conversations:archived_store": [("get", lambda w: [w["store"].pk], {})],
    "conversations:whatsapp_setup": [("get", lambda w: [w["store"].pk], {})],
    "conversations:whatsapp_test": [("post", lambda w: [w["store"].pk], {"to": "+12125550177"}),
                                    ("get", lambda w: [w["store"].pk], {})],
    "conversations:whatsapp_first_message": [("get", lambda w: [w["store"].pk], {"since": "0"})],
    "conversations:unread_badge": [("get", lambda w: [], {})],
    "conversations:outreach_lists": [("get", lambda w: [], {})],
    "conversations:outreach_detail": [("get", lambda w: [w["campaign"].pk], {})],
    "conversations:outreach_campaign": [("get", lambda w: [w["campaign"].pk], {})],
    "conversations:outreach_send": [("post", lambda w: [w["campaign"].pk],
                                     {"template": "@message_template"})],
    "conversations:outreach_job": [("get", lambda w: [w["campaign"].pk, w["campaign_job"].pk], {})],
    "conversations:start": [("post", cid, {"store": "@store", "channel": "sms"})],
    "conversations:public_media": [("get", lambda w: [w["public_media"]], {}),
                                   ("get", lambda w: ["A" * 32 + ".png"], {})],
    "conversations:detail": [("get", thread, {}), ("post", thread, {})],
    "conversations:poll": [("get", thread, {})],
    "conversations:send": [("post", thread, {"body": "Hello"}), ("get", thread, {})],
    "conversations:preview": [("get", thread, {"template": "@message_template"})],
    "conversations:scheduled_cancel": [("post", lambda w: [w["thread"].pk, w["scheduled"].pk], {})],
    "conversations:inbound_media": [("get", lambda w: [w["thread"].pk, w["image"].pk, 0], {})],
    "conversations:opt_in": [("post", thread, {})],
    "conversations:product_picker": [("get", thread, {"q": "coat"})],
    "conversations:product_share": [("post", thread, {"product": "@product"})],
    "conversations:assign": [("post", thread, {"assignee": "@associate_user"})],
    "conversations:archive": [("post", thread, {})],
    "conversations:simulate_reply": [("post", thread, {"body": "START"})],
    "carts:index": [("get", lambda w: [], {})],
    "carts:open_for_conversation": [("post", thread, {}), ("get", thread, {})],
    "carts:open_for_customer": [("post", cid, {"store": "@store"})],
    "carts:detail": [("get", cart, {})],
    "carts:product_results": [("get", cart, {"q": "scarf"})],
    "carts:scan": [("post", cart, {"q": "SCARF-9-OS"})],
    "carts:line_add": [("post", cart, {"variant": "@variant", "fulfilment": "in_store"})],
    "carts:line_update": [("post", lambda w: [w["cart"].pk, w["line"].pk], {"quantity": 2})],
    "carts:line_remove": [("post", lambda w: [w["cart"].pk, w["line"].pk], {})],
    "carts:line_discount": [("post", lambda w: [w["cart"].pk, w["line"].pk],
                             {"kind": "percent", "value": 5})],
    "carts:discount": [("post", cart, {"kind": "percent", "value": 5})],
    "carts:delivery": [("post", cart, {"fulfilment": "in_store"})],
    "carts:shipping": [("post", cart, {"shipping_option": ""})],
    "carts:share": [("post", cart, {})],
    "carts:link_state": [("get", cart, {})],
    "carts:save": [("post", cart, {})],
    "carts:clear": [("post", cart, {})],
    "carts:catalog": [("get", lambda w: [], {"q": "coat"})],
    "carts:catalog_product": [("get", lambda w: [w["product"].pk], {})],
    "carts:share_picker": [("get", thread, {})],
    "carts:share_send": [("post", thread, {"kind": "product", "product": "@product"})],
    "carts_public:cart": [("get", lambda w: [w["cart"].token], {}), ("get", lambda w: ["x" * 43], {})],
    "clienteling_public:my_details": [("get", lambda w: [w["details_token"]], {}),
                                      ("get", lambda w: ["x" * 43], {})],
    "carts_public:demo_pay": [("get", lambda w: [str(w["link"].idempotency_key)], {})],
    "carts_public:notify": [("post", lambda w: ["demo"], {}), ("post", lambda w: ["nobody"], {})],
    "catalog:shared": [("get", lambda w: [w["share"].token], {}), ("get", lambda w: ["y" * 43], {})],
    "twilio_messages": [("post", lambda w: [], {"MessageSid": "SM1", "Body": "STOP"}),
                        ("get", lambda w: [], {})],
    "twilio_status": [("post", lambda w: [], {"MessageSid": "SM1", "MessageStatus": "delivered"})],
    "meta_whatsapp": [("post", lambda w: [], {"entry": "[]"}), ("get", lambda w: [], {"hub.challenge": "1"})],
    "login": [("get", lambda w: [], {})],
    "logout": [("post", lambda w: [], {})],
    "set_language": [("post", lambda w: [], {"language": "fr", "next": "/"})],
    "language_choose": [("post", lambda w: [], {"language": "fr", "next": "/"})],
    "javascript-catalog": [("get", lambda w: [], {})],
    "pwa:manifest": [("get", lambda w: [], {})],
    "pwa:service_worker": [("get", lambda w: [], {})],
    "pwa:offline": [("get", lambda w: [], {})],
    "pwa:notifications": [("get", lambda w: [], {})],
    "pwa:vapid_key": [("get", lambda w: [], {"endpoint": "https://push.example.com/send/1"})],
    "pwa:subscribe": [("post", lambda w: [], {}), ("post", lambda w: [], PUSH_SUBSCRIPTION)],
    "pwa:unsubscribe": [("post", lambda w: [], {"endpoint": "https://push.example.com/send/1"})],
}
# Placeholders a request names, filled from the world (or the visitors).
PLACEHOLDERS = {"@prospect": lambda w: w["prospect"].pk,
                "@message_template": lambda w: w["message_template"].pk,
                "@product": lambda w: w["product"].pk,
                "@store": lambda w: w["store"].pk, "@variant": lambda w: w["variant"].pk,
                "@associate_user": lambda w: w["thread"].assigned_to_id,
                "@manager_user": lambda w: w["manager"].pk}


def fill(data: dict, world: dict) -> dict:
    return {key: PLACEHOLDERS[value](world) if str(value).startswith("@") else value
            for key, value in data.items()}


# Expected outcome per visitor (anonymous, admin, manager, associate, other store, other
# entity), one tuple per request above. "→path" is a redirect there ("*" matches anything).
EVERY_STAFF = (LOGIN, OK, OK, OK, OK, OK)
MANAGERS = (LOGIN, OK, OK, 403, 403, 403)
CUSTOMER = (LOGIN, OK, OK, OK, OK, 404)  # a customer of store A's legal entity
STORE_A = (LOGIN, OK, OK, OK, 404, 404)  # a thread or cart of store A
PUBLIC = (OK,) * 6
GONE = (404,) * 6
REFUSED = (403,) * 6
NOT_ALLOWED = (LOGIN, 405, 405, 405, 405, 405)


def lands(path: str, scope=STORE_A):
    """Where a permitted POST lands, for the visitors `scope` lets in; the others as in scope."""
    return tuple(f"→{path}" if expected == OK else expected for expected in scope)


EXPECTED = {
    "clienteling:today": [EVERY_STAFF],
    "clienteling:customer_list": [EVERY_STAFF],
    "clienteling:filter_group": [EVERY_STAFF],
    "clienteling:customer_count": [EVERY_STAFF],
    "clienteling:sku_options": [EVERY_STAFF],  # the shared catalog's products, for the filter
    "clienteling:grid_columns": [NOT_ALLOWED, lands("/customers/", EVERY_STAFF)],
    "clienteling:customer_export": [MANAGERS],
    "clienteling:saved_list_create": [lands("/customers/?list=*", EVERY_STAFF)],
    # Saved lists are their owner's (the associate's) alone.
    "clienteling:saved_list_update": [(LOGIN, 404, 404, "→/customers/?list={saved}", 404, 404)],
    "clienteling:saved_list_delete": [(LOGIN, 404, 404, "→/customers/", 404, 404)],
    "clienteling:list_templates": [EVERY_STAFF],
    "clienteling:list_template_copy": [lands("/customers/?list=*", EVERY_STAFF)],
    "clienteling:list_template_manage": [MANAGERS],
    "clienteling:list_template_create": [MANAGERS],
    # A store's template is its managers'; a company-wide one the company admins'.
    "clienteling:list_template_edit": [MANAGERS, (LOGIN, OK, 404, 403, 403, 403)],
    "clienteling:list_template_status": [lands("/customers/templates/manage/", MANAGERS)],
    "clienteling:bulk_action_form": [EVERY_STAFF, MANAGERS, MANAGERS],
    # Ids from another legal entity are refused, not quietly kept.
    "clienteling:bulk_action_start": [(LOGIN, OK, OK, OK, OK, 400)],
    "clienteling:bulk_job_status": [(LOGIN, 404, 404, OK, 404, 404)],  # the job's owner only
    "clienteling:tag_upload": [EVERY_STAFF, (LOGIN, 400, 400, 400, 400, 400)],  # no file: a form error
    "clienteling:tag_upload_status": [(LOGIN, 404, 404, OK, 404, 404)],  # the upload's owner only
    "clienteling:tag_upload_unmatched": [(LOGIN, 404, 404, OK, 404, 404)],
    "clienteling:my_details_link": [CUSTOMER, CUSTOMER],
    "clienteling:my_client_book": [EVERY_STAFF],
    "clienteling:client_book_remove": [lands("/book/", MANAGERS)],
    "clienteling:store_client_book": [EVERY_STAFF],
    "clienteling:client_book_reassign": [lands("/book/store/", MANAGERS)],
    "clienteling:customer_detail": [CUSTOMER],
    "clienteling:profile_section": [lands("/customers/{prospect}/#section-{contact_section}", CUSTOMER)],
    "clienteling:profile_timeline": [CUSTOMER],
    "clienteling:profile_note_create": [CUSTOMER, lands("/customers/{prospect}/#section-*", CUSTOMER)],
    # A note is its author's to change.
    "clienteling:profile_note_edit": [(LOGIN, 404, 404, OK, 404, 404)],
    "clienteling:profile_note_pin": [(LOGIN, 404, 404, "→/customers/{prospect}/#section-*", 404, 404)],
    "clienteling:profile_task_create": [CUSTOMER],
    "clienteling:profile_task_done": [lands("/customers/{prospect}/#section-*", CUSTOMER)],
    "clienteling:profile_activity_create": [CUSTOMER],
    "clienteling:profile_contact_edit": [CUSTOMER],
    "clienteling:profile_attributes_edit": [CUSTOMER],
    "clienteling:profile_tags": [lands("/customers/{prospect}/", CUSTOMER)],  # a fragment: the page
    "clienteling:profile_tags_edit": [CUSTOMER],
    "clienteling:profile_client_book_add": [lands("/customers/{prospect}/", CUSTOMER)],
    "clienteling:profile_client_book_remove": [(LOGIN, "→/customers/{prospect}/", "→/customers/{prospect}/",
                                                403, 403, 404)],
    # Moving a customer to another store is for those who may assign customers.
    "clienteling:profile_home_store_edit": [MANAGERS, lands("/customers/{prospect}/", MANAGERS)],
    "conversations:inbox": [EVERY_STAFF],
    "conversations:store_inbox": [STORE_A],
    "conversations:archived": [EVERY_STAFF],
    "conversations:archived_store": [STORE_A],
    # A store's WhatsApp setup: its managers and the company admins only.
    "conversations:whatsapp_setup": [(LOGIN, OK, OK, 404, 404, 404)],
    "conversations:whatsapp_test": [(LOGIN, "→/conversations/store/{store}/whatsapp/",
                                     "→/conversations/store/{store}/whatsapp/", 404, 404, 404), NOT_ALLOWED],
    "conversations:whatsapp_first_message": [(LOGIN, OK, OK, 404, 404, 404)],
    "conversations:unread_badge": [EVERY_STAFF],
    "conversations:outreach_lists": [EVERY_STAFF],
    "conversations:outreach_detail": [EVERY_STAFF],
    "conversations:outreach_campaign": [MANAGERS],  # every store's conversations: managers and admins
    "conversations:outreach_send": [lands("/conversations/outreach/{campaign}/?job=*", EVERY_STAFF)],
    "conversations:outreach_job": [(LOGIN, 404, 404, OK, 404, 404)],  # the job's owner only
    # Store A is not a choice for someone of store A2: the same answer as for no such store.
    "conversations:start": [(LOGIN, "→/conversations/{thread}/", "→/conversations/{thread}/",
                             "→/conversations/{thread}/", 400, 404)],
    "conversations:public_media": [PUBLIC, GONE],  # an unguessable name, for the provider
    "conversations:detail": [STORE_A, NOT_ALLOWED],
    "conversations:poll": [STORE_A],
    "conversations:send": [lands("/conversations/{thread}/"), NOT_ALLOWED],
    "conversations:preview": [STORE_A],
    "conversations:scheduled_cancel": [lands("/conversations/{thread}/")],
    "conversations:inbound_media": [STORE_A],
    "conversations:opt_in": [lands("/conversations/{thread}/")],
    "conversations:product_picker": [STORE_A],
    "conversations:product_share": [lands("/conversations/{thread}/")],
    "conversations:assign": [lands("/conversations/{thread}/")],
    "conversations:archive": [lands("/conversations/")],
    # The demo's "reply as the customer" exists only with the demo provider (Twilio here).
    "conversations:simulate_reply": [(LOGIN, 404, 404, 404, 404, 404)],
    "carts:index": [EVERY_STAFF],
    "carts:open_for_conversation": [lands("/carts/{cart}/"), NOT_ALLOWED],
    "carts:open_for_customer": [lands("/carts/{cart}/")],
    "carts:detail": [STORE_A],
    "carts:product_results": [STORE_A],
    "carts:scan": [lands("/carts/{cart}/")],
    "carts:line_add": [lands("/carts/{cart}/")],
    "carts:line_update": [lands("/carts/{cart}/")],
    "carts:line_remove": [lands("/carts/{cart}/")],
    "carts:line_discount": [lands("/carts/{cart}/")],
    "carts:discount": [lands("/carts/{cart}/")],
    "carts:delivery": [lands("/carts/{cart}/")],
    "carts:shipping": [lands("/carts/{cart}/")],
    "carts:share": [lands("/carts/{cart}/")],
    "carts:link_state": [STORE_A],
    "carts:save": [lands("/conversations/{thread}/")],
    "carts:clear": [lands("/carts/{cart}/")],
    "carts:catalog": [EVERY_STAFF],
    "carts:catalog_product": [EVERY_STAFF],
    "carts:share_picker": [STORE_A],
    "carts:share_send": [lands("/conversations/{thread}/")],
    # Customer-facing: an unguessable token opens the page, anything else is 404.
    "carts_public:cart": [PUBLIC, GONE],
    "carts_public:demo_pay": [PUBLIC],
    "carts_public:notify": [REFUSED, GONE],  # unsigned; an unknown provider
    "clienteling_public:my_details": [PUBLIC, GONE],  # contact details masked on it
    "catalog:shared": [PUBLIC, GONE],
    # Webhooks: nothing without the provider's signature.
    "twilio_messages": [REFUSED, (405,) * 6],
    "twilio_status": [REFUSED],
    "meta_whatsapp": [REFUSED, REFUSED],  # unsigned; a handshake without the verify token
    "login": [(OK, "→/", "→/", "→/", "→/", "→/")],
    "logout": [(LOGIN,) * 6],
    "set_language": [("→/",) * 6],
    "language_choose": [(LOGIN, "→/", "→/", "→/", "→/", "→/")],
    "javascript-catalog": [PUBLIC],
    # The installable console's files: nobody's data, fetched by browsers without cookies.
    "pwa:manifest": [PUBLIC],
    "pwa:service_worker": [PUBLIC],
    "pwa:offline": [PUBLIC],
    # One's own notifications on this device: any staff member; no fields is a form error.
    "pwa:notifications": [EVERY_STAFF],
    "pwa:vapid_key": [EVERY_STAFF],
    "pwa:subscribe": [(LOGIN, 400, 400, 400, 400, 400), (LOGIN, 201, 201, 201, 201, 201)],
    "pwa:unsubscribe": [EVERY_STAFF],
}


def expected_text(expected, world) -> object:
    if isinstance(expected, str) and expected.startswith("→"):
        ids = {key: value.pk for key, value in world.items() if hasattr(value, "pk")}
        return expected.format(**ids)
    return expected


def as_text(found) -> object:
    return f"→{found[1]}" if isinstance(found, tuple) else found


# Apps above carts keep their own matrix, built the same way and checking that each URL of
# their namespaces has a row: tests/<app>/test_access.py.
OWN_MATRICES = {"appointments", "booking", "insights", "api", "ops"}


def test_every_url_has_a_row():
    missing = [name for name in URL_NAMES if not name.startswith("admin:") and name not in EXPECTED
               and name.split(":")[0] not in OWN_MATRICES]
    assert missing == [], f"add these URLs to the access matrix: {missing}"
    assert set(REQUESTS) == set(EXPECTED)
    assert all(len(REQUESTS[name]) == len(EXPECTED[name]) for name in EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_visitor_gets_what_the_table_says_and_no_masked_detail_shows(client, visitors, world, name):
    wrong, leaks = [], []
    for (method, args, data), expected_row in zip(REQUESTS[name], EXPECTED[name], strict=True):
        url = reverse(name, args=args(world))
        for visitor, expected in zip(VISITORS, expected_row, strict=True):
            response = visit(client, visitors[visitor], method, url, fill(data, world))
            found, want = as_text(outcome(response)), expected_text(expected, world)
            if not fnmatch.fnmatchcase(str(found), str(want)):
                wrong.append(f"{method.upper()} {url} as {visitor}: {found}, expected {want}")
            if visitor in ("associate", "other_store") and response.status_code == 200 and not getattr(
                    response, "streaming", False):
                page = response.content.decode(errors="replace")
                leaks += [f"{url} shows {value}" for value in (*SENSITIVE.values(), "2125550142")
                          if value in page]
    assert wrong == [] and leaks == []


def test_the_admin_sends_everyone_but_staff_to_its_own_sign_in(client, visitors):
    """Every admin URL (objects by a made-up id): for the console's roles, the admin's sign-in."""
    names = [name for name in URL_NAMES if name.startswith("admin:") and name not in {
        "admin:login", "admin:logout", "admin:jsi18n", "admin:view_on_site", "admin:autocomplete"}]
    wrong = []
    for name in names:
        pattern = get_resolver().reverse_dict.getlist(name.split(":", 1)[1])
        url = _admin_url(name)
        for visitor in ("anonymous", "manager", "associate", "other_store", "other_entity"):
            found = outcome(visit(client, visitors[visitor], "get", url, {}))
            if found != ADMIN_LOGIN:
                wrong.append(f"{url} as {visitor}: {found}")
        assert pattern is not None
    assert wrong == [] and len(names) > 150


def _admin_url(name: str) -> str:
    from django.urls import NoReverseMatch

    for args in ([], [1], ["1"], ["auth", "user"], ["auth"]):
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    raise AssertionError(f"cannot build {name}")
