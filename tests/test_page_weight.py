"""Every main console page stays under 120 KB over the wire (its HTML and what it loads, gzipped).

`manage.py bench_page_weight` prints the same figures page by page on the demo data.
"""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from bench.weight import page_weight, static_assets
from clienteling.models import Customer
from conversations.models import Conversation

pytestmark = pytest.mark.django_db
BUDGET = 120 * 1024


@pytest.fixture
def demo_client(client):
    call_command("seed_demo", customers=30, stdout=StringIO())
    client.force_login(get_user_model().objects.get(username="manager.ny"))
    return client


def console_pages() -> list[str]:
    customer = Customer.objects.filter(home_store__code="ny").order_by("pk").first()
    thread = Conversation.objects.filter(store__code="ny").order_by("pk").first()
    pages = [reverse("clienteling:today"), reverse("clienteling:customer_list"),
             reverse("clienteling:customer_detail", args=[customer.pk]),
             reverse("clienteling:my_client_book"), reverse("conversations:inbox"),
             reverse("conversations:outreach_lists"), reverse("carts:index"), reverse("carts:catalog")]
    if thread is not None:
        pages.append(reverse("conversations:detail", args=[thread.pk]))
    return pages


def test_every_main_console_page_weighs_under_120_kb_compressed(demo_client):
    weights = [page_weight(demo_client, path) for path in console_pages()]
    report = "\n".join(f"{w.path}: {w.total_gzip / 1024:.1f} KB ({w.html_gzip / 1024:.1f} KB HTML)"
                       for w in weights)
    assert all(w.total_gzip <= BUDGET for w in weights), report
    # The stylesheet, the scripts and the icon sprite are counted, not only the HTML.
    assert any(path.endswith(".css") for path in weights[0].assets), weights[0].assets
    assert any(path.endswith("sprite.svg") for path in weights[0].assets), weights[0].assets


def test_the_static_files_of_a_page_are_found_once_each():
    html = ('<link rel="stylesheet" href="/static/css/a.css"><svg><use href="/static/icons/sprite.svg#x">'
            '</use></svg><svg><use href="/static/icons/sprite.svg#y"></use></svg>'
            '<script src="/static/js/a.js?v=2" defer></script><a href="/customers/">x</a>')
    assert static_assets(html) == ["/static/css/a.css", "/static/icons/sprite.svg", "/static/js/a.js"]
