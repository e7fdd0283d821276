"""The account's webhooks page in a real browser (Debian Chromium) under the pages' strict
CSP: an endpoint added (its secret shown once), a test event sent to a real receiver on
loopback with the button and seen in the delivery log, the endpoint deleted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from standardwebhooks.webhooks import Webhook

from atelier.studio import Studio
from atelier.web.app import create_app
from tests.support.accounts import add_user
from tests.support.pages import EMAIL, WATCH, Server, new_page, unlabelled_controls
from tests.support.receiver import Receiver
from tests.support.servers import free_port, serve_app
from tests.support.settings import make_settings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The whole app with its webhook dispatcher, allowed to call the loopback receiver."""
    folder = tmp_path_factory.mktemp("hooks")
    settings = make_settings(
        folder, workers=1, webhook_allow_private=True, webhook_poll_seconds=0.1
    )
    app = create_app(settings)
    with serve_app(app, timeout=30) as url:
        studio: Studio = app.state.studio
        yield Server(url, studio, add_user(studio, EMAIL))


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    found = Receiver(free_port(), tmp_path / "received.jsonl").start()
    yield found
    found.kill()


def test_an_endpoint_added_tested_and_deleted_on_the_account_page(
    browser: Browser, server: Server, receiver: Receiver
) -> None:
    page = new_page(browser, server, signed_in=True)
    page.context.add_init_script(WATCH)
    page.on("dialog", lambda dialog: dialog.accept())  # "Delete …?" confirmed
    try:
        page.goto("/account")
        page.get_by_role("link", name="Webhooks").click()
        expect(page).to_have_url(f"{server.url}/account/webhooks")
        expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()
        assert unlabelled_controls(page) == []

        page.get_by_label("URL").fill("ftp://example.com/x")  # refused, named, kept
        page.locator("form[action='/account/webhooks']").evaluate("f => f.noValidate = true")
        page.get_by_role("button", name="Add endpoint").click()
        expect(page.get_by_role("alert")).to_contain_text("http:// or https://")
        expect(page.get_by_label("URL")).to_have_value("ftp://example.com/x")

        page.get_by_label("URL").fill(receiver.url)
        page.get_by_label("webhook.test").check()
        page.get_by_role("button", name="Add endpoint").click()
        secret = page.get_by_role("textbox", name="Secret").input_value()
        assert secret.startswith("whsec_")
        assert page.evaluate("() => window.violations") == []

        page.get_by_role("button", name=f"Send a test event to {receiver.url}").click()
        expect(page.get_by_role("status")).to_contain_text("Test event")
        row = page.locator("[data-delivery]").first
        expect(row).to_contain_text("webhook.test")
        for _ in range(60):  # the dispatcher sends it; the page shows the try once reloaded
            if "delivered" in row.inner_text():
                break
            page.wait_for_timeout(250)
            page.reload()
        expect(row).to_contain_text("delivered")
        expect(row).to_contain_text("#1")
        expect(row).to_contain_text("204")
        [got] = receiver.received()
        body = Webhook(secret).verify(got.body, got.headers)
        assert body["type"] == "webhook.test"
        assert page.get_by_role("textbox", name="Secret").count() == 0  # shown once: never again

        page.get_by_role("button", name=f"Delete {receiver.url}").click()
        expect(page.get_by_role("status")).to_contain_text("deleted")
        expect(page.get_by_text("No endpoints yet.")).to_be_visible()
        assert page.evaluate("() => window.violations") == []
    finally:
        page.context.close()
