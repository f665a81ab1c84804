"""The PostgreSQL connection dropped (pg_terminate_backend from another session) in the middle
of a request and of a task.

A row lock held by the test stops the request or the task at a known point; the backend
waiting there is terminated. A request answers the 503 "try again" page and leaves nothing
half written; a task is run again (catalog.background.Background) and completes once.
"""

import threading
from datetime import date

from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from carts.models import Cart, PaymentEvent, PaymentLink
from carts.payments import get_provider
from carts.payments.demo import SIGNATURE_HEADER
from catalog.models import StockLevel
from catalog.money import to_minor_units
from clienteling import services as clienteling_services
from clienteling.models import AuditEvent, BulkJob, CustomerContactHistory, Sale, Task
from conversations.models import Message
from tests.celery_worker import running_worker, wait_until

from .conftest import FAULTS, blocked_by, many_customers, new_queue, row_locked, worker_log

pytestmark = FAULTS


def terminate_the_waiting_backend(held) -> int:
    """pg_terminate_backend() the one session waiting for the lock `held` holds."""
    assert wait_until(lambda: blocked_by(held), timeout=20), "nothing reached the held row"
    (pid,) = blocked_by(held)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    return pid


class InThread:
    """A request made from another thread (with its own connection) while the test waits."""

    def __init__(self, call):
        self.response = None

        def run():
            try:
                self.response = call()
            finally:
                connections.close_all()

        self.thread = threading.Thread(target=run)
        self.thread.start()

    def result(self):
        self.thread.join(timeout=30)
        assert not self.thread.is_alive()
        return self.response


def assert_error_page(response) -> None:
    page = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"]
    assert "Atelier is briefly unavailable" in page and "Nothing from this request was saved" in page
    assert "Traceback" not in page and "OperationalError" not in page and "terminat" not in page


def test_a_cart_share_whose_connection_drops_answers_the_error_page_and_writes_nothing(
        two_coats_cart, associate_a, demo_account):
    cart = two_coats_cart
    client = Client(raise_request_exception=False)
    client.force_login(associate_a)
    messages = Message.objects.count()
    history = CustomerContactHistory._meta.db_table

    # The share writes the payment link, the cart and the message, then waits on the customer's
    # contact history (held here): its connection is cut there.
    with row_locked(f"SELECT customer_id FROM {history} WHERE customer_id = %s FOR UPDATE",  # noqa: S608
                    cart.customer_id) as held:
        share = InThread(lambda: client.post(reverse("carts:share", args=[cart.pk]), {"mode": "send"}))
        terminate_the_waiting_backend(held)
    assert_error_page(share.result())
    cart.refresh_from_db()
    assert cart.shared_at is None and not PaymentLink.objects.filter(cart=cart).exists()
    assert Message.objects.count() == messages

    # Sharing again works, once.
    response = client.post(reverse("carts:share", args=[cart.pk]), {"mode": "send"})
    assert response.status_code in (200, 302)
    cart.refresh_from_db()
    assert cart.shared_at is not None and PaymentLink.objects.filter(cart=cart).count() == 1
    assert Message.objects.count() == messages + 1


def test_a_bulk_action_whose_commit_is_cut_answers_the_error_page_and_records_nothing(associate_a, org):
    ids = many_customers(org["entity"], 3)
    client = Client(raise_request_exception=False)
    client.force_login(associate_a)
    user_table = type(associate_a)._meta.db_table

    # The job and its audit event are written; the commit checks them against the user row
    # (held here) and is cut while it waits.
    with row_locked(f"SELECT id FROM {user_table} WHERE id = %s FOR UPDATE",  # noqa: S608
                    associate_a.pk) as held:
        start = InThread(lambda: client.post(
            reverse("clienteling:bulk_action_start", args=["follow_up"]),
            {"ids": ids, "title": "Call back", "due_on": "2026-12-24"}, HTTP_HX_REQUEST="true"))
        terminate_the_waiting_backend(held)
    assert_error_page(start.result())
    assert not BulkJob.objects.exists() and not AuditEvent.objects.filter(action="bulk_action").exists()
    assert not Task.objects.exists()


def test_a_payment_task_whose_connection_drops_is_run_again_and_records_the_payment_once(
        client, shared, shop):
    cart = shared
    link = PaymentLink.objects.get(cart=cart, cart_version=cart.version)
    on_hand = dict(StockLevel.objects.values_list("pk", "on_hand"))
    before = set(Message.objects.values_list("pk", flat=True))
    demo = get_provider("demo")
    body = demo.notification_body(
        psp_reference="DEMODROP0001", merchant_reference=link.reference, success=True,
        amount_minor=to_minor_units(link.amount, link.currency), currency=link.currency)
    queue = new_queue()
    with running_worker(queue=queue):
        # The task marks the cart paid, then waits on the stock (held here): its connection is cut.
        with row_locked("SELECT id FROM catalog_stocklevel WHERE variant_id = %s FOR UPDATE",
                        shop.coat_s.pk) as held:
            signed = {SIGNATURE_HEADER: demo.sign(body)}
            response = client.post(reverse("carts_public:notify", args=["demo"]), body,
                                   content_type="application/json", headers=signed)
            assert response.status_code == 200
            terminate_the_waiting_backend(held)
        processed = PaymentEvent.objects.filter(processed_at__isnull=False)
        assert wait_until(processed.exists, timeout=30)
        receipt = Message.objects.exclude(pk__in=before).filter(kind=Message.Kind.TEXT)
        assert wait_until(receipt.filter(sent_at__isnull=False).exists, timeout=20)
    assert "payment_event_process: database error, retrying" in worker_log(queue)
    cart.refresh_from_db()
    assert cart.status == Cart.Status.PAID and Sale.objects.count() == 1
    assert PaymentEvent.objects.get().outcome == "paid" and receipt.count() == 1
    decremented = {pk: on_hand[pk] - now for pk, now in StockLevel.objects.values_list("pk", "on_hand")}
    assert sorted(n for n in decremented.values() if n) == [1, 1]


def test_a_bulk_job_whose_connection_drops_is_run_again_and_resumes_after_its_last_chunk(org, associate_a):
    ids = many_customers(org["entity"], 1500)
    queue = new_queue()
    with running_worker(queue=queue):
        # The third chunk's commit waits on a held customer (foreign keys are checked then): cut.
        with row_locked("SELECT id FROM clienteling_customer WHERE id = %s FOR UPDATE", ids[1200]) as held:
            job = clienteling_services.bulk_job_start(
                user=associate_a, action_key="follow_up",
                params={"title": "Ask about the fitting", "due_on": date(2026, 12, 24).isoformat()}, ids=ids)
            assert wait_until(lambda: BulkJob.objects.get(pk=job.pk).processed == 1000, timeout=30)
            terminate_the_waiting_backend(held)
        assert wait_until(lambda: BulkJob.objects.get(pk=job.pk).status != BulkJob.Status.RUNNING, timeout=30)
    assert "bulk_job_run: database error, retrying" in worker_log(queue)
    job.refresh_from_db()
    assert (job.status, job.total, job.processed, job.succeeded) == (BulkJob.Status.DONE, 1500, 1500, 1500)
    assert sorted(Task.objects.values_list("customer_id", flat=True)) == ids
