"""The API for people, in a real browser (Debian Chromium): the /docs reference with the
network cut off, the account page's API keys, the 404 page and the favicon."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Route, expect

from tests.test_pages import WAIT_MS, Server, browser, server
from tests.test_pages_security import WATCH

pytestmark = pytest.mark.integration
__all__ = ["browser", "server"]  # the page tests' fixtures, shared
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def test_the_api_reference_renders_with_the_network_cut_off(
    browser: Browser, server: Server
) -> None:
    context = browser.new_context(base_url=server.url)
    context.set_default_timeout(WAIT_MS)
    blocked: list[str] = []

    def only_loopback(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", only_loopback)
    context.add_init_script(WATCH)
    page = context.new_page()
    try:
        page.goto("/docs")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("Atelier")
        create_key = page.locator("#operations-auth-keys_create")
        expect(create_key.locator(".opblock-summary-path")).to_have_text("/v1/keys")
        expect(create_key.locator(".opblock-summary-description")).to_have_text("Create Key")
        assert page.locator(".opblock").count() > 40
        create_key.locator(".opblock-summary").click()  # open it: its schema, its answers
        expect(create_key.locator(".responses-table")).to_be_visible()
        page.get_by_role("button", name="Authorize").click()
        expect(page.locator(".modal-ux")).to_be_visible()
        assert blocked == []
        assert page.evaluate("() => window.violations") == []
    finally:
        context.close()
