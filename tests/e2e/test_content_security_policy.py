"""The admin's own scripts run under the Content-Security-Policy: no screen is refused anything."""

import pytest
from django.urls import reverse

from tests.e2e.browser import DESKTOP, requires_chromium, sign_in

pytestmark = [requires_chromium, pytest.mark.e2e,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

RECORD = """
window.__refused = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__refused.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile);
});
"""


def test_admin_screens_need_nothing_the_policy_refuses(live_server, browser, company_admin, manager, org):
    company_admin.is_superuser = True  # every screen, the role's own and the others
    company_admin.save()
    context = browser.new_context(viewport=DESKTOP)
    context.add_init_script(RECORD)
    page = context.new_page()
    base = live_server.url
    sign_in(page, base, company_admin)
    screens = [
        reverse("admin:index"),
        reverse("admin:clienteling_customer_changelist"),
        reverse("admin:clienteling_customer_add"),
        # filter_horizontal, then drag to reorder (adminsortable2)
        reverse("admin:clienteling_staffprofile_change", args=[manager.staff_profile.pk]),
        reverse("admin:clienteling_profilesection_changelist"),
        reverse("admin:clienteling_customerattribute_add"),
        reverse("admin:auth_user_change", args=[manager.pk]),
        reverse("admin:conversations_messagetemplate_add"),
    ]
    refused = {}
    for screen in screens:
        page.goto(base + screen)
        page.wait_for_load_state("networkidle")
        found = page.evaluate("window.__refused")
        if found:
            refused[screen] = found
    assert refused == {}
    # The recorder works: an inline style set by hand is refused and recorded.
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.wait_for_function("() => window.__refused.length > 0")
    context.close()
