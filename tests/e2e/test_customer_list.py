"""Browser test: an associate builds a customer list, saves it, finds it again, and notes a customer.

Chromium through Playwright against pytest-django's live server, which runs in
this process: time-machine fixes "today" (16 March 2027 in New York) for the
server, so "birthday within 30 days" always means the same customers. Set
ATELIER_SCREENSHOTS=/some/dir to keep screenshots of the list, its filters, the
column menu, the save dialog, the profile and its timeline at phone and desktop
sizes.
"""

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from clienteling import services
from clienteling.models import Note, SavedCustomerList
from tests.e2e.browser import DESKTOP, PHONE, requires_chromium, screenshot, sign_in
from tests.factories import CategoryFactory, CustomerFactory, ProductFactory

# Noon in New York on Tuesday 16 March 2027 (in the future of any real clock the cookies
# are checked against, so the session cookie the frozen server sets is not already expired).
TODAY_NOON = datetime(2027, 3, 16, 16, 0, tzinfo=UTC)

pytestmark = [
    pytest.mark.e2e,
    # serialized_rollback keeps the rows data migrations made (role groups, profile layout ...).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]


@pytest.fixture
def frozen_today():
    with time_machine.travel(TODAY_NOON, tick=True):
        yield


@pytest.fixture
def clientele(org, associate_a, manager):
    """Three customers with birthdays, two of whom bought scarves (store A, New York)."""
    entity, store = org["entity"], org["store_a"]
    scarves, coats = CategoryFactory(name="Scarves"), CategoryFactory(name="Coats")
    scarf = ProductFactory(title="Silk twill scarf", category=scarves)
    coat = ProductFactory(title="Cashmere coat", category=coats)

    def customer(first, last, birthday, product, amount):
        made = CustomerFactory(legal_entity=entity, home_store=store, first_name=first,
                               last_name=last, birth_date=birthday, city="New York",
                               primary_salesperson=associate_a)
        services.sale_record(customer=made, store=store, salesperson=manager,
                             sold_at=datetime(2027, 1, 20, 18, tzinfo=UTC),
                             lines=[{"title": product.title, "amount": Decimal(amount),
                                     "product": product, "designer": product.designer,
                                     "category": product.category}])
        return made

    return {
        "scarves": scarves,
        # Birthday in 12 days, bought a scarf: the one the list is for.
        "claire": customer("Claire", "Dupont", date(1985, 3, 28), scarf, "450.00"),
        # Birthday in 12 days too, but bought a coat.
        "hugo": customer("Hugo", "Bernard", date(1990, 3, 28), coat, "2100.00"),
        # Bought a scarf, but the birthday is in two months.
        "lena": customer("Lena", "Moreau", date(1979, 5, 20), scarf, "380.00"),
    }


def result_names(page) -> list[str]:
    return page.locator("table.customer-grid tbody td a.fw-medium").all_inner_texts()


def wait_for_count(page, text: str) -> None:
    page.locator("#result-count", has_text=re.compile(rf"^\s*{re.escape(text)}\s*$")).wait_for()


def test_associate_builds_saves_and_reopens_a_list_then_notes_a_customer(
        live_server, frozen_today, clientele, associate_a, browser):
    base = live_server.url
    claire = clientele["claire"]
    # Reduced motion: Bootstrap then opens dialogs and panels without a fade.
    context = browser.new_context(viewport=DESKTOP, locale="en-US", reduced_motion="reduce")
    page = context.new_page()
    sign_in(page, base, associate_a)
    page.goto(base + reverse("clienteling:customer_list"))
    wait_for_count(page, "3 customers")

    # Birthday within 30 days: filtered live, the URL follows.
    page.locator("#filters button", has_text="Significant dates").click()
    page.fill("#id_birthday_within", "30")
    page.press("#id_birthday_within", "Tab")
    wait_for_count(page, "2 customers")
    assert sorted(result_names(page)) == ["Claire Dupont", "Hugo Bernard"]
    assert "birthday_within=30" in page.url

    # Plus a category from the purchase history.
    page.locator("#filters button", has_text="Purchase history").click()
    page.select_option("#id_categories", label="Scarves")
    wait_for_count(page, "1 customer")
    assert result_names(page) == ["Claire Dupont"]
    assert f"categories={clientele['scarves'].pk}" in page.url

    # A range typed the wrong way round shows the form's error in place (a 400 htmx swaps).
    page.fill("#id_sales_12mo_min", "900")
    page.fill("#id_sales_12mo_max", "100")
    page.press("#id_sales_12mo_max", "Tab")
    page.locator("#results .alert-warning", has_text="Must not be below the lower bound.").wait_for()
    page.locator("#id_sales_12mo_max.is-invalid").wait_for()
    screenshot(page, "customers-filter-error", sizes=None)
    page.fill("#id_sales_12mo_min", "")
    page.fill("#id_sales_12mo_max", "")
    page.press("#id_sales_12mo_max", "Tab")
    wait_for_count(page, "1 customer")
    screenshot(page, "customers-filtered", sizes=None)

    # Columns from the eye-icon menu: City and DOB in, Email out.
    page.locator("#results button[title=Columns]").click()
    menu = page.locator(".column-menu")
    menu.wait_for()
    menu.locator("#col-email").uncheck()
    menu.locator("#col-city").check()
    menu.locator("#col-dob").check()
    screenshot(page, "customers-column-menu", sizes=None)
    menu.locator("button", has_text="Show columns").click()
    page.wait_for_load_state()
    wait_for_count(page, "1 customer")
    headers = page.locator("table.customer-grid thead th").all_inner_texts()
    assert "City" in headers and "DOB" in headers and "Email" not in headers
    assert result_names(page) == ["Claire Dupont"]

    # "Create my own": saved by name with these filters and columns.
    page.locator("button", has_text="New list").click()
    page.locator("button.dropdown-item", has_text="Create my own").click()
    dialog = page.locator("#save-list")
    dialog.locator("#list-name").wait_for(state="visible")
    dialog.locator("#list-name").fill("Scarf lovers' birthdays")
    screenshot(page, "customers-save-dialog", sizes=None)
    dialog.locator("button[type=submit]").click()
    page.locator("h1", has_text="Scarf lovers' birthdays").wait_for()
    saved = SavedCustomerList.objects.get(owner=associate_a)
    assert saved.filters == {"birthday_within": ["30"], "categories": [str(clientele["scarves"].pk)]}
    assert saved.columns[:1] == ["customer"] and {"city", "dob"} <= set(saved.columns)
    assert "email" not in saved.columns

    # Reloaded from the plain customer list, the list is found under "My lists".
    page.goto(base + reverse("clienteling:customer_list"))
    wait_for_count(page, "3 customers")
    page.locator("button", has_text="My lists").click()
    page.locator(".dropdown-menu.show a", has_text="Scarf lovers' birthdays").click()
    page.locator("h1", has_text="Scarf lovers' birthdays").wait_for()
    wait_for_count(page, "1 customer")
    assert result_names(page) == ["Claire Dupont"]
    screenshot(page, "customers-saved-list", sizes=None)

    # The customer's profile: a note goes into the notes and the timeline.
    page.locator("table.customer-grid a", has_text="Claire Dupont").click()
    page.locator("h1", has_text="Claire Dupont").wait_for()
    notes = page.locator("section", has=page.locator("h2", has_text="Notes"))
    notes.locator("textarea[name=body]").fill("Loves the spring scarves; call before the 28th.")
    notes.locator("button", has_text="Add note").click()
    notes.locator("li", has_text="Loves the spring scarves").wait_for()
    timeline = page.locator("section", has=page.locator("h2", has_text="Activities"))
    timeline.locator("li", has_text="Loves the spring scarves").wait_for()
    assert "today" in timeline.inner_text().lower()  # the day heading
    assert Note.objects.get(customer=claire).body == "Loves the spring scarves; call before the 28th."
    screenshot(page, "customers-profile", sizes=None)
    context.close()

    # The same screens on a phone.
    phone = browser.new_context(viewport=PHONE, locale="en-US", has_touch=True, is_mobile=True,
                                reduced_motion="reduce")
    page = phone.new_page()
    sign_in(page, base, associate_a)
    screenshot(page, "customers-today", sizes=None)
    page.goto(base + reverse("clienteling:customer_list") + f"?list={saved.pk}")
    wait_for_count(page, "1 customer")
    screenshot(page, "customers-saved-list", sizes=None)
    page.locator("button[data-bs-toggle=offcanvas][data-bs-target='#filter-panel']").click()
    page.locator("#filter-panel.show #id_birthday_within").wait_for()
    assert page.locator("#id_birthday_within").input_value() == "30"
    screenshot(page, "customers-filters", sizes=None)
    page.locator("#filter-panel .btn-close").click()
    page.locator("#filter-panel").wait_for(state="hidden")
    page.locator("#results button[title=Columns]").click()
    page.locator(".column-menu").wait_for()
    screenshot(page, "customers-column-menu", sizes=None)
    page.keyboard.press("Escape")
    page.locator("button", has_text="New list").click()
    page.locator("button.dropdown-item", has_text="Create my own").click()
    page.locator("#save-list #list-name").wait_for(state="visible")
    screenshot(page, "customers-save-dialog", sizes=None)
    page.locator("#save-list .btn-close").click()
    page.locator("#save-list").wait_for(state="hidden")
    page.locator(".card-list a", has_text="Claire Dupont").click()
    page.locator("h1", has_text="Claire Dupont").wait_for()
    page.locator("section li", has_text="Loves the spring scarves").first.wait_for()
    screenshot(page, "customers-profile", sizes=None)
    phone.close()


def test_a_slow_count_arrives_after_the_list(live_server, org, manager, browser, monkeypatch):
    from clienteling.selectors import lists

    CustomerFactory.create_batch(30, legal_entity=org["entity"], home_store=org["store_a"])
    real = lists.capped_count

    def slow_inside_the_page(queryset, cap=None, *, budget_ms=None):
        # The live server runs in this process: the page's budgeted count "runs out".
        if budget_ms is not None and budget_ms < 1000:
            return None
        return real(queryset, cap, budget_ms=budget_ms)

    monkeypatch.setattr(lists, "capped_count", slow_inside_the_page)
    context = browser.new_context(viewport=DESKTOP, locale="en-US", reduced_motion="reduce")
    page = context.new_page()
    sign_in(page, live_server.url, manager)
    page.goto(live_server.url + reverse("clienteling:customer_list"))
    assert len(result_names(page)) == 25
    wait_for_count(page, "30 customers")  # fetched by the page, no reload
    page.check("#select-page")
    page.click("#select-all-matching")
    page.locator("#selected-count", has_text="All 30 matching selected").wait_for()
    assert not page.locator("#bulk-actions").is_disabled()
    context.close()


def test_sorting_and_paging_stay_in_the_page_and_in_the_address(live_server, org, manager, browser):
    for number in range(30):
        CustomerFactory(legal_entity=org["entity"], home_store=org["store_a"],
                        first_name="Client", last_name=f"Name{number:02d}")
    context = browser.new_context(viewport=DESKTOP, locale="en-US", reduced_motion="reduce")
    page = context.new_page()
    sign_in(page, live_server.url, manager)
    page.goto(live_server.url + reverse("clienteling:customer_list") + "?q=Name")
    wait_for_count(page, "30 customers")
    page.evaluate("window.notReloaded = true")  # gone if a link reloads the whole page
    assert result_names(page)[0] == "Client Name00"

    page.locator("table.customer-grid thead a", has_text="Customer").click()
    page.wait_for_url(re.compile(r"sort=-customer"))
    page.locator("table.customer-grid tbody td a", has_text="Client Name29").first.wait_for()
    assert result_names(page)[:2] == ["Client Name29", "Client Name28"]

    page.locator("nav[aria-label=Pages] a", has_text="Next").click()
    page.wait_for_url(re.compile(r"cursor="))
    page.locator("table.customer-grid tbody td a", has_text="Client Name04").wait_for()
    assert result_names(page) == [f"Client Name{n:02d}" for n in range(4, -1, -1)]
    assert "q=Name" in page.url and "sort=-customer" in page.url
    assert page.evaluate("window.notReloaded") is True

    page.go_back()
    page.locator("table.customer-grid tbody td a", has_text="Client Name29").first.wait_for()
    context.close()
