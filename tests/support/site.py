"""A real server on a free port with one in-process worker, and Chromium tabs signed in to
it: what the studio's journeys in the browser share (tests/test_pages_studio_journeys.py,
tests/test_pages_downloads.py). Its own Playwright, so a test can also launch Chromium
with other flags (a fake microphone)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from atelier.accounts.authz import Principal
from atelier.studio import Studio
from atelier.web.app import create_app
from tests.support.accounts import PASSWORD, form_sign_in
from tests.support.pages import CHROMIUM, CHROMIUM_ARGS
from tests.support.servers import serve_app, wait_until
from tests.support.settings import make_settings

WAIT_MS = 90_000  # the longest any one expectation waits (a job on a busy machine)
ADMIN_PASSWORD = "admin password 1"  # make_settings'


@dataclass
class Site:
    url: str
    studio: Studio


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    app = create_app(make_settings(tmp_path_factory.mktemp("journeys"), workers=1))
    with serve_app(app) as url:
        yield Site(url, app.state.studio)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


def tab(browser: Browser, site: Site, email: str | None = None, **options: object) -> Page:
    """A new browser tab, signed in as `email` when given."""
    context = browser.new_context(base_url=site.url, **options)  # type: ignore[arg-type]
    context.set_default_timeout(WAIT_MS)
    if email:
        password = ADMIN_PASSWORD if email == "admin@localhost" else PASSWORD
        form_sign_in(context.request, email, password)
    return context.new_page()


def finished(studio: Studio, who: Principal, job_id: str) -> str:
    """Wait for the server's worker to finish the job; its first work's id."""

    def first_work() -> str | None:
        works = studio.jobs.get(who, job_id).works
        return works[0].id if works else None

    work_id = wait_until(first_work, WAIT_MS / 1000, interval=0.1, what=f"job {job_id} to end")
    assert work_id is not None
    return work_id


def no_sideways_scroll(page: Page) -> None:
    width, inner = page.evaluate("() => [document.scrollingElement.scrollWidth, innerWidth]")
    assert width <= inner, f"{page.url} scrolls sideways: {width}px in {inner}px"
