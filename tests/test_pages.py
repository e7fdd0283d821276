"""The web pages in a real browser: headless Debian Chromium driven by Playwright, against a
real server (uvicorn in a background thread, one in-process worker, SQLite in tmp).

Chromium comes from Debian (scripts/debian-packages.txt); Playwright never downloads one."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.support.accounts import PASSWORD
from tests.support.media import image_bytes
from tests.support.pages import EMAIL, WAIT_MS, Server, new_page, unlabelled_controls

pytestmark = pytest.mark.integration


@pytest.fixture
def page(browser: Browser, server: Server) -> Iterator[Page]:
    """A signed-in tab of its own (cookies are not shared between tests)."""
    tab = new_page(browser, server, signed_in=True)
    yield tab
    tab.context.close()


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "photo.png"
    path.write_bytes(image_bytes(160, 120))
    return path


def natural_width(page: Page, selector: str) -> int:
    handle = page.locator(selector).first
    handle.scroll_into_view_if_needed()
    page.wait_for_function(
        "(el) => el.complete && el.naturalWidth > 0", arg=handle.element_handle()
    )
    return int(handle.evaluate("(el) => el.naturalWidth"))


def test_signing_in_from_a_protected_page(browser: Browser, server: Server) -> None:
    page = new_page(browser, server, signed_in=False)
    try:
        page.goto("/works")
        expect(page).to_have_url(re.compile(r"/login\?next=/works$"))
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        assert unlabelled_controls(page) == []

        page.get_by_label("E-mail").fill(EMAIL)
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_have_text("Wrong e-mail or password.")
        expect(page.get_by_label("E-mail")).to_have_value(EMAIL)  # not typed twice

        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(f"{server.url}/works")
        expect(page.get_by_role("heading", name="My works")).to_be_visible()
        expect(page.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()
    finally:
        page.context.close()


def test_stylize_a_photo_and_find_it_in_my_works(page: Page, server: Server, photo: Path) -> None:
    page.goto("/")
    page.get_by_role("link", name="Stylize").click()
    expect(page).to_have_url(f"{server.url}/create/image.stylize")
    expect(page.get_by_role("heading", name="Stylize")).to_be_visible()
    assert unlabelled_controls(page) == []

    photo_input = page.locator("#f-image")
    photo_input.set_input_files(photo)
    preview = page.locator(".field:has(#f-image) img.preview")
    expect(preview).to_be_visible()
    assert natural_width(page, ".field:has(#f-image) img.preview") == 160

    page.get_by_role("radio", name="psychedelic (3)", exact=True).check()
    page.get_by_label("Max size").fill("128")
    page.get_by_role("button", name="Create").click()

    expect(page).to_have_url(re.compile(r"/jobs/[\w-]+$"))
    job_id = page.url.rsplit("/", 1)[1]
    expect(page.locator("progress#job-progress")).to_be_visible()
    expect(page.locator("#job-status")).to_have_text("succeeded", timeout=WAIT_MS)
    expect(page.locator("progress#job-progress")).to_have_attribute("value", "1.0")
    result = page.locator("#results img.compare-after")  # beside the photo: before/after
    expect(result).to_be_visible()
    assert natural_width(page, "#results img.compare-after") > 0

    job = server.studio.jobs.get(server.who, job_id)
    assert job.status == "succeeded" and job.params["style"] == 3
    download = page.locator("#results a[download]").first
    response = page.request.get(str(download.get_attribute("href")))
    assert response.status == 200
    assert response.headers["content-type"] == "image/png"
    body = response.body()
    assert body.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(body)) as made:
        assert made.size == (128, 96)  # 160×120 scaled to a longest side of 128
        pixels = np.asarray(made.convert("RGB"), dtype=np.int16)
    spread = pixels.max(axis=(0, 1)) - pixels.min(axis=(0, 1))
    assert (spread > 30).all()  # a picture in every channel, not a flat fill
    with Image.open(photo) as original:
        plain = np.asarray(original.convert("RGB").resize((128, 96)), dtype=np.int16)
    assert np.abs(pixels - plain).mean() > 10  # restyled, not merely resized

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My works").click()
    expect(page).to_have_url(f"{server.url}/works")
    work_id = job.works[0].id
    thumbnail = f"main img[src='/v1/works/{work_id}/files/thumbnail.webp']"
    expect(page.locator(thumbnail)).to_be_visible()
    assert natural_width(page, thumbnail) > 0


def test_the_job_page_follows_progress_live(page: Page, server: Server) -> None:
    """Progress arrives over server-sent events without reloading, then the page shows
    the finished job (test.wait: four half-second steps, then a text file)."""
    job, _ = server.studio.jobs.submit(server.who, "test.wait", {"seconds": 2.0, "steps": 4})
    page.goto(f"/jobs/{job.id}")
    page.evaluate("() => { window.sameDocument = true; }")
    expect(page.locator("#job-status")).to_have_text("running")
    expect(page.locator("#job-message")).to_have_text(re.compile(r"step [2-4] of 4"))
    page.wait_for_function(
        "() => { const v = document.getElementById('job-progress').value; return v > 0 && v < 1; }"
    )
    assert page.evaluate("() => window.sameDocument === true")  # live, not reloaded
    expect(page.locator("#job-status")).to_have_text("succeeded", timeout=WAIT_MS)
    expect(page.locator("#results a[download]")).to_have_count(1)
    expect(page.locator("#results img")).to_have_count(0)  # a text work has no picture
    expect(page.get_by_role("button", name="Cancel")).to_have_count(0)


def test_cancelling_a_running_job(page: Page, server: Server) -> None:
    job, _ = server.studio.jobs.submit(server.who, "test.wait", {"seconds": 20.0, "steps": 200})
    page.goto(f"/jobs/{job.id}")
    expect(page.locator("#job-status")).to_have_text("running")
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator("#job-status")).to_have_text("canceled", timeout=WAIT_MS)
    expect(page.get_by_role("button", name="Cancel")).to_have_count(0)
    assert server.studio.jobs.get(server.who, job.id).status == "canceled"


def test_a_bad_value_is_marked_and_creates_no_job(page: Page, server: Server, photo: Path) -> None:
    jobs_before = len(server.studio.jobs.mine(server.who, limit=200))
    page.goto("/create/image.stylize")
    page.locator("#f-image").set_input_files(photo)
    # The browser would refuse these itself: take its limits away so the server must.
    page.evaluate(
        """() => { for (const el of document.querySelectorAll("input[type=number]")) {
                     el.removeAttribute("min"); el.removeAttribute("max"); } }"""
    )
    page.get_by_role("radio", name="psychedelic (3)", exact=True).check()
    page.get_by_label("Strength").fill("5")
    page.get_by_label("Max size").fill("5000")
    page.get_by_role("button", name="Create").click()

    expect(page).to_have_url(f"{server.url}/create/image.stylize")
    expect(page.get_by_role("alert")).to_contain_text("check the marked fields")
    for name, value in (("max_size", "5000"), ("strength", "5")):
        field = page.locator(f".field:has(#f-{name})")
        message = field.locator(".error")
        expect(message).to_be_visible()
        expect(message).to_contain_text(re.compile("less than or equal", re.I))
        control = page.locator(f"#f-{name}")
        expect(control).to_have_value(value)  # what was typed is kept for correcting
        expect(control).to_have_attribute("aria-invalid", "true")
        described = str(control.get_attribute("aria-describedby")).split()
        assert message.get_attribute("id") in described
        # The summary at the top links to the field.
        expect(page.locator(f".error-summary a[href='#f-{name}']")).to_be_visible()
    expect(page.locator(".field:has(#f-style) .error")).to_have_count(0)
    assert len(server.studio.jobs.mine(server.who, limit=200)) == jobs_before

    # The photo sent with the refused form is kept, and the style chosen: correcting the
    # numbers is enough.
    expect(page.locator(".field:has(#f-image) .kept")).to_contain_text("photo.png")
    expect(page.get_by_role("radio", name="psychedelic (3)", exact=True)).to_be_checked()
    page.get_by_label("Strength").fill("0.5")
    page.get_by_label("Max size").fill("128")
    page.get_by_role("button", name="Create").click()
    expect(page).to_have_url(re.compile(r"/jobs/[\w-]+$"))
    expect(page.locator("#job-status")).to_have_text("succeeded", timeout=WAIT_MS)
    jobs = server.studio.jobs.mine(server.who, limit=200)
    assert len(jobs) == jobs_before + 1
    assert jobs[0].params["strength"] == 0.5 and jobs[0].params["style"] == 3
    assert (
        jobs[0].params["image"] == server.studio.uploads.get(server.who, jobs[0].params["image"]).id
    )


def test_the_pages_fit_a_phone(browser: Browser, server: Server) -> None:
    upload = server.studio.uploads.add(server.who, "small.png", image_bytes(96, 64, seed=2))
    job, _ = server.studio.jobs.submit(
        server.who, "image.stylize", {"image": upload.id, "style": 1, "max_size": 96}
    )
    page = new_page(
        browser,
        server,
        signed_in=True,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    try:
        page.goto(f"/jobs/{job.id}")
        expect(page.locator("#job-status")).to_have_text("succeeded", timeout=WAIT_MS)
        expect(page.locator("#results img.compare-after")).to_be_visible()
        page.locator("details.settings summary").click()  # the longest lines: upload ids
        for path in (None, "/create/image.stylize", "/", "/works", "/login"):
            if path:
                page.goto(path)
            expect(page.locator("main h1")).to_be_visible()
            scroll_width, inner_width = page.evaluate(
                "() => [document.scrollingElement.scrollWidth, window.innerWidth]"
            )
            assert inner_width == 390
            assert scroll_width <= inner_width, f"{page.url} scrolls sideways: {scroll_width}px"
    finally:
        page.context.close()
