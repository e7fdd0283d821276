"""The pages under their strict Content-Security-Policy in a real browser (Debian Chromium):
a whole journey — sign in through the form, choose a photo (its preview is a blob: URL),
create, follow the job live, open the work, the account, the API reference — with every
CSP violation the browser reports collected, and none allowed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, expect

from tests.support.accounts import PASSWORD
from tests.support.media import image_bytes
from tests.support.pages import EMAIL, WAIT_MS, WATCH, Server

pytestmark = pytest.mark.integration


def test_a_journey_raises_no_content_security_policy_violation(
    browser: Browser, server: Server, tmp_path: Path
) -> None:
    photo = tmp_path / "photo.png"
    photo.write_bytes(image_bytes(160, 120))
    context = browser.new_context(base_url=server.url)
    context.set_default_timeout(WAIT_MS)
    context.add_init_script(WATCH)
    page = context.new_page()
    console: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            console.append(message.text)

    page.on("console", keep)
    seen: list[str] = []

    def check() -> None:
        seen.extend(page.evaluate("() => window.violations"))

    try:
        page.goto("/login")
        page.get_by_label("E-mail").fill(EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(f"{server.url}/")
        check()
        page.goto("/create/image.stylize")
        page.locator("#f-image").set_input_files(photo)
        expect(page.locator(".field:has(#f-image) img.preview")).to_be_visible()
        page.get_by_role("radio", name="psychedelic (3)", exact=True).check()
        page.get_by_role("button", name="Create").click()
        expect(page).to_have_url(re.compile(r"/jobs/[\w-]+$"))
        expect(page.locator("#job-status")).to_have_text("succeeded", timeout=WAIT_MS)
        expect(page.locator("#results img.compare-after")).to_be_visible()
        check()
        page.locator("#results a").first.click()
        expect(page).to_have_url(re.compile(r"/works/[\w-]+$"))
        check()
        for path in ("/works", "/gallery", "/market", "/account", "/account/password", "/verify"):
            page.goto(path)
            expect(page.locator("main h1").first).to_be_visible()
            check()
        page.goto("/docs")  # Swagger UI from the studio's own files
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("Atelier")
        check()
        assert seen == [] and console == [], (seen, console)
    finally:
        context.close()
