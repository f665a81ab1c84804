"""Browser test: a Company Admin creates an API key (shown once) and a webhook endpoint in the admin,
sends it a test, and reads the API docs; on a phone and on a desktop, axe finds nothing serious."""

import pytest

from api.models import ApiKey, WebhookDelivery
from tests.e2e.axe import axe_context, findings
from tests.e2e.browser import DESKTOP, PHONE, requires_chromium, sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_key_endpoint_and_docs(live_server, browser, company_admin, org, viewport):
    base = live_server.url
    context = axe_context(browser, viewport)
    page = context.new_page()
    sign_in(page, base, company_admin)
    page.goto(f"{base}/admin/api/apikey/add/")
    assert findings(page) == []
    page.fill("#id_name", "Shopify")
    page.select_option("#id_legal_entity", str(org["entity"].pk))
    page.check("input[value='customers:read']")
    page.click("input[name=_save]")
    shown = page.inner_text("ul.messagelist code")
    assert shown.startswith(f"atl_{ApiKey.objects.get().prefix}_")
    assert findings(page) == []

    page.goto(f"{base}/admin/api/webhookendpoint/add/")
    page.fill("#id_name", "CRM")
    page.select_option("#id_legal_entity", str(org["entity"].pk))
    page.fill("#id_url", "https://crm.example.com/hooks")
    page.check("input[value='cart.paid']")
    page.click("input[name=_save]")
    assert page.inner_text("ul.messagelist code").startswith("whsec_")
    page.click("text=CRM")
    assert findings(page) == []
    page.click("button:has-text('Send test')")
    assert WebhookDelivery.objects.filter(event="webhook.test").exists()

    page.goto(f"{base}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock")
    assert "customers_list" in page.content() or "/api/v1/customers/" in page.content()
    context.close()
