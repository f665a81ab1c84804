"""Browser test: a Company Admin uploads a Shopify customers export in the admin, reads the preview,
starts the import and reads its report, on a phone and on a desktop; axe finds nothing serious.

Set ATELIER_SCREENSHOTS=/some/dir to keep screenshots at 390 and 1366 pixels wide.
"""

import pytest

from imports.models import ImportJob
from tests.e2e.axe import axe_context, findings
from tests.e2e.browser import DESKTOP, PHONE, requires_chromium, screenshot, sign_in
from tests.imports.conftest import SAMPLES

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_upload_preview_start_and_report(live_server, browser, company_admin, org, viewport):
    base = live_server.url
    context = axe_context(browser, viewport)
    page = context.new_page()
    sign_in(page, base, company_admin)
    page.goto(f"{base}/admin/imports/importjob/add/")
    assert findings(page) == []
    page.select_option("#id_kind", "customers")
    page.select_option("#id_legal_entity", str(org["entity"].pk))
    page.select_option("#id_store", str(org["store_a"].pk))
    page.set_input_files("#id_file", str(SAMPLES / "shopify_customers.csv"))
    page.click("input[type=submit]")
    page.wait_for_selector("#preview")
    assert "Shopify customers export" in page.inner_text("#content-main")
    assert page.locator("#preview tbody tr").count() == 5
    assert findings(page) == []
    screenshot(page, "imports-preview", sizes=(viewport,))
    page.click("input[value='Start the import']")
    page.wait_for_selector("#rejected")
    job = ImportJob.objects.get()
    assert (job.status, job.created, job.rejected) == ("done", 3, 3)
    assert "“not-an-email” is not an email address." in page.inner_text("#rejected")
    assert findings(page) == []
    screenshot(page, "imports-report", sizes=(viewport,))
    context.close()
