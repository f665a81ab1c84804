"""Carts expire at their store's local midnight (Celery beat sweep), whatever the time zone."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from carts import services, tasks
from carts.models import Cart, PaymentLink
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def at(tz: str, *args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(tz))


def test_every_beat_entry_names_a_registered_task():
    from config.celery import app

    app.loader.import_default_modules()  # what a worker does at start: find every app's tasks
    assert {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} <= set(app.tasks)


def test_beat_fires_the_sweep_within_minutes_of_midnight(org, customer_a, associate_a):
    from celery.beat import Scheduler

    from config.celery import app

    store = org["store_a"]  # New York
    with time_machine.travel(at("America/New_York", 2026, 11, 23, 23, 58), tick=False):
        cart = services.cart_open(customer=customer_a, store=store, user=associate_a)
        beat = Scheduler(app, lazy=True)
        beat.setup_schedule()  # beat starting, from the settings' schedule
    with time_machine.travel(at("America/New_York", 2026, 11, 24, 0, 4), tick=False):
        # Six minutes on, the sweep's entry is due, and firing it expires the cart.
        due = [entry for entry in beat.schedule.values() if entry.is_due().is_due]
        sweep = [entry for entry in due if entry.task == "carts.tasks.carts_expire_due"]
        assert sweep, "the expiry sweep was not due six minutes after beat started"
        beat.apply_async(sweep[0])  # what beat does with a due entry (eager in the tests)
    cart.refresh_from_db()
    assert cart.status == Cart.Status.EXPIRED


@pytest.mark.parametrize("tz", ["America/New_York", "Europe/Paris", "Asia/Tokyo", "Pacific/Auckland",
                                "America/Los_Angeles"])
def test_cart_expires_at_the_stores_midnight_not_before(org, customer_a, associate_a, tz):
    store = org["store_a"]
    store.timezone = tz
    store.save()
    with time_machine.travel(at(tz, 2026, 11, 23, 22, 30), tick=False):
        cart = services.cart_open(customer=customer_a, store=store, user=associate_a)

    assert cart.expires_at == at(tz, 2026, 11, 24, 0, 0)
    with time_machine.travel(at(tz, 2026, 11, 23, 23, 59, 59), tick=False):
        assert services.carts_expire_due() == 0
    with time_machine.travel(at(tz, 2026, 11, 24, 0, 0, 30), tick=False):
        assert tasks.carts_expire_due.delay().get() == 1
    cart.refresh_from_db()
    assert cart.status == Cart.Status.EXPIRED


def test_each_store_expires_at_its_own_midnight(org, associate_a, associate_b, customer_a, customer_b):
    new_york, paris = org["store_a"], org["store_b"]
    with time_machine.travel(at("UTC", 2026, 11, 23, 15, 0), tick=False):  # 10:00 NY, 16:00 Paris
        ny_cart = services.cart_open(customer=customer_a, store=new_york, user=associate_a)
        paris_cart = services.cart_open(customer=customer_b, store=paris, user=associate_b)

    # 00:05 in Paris is 18:05 the evening before in New York.
    with time_machine.travel(at("Europe/Paris", 2026, 11, 24, 0, 5), tick=False):
        assert services.carts_expire_due() == 1
    ny_cart.refresh_from_db()
    paris_cart.refresh_from_db()
    assert paris_cart.status == Cart.Status.EXPIRED and ny_cart.status == Cart.Status.OPEN

    with time_machine.travel(at("America/New_York", 2026, 11, 24, 0, 5), tick=False):
        assert services.carts_expire_due() == 1
    ny_cart.refresh_from_db()
    assert ny_cart.status == Cart.Status.EXPIRED


def test_midnight_on_a_daylight_saving_night(org, customer_a, associate_a):
    store = org["store_a"]  # New York springs forward at 02:00 on 8 March 2026
    with time_machine.travel(at("America/New_York", 2026, 3, 7, 20, 0), tick=False):
        cart = services.cart_open(customer=customer_a, store=store, user=associate_a)
    assert cart.expires_at == at("America/New_York", 2026, 3, 8, 0, 0)
    assert cart.expires_at.utcoffset() == timedelta(hours=-5)


def test_sweep_works_in_chunks_and_can_run_again(org, associate_a):
    store = org["store_a"]
    with time_machine.travel(at("America/New_York", 2026, 11, 23, 12, 0), tick=False):
        for _ in range(5):
            customer = CustomerFactory(legal_entity=org["entity"])
            services.cart_open(customer=customer, store=store, user=associate_a)

    with time_machine.travel(at("America/New_York", 2026, 11, 24, 0, 1), tick=False):
        assert services.carts_expire_due(chunk_size=2) == 5
        assert services.carts_expire_due(chunk_size=2) == 0
    assert not Cart.objects.filter(status=Cart.Status.OPEN).exists()


def test_expired_cart_link_says_it_expired_and_its_payment_link_stops(
        client, shop, customer_a, associate_a, conversation, demo_account,
        django_capture_on_commit_callbacks):
    with time_machine.travel(at("America/New_York", 2026, 11, 23, 21, 0), tick=False):
        cart = services.cart_open(customer=customer_a, store=shop.store, user=associate_a,
                                  conversation=conversation)
        services.cart_line_add(cart=cart, variant=shop.scarf_os, user=associate_a)
        with django_capture_on_commit_callbacks(execute=True):
            services.cart_share(cart=cart, user=associate_a)
        assert client.get(reverse("carts_public:cart", args=[cart.token])).status_code == 200

    with time_machine.travel(at("America/New_York", 2026, 11, 24, 0, 0, 1), tick=False):
        # Before the sweep has run, the page already knows.
        response = client.get(reverse("carts_public:cart", args=[cart.token]))
        assert response.status_code == 410 and "This cart expired" in response.content.decode()
        services.carts_expire_due()
        link = PaymentLink.objects.get(cart=cart)
        assert link.status == PaymentLink.Status.EXPIRED
        assert client.get(link.url).status_code == 410
        # Opening the customer's cart again starts a new one for the new day.
        fresh = services.cart_open(customer=customer_a, store=shop.store, user=associate_a)
        assert fresh.pk != cart.pk
        assert fresh.expires_at == at("America/New_York", 2026, 11, 25, 0, 0)


def test_editing_after_midnight_before_the_sweep_is_refused(shop, customer_a, associate_a):
    with time_machine.travel(at("America/New_York", 2026, 11, 23, 23, 0), tick=False):
        cart = services.cart_open(customer=customer_a, store=shop.store, user=associate_a)
    with time_machine.travel(at("America/New_York", 2026, 11, 24, 0, 1), tick=False):
        with pytest.raises(services.CartClosed, match="midnight"):
            services.cart_line_add(cart=cart, variant=shop.scarf_os, user=associate_a)
