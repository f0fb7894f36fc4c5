"""Browser tests drive a real Chromium (Debian's package) through Playwright.

They are skipped when no Chromium is installed, unless ``KAMS_REQUIRE_BROWSER=1`` (CI),
which turns a missing browser into a failure.
"""

import os
import shutil

import pytest

CHROMIUM_CANDIDATES = [os.environ.get("KAMS_CHROMIUM", ""), "/usr/bin/chromium", "/usr/bin/chromium-browser"]
# The Playwright sync API runs an event loop in the test's thread; the ORM calls the tests
# make between page actions are plain synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _chromium() -> str | None:
    for path in CHROMIUM_CANDIDATES:
        if path and shutil.which(path):
            return path
    return None


@pytest.fixture(scope="session")
def browser():
    path = _chromium()
    if path is None:
        if os.environ.get("KAMS_REQUIRE_BROWSER") == "1":
            pytest.fail("KAMS_REQUIRE_BROWSER=1 but no Chromium is installed")
        pytest.skip("no Chromium installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def login(live_server):
    """``login(page, username)``: sign in through the login page (test password) and land on
    the home page."""
    from playwright.sync_api import expect

    from kams.org.testing import TEST_PASSWORD

    def log_in(page, username: str) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", TEST_PASSWORD)
        page.click("#login-submit")
        expect(page).to_have_url(f"{live_server.url}/")

    return log_in

