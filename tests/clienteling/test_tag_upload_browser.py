"""Browser: tagging customers from a file, from the customer list to the counts.

Set ATELIER_SCREENSHOTS=/some/dir to keep the pages at phone and desktop sizes.
"""

import pytest
from django.urls import reverse

from clienteling.models import CustomerTag
from tests.e2e.browser import PHONE, requires_chromium, screenshot, sign_in
from tests.e2e.conftest import browser  # noqa: F401  fixture
from tests.factories import CustomerFactory, TagFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True),
              requires_chromium]


def test_a_manager_tags_customers_from_a_csv(live_server, browser, org, manager, tmp_path):  # noqa: F811
    tag = TagFactory(name="Spring preview")
    people = CustomerFactory.create_batch(3, legal_entity=org["entity"])
    csv = tmp_path / "spring.csv"
    csv.write_text("Name,Email\n" + "".join(f"{c.first_name},{c.email}\n" for c in people)
                   + "Nobody,nobody@example.com\nTypo,not-an-email\n")
    context = browser.new_context(viewport=PHONE, locale="en-US")
    page = context.new_page()
    sign_in(page, live_server.url, manager)
    page.goto(live_server.url + reverse("clienteling:customer_list"))
    page.click(f"a[href='{reverse('clienteling:tag_upload')}']")
    page.wait_for_url("**/customers/tag-upload/")
    screenshot(page, "tag-upload")
    page.set_input_files("#id_file", str(csv))
    page.select_option("#id_tag", str(tag.pk))
    page.click("form[enctype] button[type=submit]")
    page.locator("[data-counts]").wait_for()
    assert page.inner_text("[data-count=tagged]") == "3"
    assert page.inner_text("[data-count=not_found]") == "1"
    assert page.inner_text("[data-count=invalid]") == "1"
    assert "Line 6" in page.inner_text("[data-invalid]")
    screenshot(page, "tag-upload-done")
    assert CustomerTag.objects.filter(tag=tag).count() == 3
    context.close()
