"""The README's `make run`, as a newcomer runs it: the embedded default, three real processes.

Starts `make run` on a free port with its own var/ folder (SQLite file, filesystem broker),
then signs in over HTTP in Chromium as a demo associate: searches and scans a product,
sends a message the worker delivers, shares a cart the customer pays on the demo page.
Ctrl-C stops everything: no process is left and the logs hold no error.
"""

import os
import re
import signal
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.e2e.browser import ARGS, CHROMIUM, PHONE, requires_chromium

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "atelier-demo"

pytestmark = [
    requires_chromium,
    pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
                       reason="`make run` is the embedded default: it runs in the SQLite pass"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, process: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"make run exited early:\n{log.read_text()[-4000:]}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer:\n{log.read_text()[-4000:]}")


def session_processes(session_id: int) -> list[str]:
    """Every process still alive in the session `make run` started."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        state, session = fields[0], int(fields[3])
        if session == session_id and state != "Z":
            alive.append(stat.parent.name)
    return alive


@pytest.fixture
def demo(tmp_path):
    """`make run` on a free port; yields (base URL, database path, log path)."""
    port = free_port()
    var = tmp_path / "var"
    log = tmp_path / "make-run.log"
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "PUBLIC_BASE_URL",
                          "LOCAL_BASE_URL", "CELERY_QUEUE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env["VAR_DIR"] = str(var)
    with open(log, "wb") as out:
        process = subprocess.Popen(["make", "run", "HOST=127.0.0.1", f"PORT={port}"], cwd=ROOT, env=env,
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base}/login/", process, log)
        yield {"base": base, "db": var / "atelier.sqlite3", "log": log, "process": process}
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in the terminal
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def crawl_console(page, base: str, depth: int = 2) -> None:
    """GET every same-site link of the console, breadth first, as the signed-in user."""
    seen, frontier = set(), [f"{base}/"]
    for _level in range(depth):
        found = []
        for url in frontier:
            page.goto(url)
            found += page.eval_on_selector_all(
                "a[href^='/']:not([href^='/admin']):not([href^='/logout']):not([href*='export'])",
                "links => links.map(a => a.href.split('#')[0])")
        frontier = sorted(set(found) - seen)
        for url in frontier:
            seen.add(url)
            status = page.request.get(url).status
            assert status < 500, f"{url} answered {status}"
    assert len(seen) > 15, seen  # the crawl really went through the console


def query(db: Path, sql: str, *params):
    with sqlite3.connect(db) as connection:
        return connection.execute(sql, params).fetchall()


def test_make_run_serves_the_demo_end_to_end_and_stops_clean(demo):
    try:
        walk_through_the_demo(demo)
    except Exception:
        # What the three processes said is the first thing to read when this fails.
        print(demo["log"].read_text()[-6000:])
        raise


def walk_through_the_demo(demo):
    from playwright.sync_api import expect, sync_playwright

    base, db = demo["base"], demo["db"]
    # An opted-in customer's thread of associate.ny1 in New York (seed_demo starts a few).
    (conversation_id,) = query(db, """
        SELECT c.id FROM conversations_conversation c
        JOIN auth_user u ON u.id = c.assigned_to_id
        JOIN clienteling_customerconsent k ON k.customer_id = c.customer_id
             AND k.channel = 'sms' AND k.state = 'opted_in'
        WHERE u.username = 'associate.ny1' ORDER BY c.id LIMIT 1""")[0]
    (barcode, title) = query(db, """
        SELECT v.barcode, p.title FROM catalog_productvariant v
        JOIN catalog_product p ON p.id = v.product_id
        JOIN catalog_stocklevel s ON s.variant_id = v.id
        JOIN clienteling_store st ON st.stock_location_id = s.location_id AND st.code = 'ny'
        WHERE v.active AND p.active AND s.on_hand - s.reserved > 0 ORDER BY v.id LIMIT 1""")[0]

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(viewport=PHONE, locale="en-US").new_page()
        page.set_default_timeout(60_000)  # three processes share two cores with the rest of the suite
        # Anything the Content-Security-Policy had to refuse shows in the console.
        refused = []
        page.on("console", lambda message: refused.append(message.text)
                if "Content Security Policy" in message.text else None)
        # Sign in as a demo associate.
        page.goto(f"{base}/login/")
        page.fill("#id_username", "associate.ny1")
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")

        # Every console screen a link leads to (two steps from Today) answers without a 5xx.
        crawl_console(page, base)

        # An associate may not export: a styled 403, logged in one line without a traceback.
        export = page.goto(f"{base}/customers/export.csv")
        assert export.status == 403 and "You do not have access to this" in page.content()

        # A newcomer's first search: one word, in the catalog (scarves, stoles and bandanas).
        page.goto(f"{base}/carts/catalog/?q=scarf")
        scarves = page.locator(".catalog-card", has_text=re.compile("scarf", re.IGNORECASE))
        expect(scarves.first).to_be_visible()

        # A message from the thread, handed to the (demo) provider by the worker.
        page.goto(f"{base}/conversations/{conversation_id}/")
        page.fill("#body", "Your alterations are ready, see you soon")
        page.locator("#composer button[type=submit]").click()
        sent = page.locator(".bubble-row.outbound", has_text="alterations are ready, see you soon")
        sent.locator("[data-status=sent], [data-status=delivered]").first.wait_for(timeout=30_000)

        # A remote cart from the thread: a scanner types the barcode and Enter.
        page.click("[data-thread-action=remote_cart]")
        page.wait_for_url(re.compile(r".*/carts/\d+/$"))
        page.fill("#cart-search", barcode)
        page.press("#cart-search", "Enter")
        page.locator(".cart-line", has_text=title).wait_for()
        page.locator("button", has_text="Send now").click()
        page.locator("[data-link-state]", has_text="Payment link ready").wait_for(timeout=30_000)
        cart_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
        (token,) = query(db, "SELECT token FROM carts_cart WHERE id = ?", cart_id)[0]

        # The customer opens the link (at the address the demo runs on) and pays on the demo page.
        customer = browser.new_context(viewport=PHONE, locale="en-US").new_page()
        customer.set_default_timeout(60_000)
        customer.goto(f"{base}/c/{token}/")
        customer.locator("[data-pay]").click()
        assert customer.url.startswith(f"{base}/c/pay/demo/")
        customer.locator("[data-demo-pay]").click()
        customer.get_by_text("Thank you, this cart is paid").wait_for(timeout=30_000)
        browser.close()
    assert refused == [], refused

    # The worker recorded the payment once, as the associate's sale.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not query(db, "SELECT 1 FROM carts_cart WHERE id = ? AND "
                                                        "status = 'paid' AND sale_id IS NOT NULL", cart_id):
        time.sleep(0.5)
    assert query(db, "SELECT COUNT(*) FROM clienteling_sale s JOIN carts_cart c ON c.sale_id = s.id "
                     "WHERE c.id = ?", cart_id) == [(1,)]

    # A missing page is logged once (Django's default config printed each 4xx/5xx twice).
    import requests

    assert requests.get(f"{base}/no-such-page/", timeout=10).status_code == 404

    # Ctrl-C stops all three processes, and nothing went wrong on the way.
    process = demo["process"]
    os.killpg(process.pid, signal.SIGINT)
    process.wait(timeout=30)
    time.sleep(1)
    assert session_processes(process.pid) == []
    log = demo["log"].read_text()
    assert "web.1 started" in log and "worker.1 started" in log and "beat.1 started" in log
    assert log.count("Not Found: /no-such-page/") == 1
    problems = [line for line in log.splitlines()
                if re.search(r"\bERROR\b|Traceback|CRITICAL|SIGKILL", line)]
    assert problems == [], "\n".join(problems)
