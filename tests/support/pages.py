"""Pages in a real browser: headless Debian Chromium driven by Playwright, against a real
server (uvicorn in a background thread, one in-process worker, SQLite in tmp).

`server` and `browser` are module-scoped fixtures (registered by conftest's
pytest_plugins); Chromium comes from Debian (scripts/debian-packages.txt), Playwright
never downloads one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from atelier.accounts.authz import Principal
from atelier.studio import Studio
from atelier.web.app import create_app
from tests.support.accounts import PASSWORD, add_user, form_sign_in
from tests.support.servers import serve_app
from tests.support.settings import make_settings

CHROMIUM = Path("/usr/bin/chromium")


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # the tests may run as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


EMAIL = "painter@example.com"


WAIT_MS = 30_000  # the longest any one expectation waits (a job, a page)
# Playwright's `expect` keeps its own 5 s default, which a context's timeout does not change;
# a form posted on a loaded machine took longer (test_panels_pages in a full run).
expect.set_options(timeout=WAIT_MS)


@dataclass
class Server:
    url: str
    studio: Studio
    who: Principal


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The whole app, served on a free port, with a creator account."""
    folder = tmp_path_factory.mktemp("pages")
    app = create_app(make_settings(folder, workers=1))
    with serve_app(app, timeout=30) as url:
        studio: Studio = app.state.studio
        yield Server(url, studio, add_user(studio, EMAIL))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        raise RuntimeError("Chromium is not installed: run `make setup` (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def new_page(browser: Browser, server: Server, signed_in: bool, **options: object) -> Page:
    context: BrowserContext = browser.new_context(base_url=server.url, **options)  # type: ignore[arg-type]
    context.set_default_timeout(WAIT_MS)
    if signed_in:
        form_sign_in(context.request, EMAIL, PASSWORD)
    return context.new_page()


def unlabelled_controls(page: Page) -> list[str]:
    """Visible form controls that no <label for=…> names."""
    return page.evaluate(
        """() => [...document.querySelectorAll("main input, main select, main textarea")]
            .filter((el) => el.type !== "hidden")
            .filter((el) => !el.id || !document.querySelector(`label[for="${el.id}"]`))
            .map((el) => el.name || el.outerHTML)"""
    )


# Records every violation the page's policy reports, before any of the page's scripts run.
WATCH = """
window.violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.violations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""
