"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Chromium makes no outside connection (the flags below), axe-core is injected from `vendor/`, and every
screenshot lands in docs/screenshots/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = "/usr/lib/chromium/chromium"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "pw-for-tests-1"  # tests/factories.py
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if IN_CI:  # CI must run the browser tests, never skip them
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """Pages under the site's real Content-Security-Policy: anything it blocks fails the test."""
    contexts, blocked = [], []

    def make(viewport=DESKTOP, locale="en-GB"):
        context = browser.new_context(
            viewport=viewport, locale=locale, accept_downloads=True, base_url=live_server.url
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                blocked.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        return page

    yield make
    for context in contexts:
        context.close()
    assert not blocked, f"the Content-Security-Policy blocked: {blocked[:3]}"


def sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login/" not in url)


AXE_SOURCE = AXE.read_text()


def axe_violations(page) -> list[dict]:
    """Serious and critical axe-core violations on the current page."""
    # Evaluated through the browser's debugging protocol: the page's CSP rightly forbids an injected script.
    page.evaluate(AXE_SOURCE)
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, f"{page.url}: {violations}"


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
