"""Browser test: a manager follows a global campaign store by store, then switches the
console to French from the menu, on a phone and on a desktop."""

import pytest
from django.urls import reverse

from clienteling.models import CustomerTag, StaffProfile
from tests.e2e.browser import DESKTOP, PHONE, requires_chromium, screenshot, sign_in
from tests.factories import CustomerFactory, TagFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]


def test_a_manager_follows_a_campaign_in_every_store_and_reads_it_in_french(live_server, org, manager,
                                                                          browser):
    campaign = TagFactory(name="Winter preview", is_outreach_list=True)
    for store, count in ((org["store_a"], 3), (org["store_a2"], 2)):
        for customer in CustomerFactory.create_batch(count, legal_entity=org["entity"], home_store=store):
            CustomerTag.objects.create(customer=customer, tag=campaign)
    # The manager of New York also manages Boston.
    StaffProfile.objects.get(user=manager).stores.add(org["store_a2"])
    from clienteling import services

    services.staff_sync_access(profile=StaffProfile.objects.get(user=manager))

    context = browser.new_context(viewport=PHONE, locale="en-US", has_touch=True)
    page = context.new_page()
    sign_in(page, live_server.url, manager)
    page.goto(live_server.url + reverse("conversations:outreach_detail", args=[campaign.pk]))
    page.get_by_role("link", name="Every store").click()
    page.wait_for_url("**/stores/")
    rows = page.locator(".campaign-progress li")
    assert rows.count() == 2
    assert "0 of 3 reached" in rows.first.inner_text()
    screenshot(page, "campaign-every-store")

    # The language menu: French from now on, on every page.
    page.set_viewport_size(DESKTOP)
    page.locator("#account-menu").click()
    page.select_option("#nav-language", "fr")
    page.locator(".nav-language button").click()
    page.wait_for_url("**/stores/")
    assert page.locator("html").get_attribute("lang") == "fr"
    body = page.locator("main").inner_text()
    assert "Every store" not in body and "Progress by store" not in body and "reached" not in body
    screenshot(page, "campaign-every-store-fr")
    context.close()
    assert StaffProfile.objects.get(user=manager).language == "fr"
