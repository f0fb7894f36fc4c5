"""Take the README's screenshots from a running demo (``./run.sh demo``) with Chromium.

    .venv/bin/python scripts/screenshots.py [--url http://127.0.0.1:8000]
"""

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync"]


def login(page, url: str, username: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "kams-demo")
    page.click("#login-submit")
    page.wait_for_url(f"{url}/")


def channel_screens(browser, url: str) -> None:
    """The channels (issue 6) as the province channel manager sees them: agents, one agent's
    accounts, a settlement run, an evaluation ranking and the pickup orders."""
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    login(page, url, "js_channel")
    page.goto(f"{url}/channels/?sort=code")
    page.screenshot(path=OUT / "channels-agents.png")
    page.click("#list-table tbody tr:first-child a")  # the national agent: every sub-account in use
    page.wait_for_selector("#agent-accounts")
    page.screenshot(path=OUT / "channels-agent.png")
    page.goto(f"{url}/channels/settlement/")
    # the latest month's unified run of Nanjing (the newest run is the demo's re-settlement)
    page.click("#list-table tbody tr:has-text('统一结算'):has-text('南京') a >> nth=0")
    page.wait_for_selector("#run-bills")
    page.screenshot(path=OUT / "channels-settlement-run.png")
    page.goto(f"{url}/channels/stats/")
    page.click("#list-table tbody tr:first-child a")  # the latest month's evaluation
    page.wait_for_selector("#chart-ranking canvas")
    page.wait_for_timeout(1500)  # let the chart finish its animation
    page.screenshot(path=OUT / "channels-ranking.png")
    page.goto(f"{url}/resources/pickups/")
    page.screenshot(path=OUT / "channels-pickups.png")
    page.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=ARGS)
        desk = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        login(desk, args.url, "nj_director")
        desk.wait_for_timeout(800)  # let the charts finish their animation
        desk.screenshot(path=OUT / "home.png")
        desk.goto(f"{args.url}/org/staff/")
        desk.screenshot(path=OUT / "staff.png")
        manager = browser.new_page(viewport={"width": 1280, "height": 1400}, locale="zh-CN")
        login(manager, args.url, "nj_manager1")
        manager.goto(f"{args.url}/customers/?customer_type=group&sort=-level")
        manager.screenshot(path=OUT / "customers.png")
        manager.click("#list-table tbody tr:first-child a")
        manager.wait_for_timeout(1000)
        manager.screenshot(path=OUT / "customer-360.png", full_page=False)
        director = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        login(director, args.url, "js_director")
        for path, name in (("/credit/", "credit"), ("/collection/duplicates/", "duplicates")):
            director.goto(f"{args.url}{path}")
            director.wait_for_timeout(1500)  # let the charts finish their animation
            director.screenshot(path=OUT / f"{name}.png")
        phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
        login(phone, args.url, "nj_manager1")
        phone.wait_for_timeout(800)
        phone.screenshot(path=OUT / "phone.png", full_page=True)
        channel_screens(browser, args.url)
        browser.close()


if __name__ == "__main__":
    main()
