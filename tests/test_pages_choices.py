"""Choosing by picture and by ear in a real browser (Debian Chromium through Playwright, a
real server with one worker), at desktop and phone sizes: a preset style and a house
style (trained through the spine, shared with the user) are chosen by clicking their
swatches, and the jobs' parameters carry them; an instrument's sound plays in the page
and the one chosen reaches the job. No script is needed and none breaks the strict CSP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support import client_sets as cs
from tests.support.accounts import admin_of
from tests.support.media import image_bytes
from tests.support.pages import EMAIL, WATCH, Server, new_page, unlabelled_controls
from tests.support.servers import wait_until
from tests.support.site import no_sideways_scroll

pytestmark = pytest.mark.integration
SIZES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
PRESETS = {"desktop": (18, "woodcut (18)"), "phone": (19, "starry night (19)")}


@pytest.fixture(scope="module")
def house_style(server: Server) -> str:
    """A house style the admin trained (one refining step, through the spine) and shared
    with the page's user: its id."""
    studio, admin = server.studio, admin_of(server.studio)
    made = studio.datasets.create(admin, "ink house", "image")
    studio.datasets.add(admin, made.id, "house.zip", cs.zipped(cs.picture_files(6)), "own_work")
    version, _ = studio.datasets.make_version(admin, made.id, valid_percent=34)
    params = {"dataset": version.id, "name": "Ink house", "steps": 1, "compare": False}
    job, _ = studio.jobs.submit(admin, "train.image", params, 1)
    ended = ("succeeded", "failed", "canceled")
    wait_until(lambda: studio.jobs.get(admin, job.id).status in ended, 120, what="training")
    trained = studio.jobs.get(admin, job.id)
    assert trained.status == "succeeded", trained.error
    model = studio.models.of_job(admin, job.id)
    assert model is not None
    studio.models.share(admin, model.id, EMAIL)
    return model.id


def succeeded(server: Server, page: Page) -> dict[str, object]:
    """The parameters of the job the page was sent to, once it has succeeded."""
    expect(page).to_have_url(re.compile(r"/jobs/\w+$"))
    expect(page.locator("#job-status")).to_have_text("succeeded")
    job = server.studio.jobs.get(server.who, page.url.rsplit("/", 1)[1])
    return dict(job.params)


def pick_by_picture(page: Page, label: str) -> None:
    """Click the swatch of the style named `label` (once its picture has loaded)."""
    tile = page.locator("#f-style .tile", has=page.get_by_text(label, exact=True))
    swatch = tile.locator("img")
    swatch.scroll_into_view_if_needed()
    loaded = "(el) => el.complete && el.naturalWidth === 256"
    page.wait_for_function(loaded, arg=swatch.element_handle())
    swatch.click()
    expect(tile.get_by_role("radio")).to_be_checked()


@pytest.mark.parametrize("size", sorted(SIZES))
def test_a_style_is_chosen_by_its_picture(
    browser: Browser, server: Server, house_style: str, size: str, tmp_path: Path
) -> None:
    photo = tmp_path / "photo.png"
    photo.write_bytes(image_bytes(160, 120))
    page = new_page(browser, server, signed_in=True, **SIZES[size])
    page.context.add_init_script(WATCH)
    try:
        number, label = PRESETS[size]
        page.goto("/create/image.stylize")
        expect(
            page.get_by_role("radio", name="None: the style picture's (else preset 0)")
        ).to_be_checked()
        assert unlabelled_controls(page) == []
        no_sideways_scroll(page)
        page.locator("#f-image").set_input_files(photo)
        pick_by_picture(page, label)
        page.get_by_label("Max size").fill("96")
        page.get_by_role("button", name="Create").click()
        params = succeeded(server, page)
        assert params["style"] == number and params["mix_with"] is None

        page.goto("/create/image.stylize")
        page.locator("#f-image").set_input_files(photo)
        pick_by_picture(page, "Ink house (your house style)")
        page.get_by_label("Max size").fill("96")
        page.get_by_role("button", name="Create").click()
        assert succeeded(server, page)["style"] == house_style
        assert page.evaluate("() => window.violations") == []
    finally:
        page.context.close()


def test_an_instrument_is_heard_then_chosen(browser: Browser, server: Server) -> None:
    page = new_page(browser, server, signed_in=True, **SIZES["phone"])
    page.context.add_init_script(WATCH)
    try:
        page.goto("/create/music.compose")
        no_sideways_scroll(page)
        player = page.locator("audio[src='/choices/instrument-flute']")
        seconds = player.evaluate(
            """(el) => new Promise((done, failed) => {
                 el.addEventListener("loadedmetadata", () => done(el.duration));
                 el.addEventListener("error", () => failed(new Error("the sound did not load")));
                 el.preload = "metadata"; el.load(); })"""
        )
        assert 3 <= seconds <= 10
        page.get_by_role("radio", name="flute", exact=True).check()
        page.get_by_role("radio", name="scottish", exact=True).check()
        page.get_by_label("Bars").fill("2")
        page.get_by_role("button", name="Create").click()
        params = succeeded(server, page)
        assert (params["instrument"], params["style"]) == ("flute", "scottish")
        assert page.evaluate("() => window.violations") == []
    finally:
        page.context.close()
