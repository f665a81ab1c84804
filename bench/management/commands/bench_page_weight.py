"""`manage.py bench_page_weight [--user manager.ny]`: each main console page's weight over the wire.

Its HTML and every static file it loads, gzipped (bench.weight), on the database at hand
(`make run`'s demo, or the scale data). The budget is 120 KB a page.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.test import Client
from django.urls import reverse

from bench.weight import page_weight
from clienteling.models import Customer
from conversations.models import Conversation

BUDGET_KB = 120


class Command(BaseCommand):
    help = "Weigh the main console pages: HTML and static files, gzipped."

    def add_arguments(self, parser):
        parser.add_argument("--user", default="manager.ny")

    def handle(self, *args, **options):
        from django.conf import settings

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        user = get_user_model().objects.get(username=options["user"])
        client = Client()
        client.force_login(user)
        customer = Customer.objects.filter(erased_at__isnull=True).order_by("pk").first()
        # The newest conversation this user may open (the newest of all may be another store's).
        threads = (reverse("conversations:detail", args=[pk])
                   for pk in Conversation.objects.order_by("-pk").values_list("pk", flat=True)[:50])
        thread = next((path for path in threads if client.get(path).status_code == 200), None)
        pages = [reverse("clienteling:today"), reverse("clienteling:customer_list"),
                 reverse("clienteling:my_client_book"), reverse("conversations:inbox"),
                 reverse("conversations:outreach_lists"), reverse("carts:index"), reverse("carts:catalog")]
        if customer:
            pages.insert(2, reverse("clienteling:customer_detail", args=[customer.pk]))
        if thread:
            pages.append(thread)
        for path in pages:
            weight = page_weight(client, path)
            total = weight.total_gzip / 1024
            flag = "" if total <= BUDGET_KB else "  OVER BUDGET"
            self.stdout.write(f"{path:<32} {total:6.1f} KB  (HTML {weight.html_bytes / 1024:6.1f} KB, "
                              f"{weight.html_gzip / 1024:5.1f} KB gzipped; {len(weight.assets)} static files "
                              f"{sum(weight.assets.values()) / 1024:5.1f} KB){flag}")
