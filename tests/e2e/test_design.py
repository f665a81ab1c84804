"""The look, in Chromium: compact customer cards on a 390 × 844 phone, the list's chips and
"Show N results", a branded customer cart, and screenshots of every main screen at 390 and 1366 px.

Screenshots go to tests/e2e/screenshots/ (git-ignored), or to $ATELIER_SCREENSHOTS when set:
`make test` writes them on every run, so a person can look at all the screens in one folder.
"""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from clienteling import services
from clienteling.models import CustomerTag, Store
from tests.carts.conftest import demo_account, shop  # noqa: F401  fixtures
from tests.conversations.conftest import fake_twilio, messaging, twilio  # noqa: F401  fixtures
from tests.e2e.axe import axe_context, findings
from tests.e2e.browser import DESKTOP, PHONE, requires_chromium, settled, sign_in
from tests.e2e.test_accessibility import PUBLIC_SCREENS, SCREENS
from tests.factories import CustomerFactory, TagFactory
from tests.test_access_matrix import URL_NAMES, world  # noqa: F401  the matrix's data

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]

FOLDER = Path(os.environ.get("ATELIER_SCREENSHOTS") or Path(__file__).parent / "screenshots")


def shoot(page, name: str) -> None:
    """The page as it is, at both widths, into FOLDER (full page, scrolled to the top)."""
    FOLDER.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => document.querySelectorAll('.toast').forEach(t => t.remove())")
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        page.evaluate("() => window.scrollTo({top: 0, behavior: 'instant'})")
        page.wait_for_timeout(150)
        page.screenshot(path=str(FOLDER / f"{name}-{size['width']}.png"), full_page=True)
    page.set_viewport_size(PHONE)


@pytest.fixture
def crowd(org, manager):
    """Twenty customers of store A, tagged, some in the manager's book: a full phone screen."""
    tag, other = TagFactory(name="VIP"), TagFactory(name="Knitwear lover")
    book = services.client_book_get_or_create(owner=manager, legal_entity=org["entity"])
    people = CustomerFactory.create_batch(20, legal_entity=org["entity"], home_store=org["store_a"],
                                          primary_salesperson=manager)
    for index, customer in enumerate(people):
        CustomerTag.objects.create(customer=customer, tag=tag)
        if index % 2:
            CustomerTag.objects.create(customer=customer, tag=other)
        if index % 3 == 0:
            services.client_book_add(book=book, customer=customer, added_by=manager)
    return {"tag": tag, "people": people}


def test_phone_list_shows_four_or_more_cards_with_chips_and_a_counting_footer(live_server, browser, manager,
                                                                                 crowd):
    base = live_server.url
    context = axe_context(browser, PHONE, has_touch=True, reduced_motion="reduce")
    page = context.new_page()
    sign_in(page, base, manager)
    page.goto(base + reverse("clienteling:customer_list") + f"?tags={crowd['tag'].pk}")
    page.wait_for_load_state("networkidle")

    heights = page.eval_on_selector_all(".compact-cards .customer-card",
                                        "cards => cards.map(c => c.getBoundingClientRect().height)")
    assert len(heights) == 20
    assert max(heights) <= 844 / 5, heights  # five or more per 390 × 844 screen (was ~370 px: two)
    # The whole card opens the profile; the checkbox keeps a 44 px target of its own.
    target = page.locator(".customer-card .card-check").first.bounding_box()
    assert target["width"] >= 44 and target["height"] >= 44
    link = page.locator(".customer-card .card-name").first
    assert link.evaluate("a => getComputedStyle(a, '::after').position") == "absolute"  # covers the card
    chip = page.locator("[data-chip]").first
    assert chip.inner_text().strip() == "Tags: VIP" and chip.bounding_box()["height"] >= 44
    assert findings(page) == []
    shoot(page, "design-customer-list-cards")
    # A tap on the card's facts line, not on the name, opens the profile (the stretched link on top).
    facts = page.locator(".customer-card .card-facts").first.bounding_box()
    page.mouse.click(facts["x"] + facts["width"] / 2, facts["y"] + facts["height"] / 2)
    page.wait_for_url("**/customers/*/")
    page.go_back()
    page.wait_for_load_state("networkidle")

    # The filter sheet: "Show N results" follows the filters, through a loading state.
    page.locator("button[data-bs-target='#filter-panel']").first.click()
    page.locator("#filter-panel.show").wait_for()
    footer = page.locator("#show-results")
    assert footer.is_visible() and footer.inner_text().strip() == "Show 20 results"
    page.fill("#id_q", crowd["people"][0].last_name)
    page.locator("#show-results [data-show-label]", has_text="result").filter(
        has_not_text="Show 20 results").wait_for()
    settled(page)
    assert footer.bounding_box()["y"] + footer.bounding_box()["height"] <= 844
    assert findings(page) == []
    FOLDER.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(FOLDER / "design-customer-list-filter-sheet-390.png"))
    footer.click()
    page.locator("#filter-panel.show").wait_for(state="detached")
    context.close()


def test_a_branded_customer_cart_reads_well(live_server, browser, world, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    Store.objects.filter(pk=world["store"].pk).update(brand_primary="#5a2d82", brand_accent="#8a4b08")
    context = axe_context(browser, PHONE)
    page = context.new_page()
    page.goto(live_server.url + reverse("carts_public:cart", args=[world["cart"].token]))
    page.wait_for_load_state("networkidle")
    header = page.locator("[data-brand-header]")
    assert header.evaluate("h => getComputedStyle(h).backgroundColor") == "rgb(90, 45, 130)"
    assert findings(page) == []
    shoot(page, "design-customer-cart-branded")
    context.close()


def test_screenshots_of_every_main_screen(live_server, browser, manager, world):  # noqa: F811
    """Every console screen and customer page at 390 and 1366 px, for a person to look at."""
    base = live_server.url
    context = axe_context(browser, PHONE, has_touch=True, reduced_motion="reduce")
    page = context.new_page()
    sign_in(page, base, manager)
    taken = []
    for name, (args, _prepare) in SCREENS.items():
        if name == "login" or name not in URL_NAMES:
            continue
        page.goto(base + reverse(name, args=args(world)))
        page.wait_for_load_state("networkidle")
        shoot(page, name.replace(":", "-"))
        taken.append(name)
    public = browser.new_context(viewport=PHONE)
    other = public.new_page()
    for name, args in {**PUBLIC_SCREENS, "login": lambda w: []}.items():
        if name not in URL_NAMES:
            continue
        other.goto(base + reverse(name, args=args(world)))
        other.wait_for_load_state("networkidle")
        shoot(other, name.replace(":", "-"))
        taken.append(name)
    public.close()
    context.close()
    assert len(taken) >= 25
    assert all((FOLDER / f"{name.replace(':', '-')}-{size['width']}.png").stat().st_size > 2000
               for name in taken for size in (PHONE, DESKTOP))
