"""axe-core on every console screen and every customer-facing page, on a phone and on a desktop.

The screens come from the URLconf as in tests/test_access_matrix.py (and its data): a
page URL without a row here fails, so a new screen is checked from the day it exists.
A serious or critical finding fails the test. Set ATELIER_SCREENSHOTS=/some/dir to keep
every screen at 390 and 1366 px.
"""

import pytest
from django.urls import reverse

from tests.carts.conftest import demo_account, shop  # noqa: F401  fixtures
from tests.conversations.conftest import fake_twilio, messaging, twilio  # noqa: F401  fixtures
from tests.e2e.axe import axe_context, findings
from tests.e2e.browser import DESKTOP, PHONE, requires_chromium, screenshot, settled, sign_in
from tests.test_access_matrix import URL_NAMES, world  # noqa: F401  the matrix's data

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]


def open_filter(page) -> None:
    """The customer list with a filter group open (in the side panel on a phone)."""
    toggle = page.locator("button[data-bs-toggle=offcanvas][data-bs-target='#filter-panel']")
    if toggle.is_visible():
        toggle.click()
        page.locator("#filter-panel.show").wait_for()
    page.locator("#filters button", has_text="Significant dates").click()
    page.locator("#id_birthday_within").wait_for(state="visible")
    settled(page)


def open_composer_tools(page) -> None:
    page.locator("button[data-bs-target='#schedule-box']").click()
    page.locator("#send-at").wait_for(state="visible")


# url name -> (args(world), what to do on the page before checking it). Signed in as store A's manager.
SCREENS = {
    "clienteling:today": (lambda w: [], None),
    "clienteling:customer_list": (lambda w: [], open_filter),
    "clienteling:customer_detail": (lambda w: [w["prospect"].pk], None),
    "clienteling:my_client_book": (lambda w: [], None),
    "clienteling:store_client_book": (lambda w: [], None),
    "clienteling:list_templates": (lambda w: [], None),
    "clienteling:list_template_manage": (lambda w: [], None),
    "clienteling:list_template_create": (lambda w: [], None),
    "clienteling:list_template_edit": (lambda w: [w["store_template"].pk], None),
    "clienteling:tag_upload": (lambda w: [], None),
    "clienteling:my_details_link": (lambda w: [w["prospect"].pk], None),
    "conversations:inbox": (lambda w: [], None),
    "conversations:store_inbox": (lambda w: [w["store"].pk], None),
    "conversations:archived": (lambda w: [], None),
    "conversations:archived_store": (lambda w: [w["store"].pk], None),
    "conversations:whatsapp_setup": (lambda w: [w["store"].pk], None),
    "conversations:detail": (lambda w: [w["thread"].pk], open_composer_tools),
    "conversations:outreach_lists": (lambda w: [], None),
    "conversations:outreach_detail": (lambda w: [w["campaign"].pk], None),
    "conversations:outreach_campaign": (lambda w: [w["campaign"].pk], None),
    "carts:index": (lambda w: [], None),
    "carts:detail": (lambda w: [w["cart"].pk], None),
    "carts:catalog": (lambda w: [], None),
    "carts:catalog_product": (lambda w: [w["product"].pk], None),
    "carts:share_picker": (lambda w: [w["thread"].pk], None),
    "login": (lambda w: [], None),
    "pwa:notifications": (lambda w: [], None),
    "insights:feed": (lambda w: [], None),
    "insights:dashboard": (lambda w: [], None),
    "insights:goals": (lambda w: [], None),
    "insights:goal_create": (lambda w: [], None),
    "insights:rule_report": (lambda w: [], None),
    "insights:credit_recompute": (lambda w: [], None),
}
# Pages the customer opens from a message, without signing in.
PUBLIC_SCREENS = {
    "carts_public:cart": lambda w: [w["cart"].token],
    "carts_public:demo_pay": lambda w: [str(w["link"].idempotency_key)],
    "clienteling_public:my_details": lambda w: [w["details_token"]],
    "catalog:shared": lambda w: [w["share"].token],
    "pwa:offline": lambda w: [],  # what the installed app shows without a connection
}
# Not pages: fragments htmx loads into a page above, POST-only actions, files and webhooks.
NOT_SCREENS = {
    "clienteling:filter_group", "clienteling:customer_count", "clienteling:sku_options",
    "clienteling:grid_columns", "clienteling:customer_export", "clienteling:saved_list_create",
    "clienteling:saved_list_update", "clienteling:saved_list_delete", "clienteling:list_template_copy",
    "clienteling:list_template_status", "clienteling:bulk_action_form", "clienteling:bulk_action_start",
    "clienteling:bulk_job_status", "clienteling:tag_upload_status", "clienteling:tag_upload_unmatched",
    "clienteling:client_book_remove", "clienteling:client_book_reassign", "clienteling:profile_section",
    "clienteling:profile_timeline", "clienteling:profile_note_create", "clienteling:profile_note_edit",
    "clienteling:profile_note_pin", "clienteling:profile_task_create", "clienteling:profile_task_done",
    "clienteling:profile_activity_create", "clienteling:profile_contact_edit",
    "clienteling:profile_attributes_edit", "clienteling:profile_tags", "clienteling:profile_tags_edit",
    "clienteling:profile_client_book_add", "clienteling:profile_client_book_remove",
    "clienteling:profile_home_store_edit",
    "conversations:whatsapp_test", "conversations:whatsapp_first_message", "conversations:unread_badge",
    "conversations:outreach_send", "conversations:outreach_job", "conversations:start",
    "conversations:public_media", "conversations:poll", "conversations:send", "conversations:preview",
    "conversations:scheduled_cancel", "conversations:inbound_media", "conversations:opt_in",
    "conversations:product_picker", "conversations:product_share", "conversations:assign",
    "conversations:archive", "conversations:simulate_reply",
    "carts:open_for_conversation", "carts:open_for_customer", "carts:product_results", "carts:scan",
    "carts:line_add", "carts:line_update", "carts:line_remove", "carts:line_discount", "carts:discount",
    "carts:delivery", "carts:shipping", "carts:share", "carts:link_state", "carts:save", "carts:clear",
    "carts:share_send", "carts_public:notify",
    "twilio_messages", "twilio_status", "meta_whatsapp", "logout", "set_language", "language_choose",
    "javascript-catalog", "pwa:manifest", "pwa:service_worker", "pwa:subscribe", "pwa:unsubscribe",
    "pwa:vapid_key",
    "insights:credit_job", "insights:dashboard_csv", "insights:goal_delete", "insights:goal_edit",
    "insights:suggestion_act", "insights:suggestion_dismiss", "insights:suggestion_done",
    "insights:suggestion_snooze",
}
# The integration API (JSON; its docs page is drf-spectacular's Swagger UI) and the load
# balancer's probes and metrics are not screens; the appointment and booking screens are
# checked at both widths by tests/e2e/test_appointments_browser.py with their own data.
NOT_SCREEN_NAMESPACES = {"api", "ops", "appointments", "booking"}


def test_every_page_of_the_urlconf_is_checked_or_said_not_to_be_a_page():
    console = {name for name in URL_NAMES if not name.startswith("admin:")}
    console = {name for name in console if name.split(":")[0] not in NOT_SCREEN_NAMESPACES}
    listed = set(SCREENS) | set(PUBLIC_SCREENS) | NOT_SCREENS
    assert sorted(console - listed) == [], "a new URL: add it to SCREENS, PUBLIC_SCREENS or NOT_SCREENS"


def check(page, url: str, name: str, prepare=None) -> dict[str, list[str]]:
    """The page at both widths: what axe finds at each (a screenshot of each when asked)."""
    found = {}
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        page.goto(url)
        page.wait_for_load_state("networkidle")
        if prepare:
            prepare(page)
        # Checked as a person sees it: no pointer resting on a control, no panel half open.
        page.mouse.move(0, 0)
        page.wait_for_function("() => !document.querySelector('.collapsing, .showing, .hiding')")
        page.wait_for_timeout(200)
        lines = findings(page)
        if lines:
            found[f"{name} @ {size['width']}px"] = lines
        screenshot(page, f"a11y-{name.replace(':', '-')}", sizes=None)
    return found


def report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{where}: {line}" for where, lines in found.items() for line in lines)


def test_console_screens_have_no_serious_accessibility_findings(live_server, browser, manager, world):  # noqa: F811
    base = live_server.url
    context = axe_context(browser, PHONE, has_touch=True)
    page = context.new_page()
    sign_in(page, base, manager)
    found = {}
    for name, (args, prepare) in SCREENS.items():
        if name == "login" or name not in URL_NAMES:  # a row may come before its URL (parallel work)
            continue
        found |= check(page, base + reverse(name, args=args(world)), name, prepare)
    # The error pages a signed-in associate meets: no such customer, and a screen for managers only.
    found |= check(page, base + "/customers/999999999/", "error-404")
    associate = axe_context(browser, PHONE)
    other = associate.new_page()
    sign_in(other, base, world["thread"].assigned_to)
    found |= check(other, base + reverse("clienteling:list_template_manage"), "error-403")
    associate.close()
    context.close()
    assert found == {}, report(found)


def test_customer_pages_and_sign_in_have_no_serious_accessibility_findings(live_server, browser, world):  # noqa: F811
    base = live_server.url
    context = axe_context(browser, PHONE)
    page = context.new_page()
    found = check(page, base + reverse("login"), "login")
    for name, args in PUBLIC_SCREENS.items():
        if name not in URL_NAMES:
            continue
        found |= check(page, base + reverse(name, args=args(world)), name)
    found |= check(page, base + reverse("carts_public:cart", args=["x" * 43]), "carts_public-cart-unknown")
    context.close()
    assert found == {}, report(found)
