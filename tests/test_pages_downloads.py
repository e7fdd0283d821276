"""A work's downloads and its before/after, in Chromium (issue 18): the owner of a melody
downloads its MIDI and MusicXML from its page; a four-part score fits a phone by scrolling
in its own box; an upscale's page compares the input and the result with a slider and
zooms to 1:1; a visitor is offered the preview, never the picture's original, and hears a
melody's clip and sees its first bars, never its WAV, MIDI or MusicXML."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import soundfile
from jinja2.filters import do_filesizeformat
from PIL import Image
from playwright.sync_api import Browser, Locator, Page, expect

from atelier.accounts.authz import Principal
from atelier.studio import Studio
from tests.support.accounts import add_user
from tests.support.media import melody_midi
from tests.support.site import (
    Site,
    browser,
    finished,
    no_sideways_scroll,
    playwright,
    site,
    tab,
)

__all__ = ["browser", "playwright", "site"]  # fixtures from tests/support/site.py
pytestmark = pytest.mark.integration
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def made(studio: Studio, who: Principal, engine: str, params: dict[str, object]) -> str:
    """The first work of a job the server's worker runs."""
    job, _ = studio.jobs.submit(who, engine, params, seed=1)
    return finished(studio, who, job.id)


def download(page: Page, link: Locator) -> bytes:
    with page.expect_download() as started:
        link.click()
    return started.value.path().read_bytes()


def entry(page: Page, mime: str) -> Locator:
    """The downloads list's line for a format."""
    return page.locator(f"section.downloads li[data-format='{mime}']")


def test_the_owner_downloads_a_melodys_midi_and_musicxml(browser: Browser, site: Site) -> None:
    who = add_user(site.studio, "melodist@example.com")
    work_id = made(site.studio, who, "music.compose", {"bars": 4})
    page = tab(browser, site, "melodist@example.com")
    page.goto(f"/works/{work_id}")

    listed = page.locator("section.downloads li")
    formats = [line.split(" ")[0] for line in listed.all_inner_texts()]
    assert formats[:4] == ["WAV", "MIDI", "MusicXML", "Score"], formats
    midi = download(page, page.get_by_role("link", name="MIDI", exact=True))
    assert midi[:4] == b"MThd"
    musicxml = download(page, page.get_by_role("link", name="MusicXML", exact=True))
    root = ET.fromstring(musicxml)
    assert root.tag == "score-partwise" and root.find("part/measure/note") is not None
    # Each line names the file's size, and it is the size of what came down.
    expect(entry(page, "audio/midi")).to_contain_text(do_filesizeformat(len(midi)))
    musicxml_line = entry(page, "application/vnd.recordare.musicxml+xml")
    expect(musicxml_line).to_contain_text(do_filesizeformat(len(musicxml)))
    page.context.close()


def test_a_four_part_score_scrolls_in_its_box_at_phone_width(browser: Browser, site: Site) -> None:
    who = add_user(site.studio, "chorister@example.com")
    melody = site.studio.uploads.add(who, "tune.mid", melody_midi(4))
    work_id = made(site.studio, who, "music.harmonize", {"melody": melody.id, "candidates": 1})
    page = tab(browser, site, "chorister@example.com", **PHONE)
    page.goto(f"/works/{work_id}")
    score = page.locator(".score-scroll img.score")
    expect(score).to_be_visible()
    expect(score).to_have_js_property("complete", True)
    no_sideways_scroll(page)
    box = page.locator(".score-scroll")
    width, room = box.evaluate("(b) => [b.scrollWidth, b.clientWidth]")
    drawn = score.bounding_box()
    assert drawn is not None and drawn["width"] >= 600, drawn  # readable, not shrunk to 350
    assert width > room  # so the score scrolls sideways inside its own box
    page.context.close()


def picture(shot: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(shot)).convert("RGB"), dtype=np.float64)


def test_an_upscale_compares_before_and_after_and_visitors_get_no_original(
    browser: Browser, site: Site
) -> None:
    who = add_user(site.studio, "enlarger@example.com")
    noise = np.random.default_rng(3).integers(0, 256, (40, 40, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noise).save(buffer, format="PNG")
    photo = site.studio.uploads.add(who, "noise.png", buffer.getvalue())
    params = {"image": photo.id, "scale": 2, "model": "fast"}
    work_id = made(site.studio, who, "image.upscale", params)
    page = tab(browser, site, "enlarger@example.com", device_scale_factor=2)
    page.goto(f"/works/{work_id}")

    stage = page.locator(".compare-stage")
    for image in stage.locator("img").all():
        expect(image).to_have_js_property("complete", True)
    slider = page.get_by_label("Before / after")
    shots = {}
    for key in ("Home", "End"):
        slider.press(key)
        shots[key] = picture(stage.screenshot(animations="disabled"))
    slider.fill("50")
    half = picture(stage.screenshot(animations="disabled"))
    after, before = shots["Home"], shots["End"]
    assert np.abs(after - before).mean() > 10  # the slider's ends show different pictures
    middle = half.shape[1] // 2
    left, right = slice(8, middle - 8), slice(middle + 8, half.shape[1] - 8)
    rows = slice(40, half.shape[0])  # below the Before/After tags
    assert np.abs(half[rows, left] - before[rows, left]).mean() < 1
    assert np.abs(half[rows, right] - after[rows, right]).mean() < 1

    # Full size at 1:1: one pixel of the 80×80 result on one pixel of this 2× screen.
    page.get_by_role("button", name="View the result full size").click()
    page.get_by_role("button", name="1:1").click()
    full = page.locator("#viewer img")
    expect(full).to_have_js_property("width", 40)
    page.get_by_role("button", name="Fit to screen").click()
    page.get_by_role("button", name="Close").click()

    # The job's page compares them too.
    job_id = site.studio.works.get(who, work_id)[0].job_id
    page.goto(f"/jobs/{job_id}")
    expect(page.locator("#results .compare").get_by_label("Before / after")).to_be_visible()
    page.goto(f"/works/{work_id}")

    # The owner has both formats of the picture, the JPEG made from the PNG.
    png = download(page, page.get_by_role("link", name="PNG", exact=True))
    jpeg = download(page, page.get_by_role("link", name="JPEG", exact=True))
    with Image.open(io.BytesIO(png)) as a, Image.open(io.BytesIO(jpeg)) as b:
        assert (a.format, b.format, a.size, b.size) == ("PNG", "JPEG", (80, 80), (80, 80))
    page.context.close()

    site.studio.works.update(who, work_id, "unlisted")  # anyone with the link
    visitor = tab(browser, site)
    visitor.goto(f"/works/{work_id}")
    expect(visitor.locator("main h1")).to_be_visible()
    expect(visitor.locator(".compare")).to_have_count(0)  # the input is its owner's
    for mime in ("image/png", "image/jpeg"):
        expect(entry(visitor, mime)).to_contain_text("not offered: for its owner and the holders")
        expect(entry(visitor, mime).locator("a[download]")).to_have_count(0)
    preview = visitor.get_by_role("link", name="Preview (WebP, reduced)")
    assert download(visitor, preview)[8:12] == b"WEBP"
    original = visitor.request.get(f"/v1/works/{work_id}/files/image.png")
    assert original.status == 403
    visitor.context.close()


def test_a_visitor_hears_a_melodys_clip_and_sees_its_first_bars(
    browser: Browser, site: Site
) -> None:
    """Chromium plays the MP3 preview (its length read by the browser), shows the score's
    first bars, and offers none of the originals."""
    who = add_user(site.studio, "piper@example.com")
    work_id = made(site.studio, who, "music.compose", {"bars": 8, "model": "clean"})
    site.studio.works.update(who, work_id, "unlisted")
    visitor = tab(browser, site)
    visitor.goto(f"/works/{work_id}")
    audio = visitor.locator(".work-media audio")
    expect(audio).to_have_attribute("src", f"/v1/works/{work_id}/files/preview.mp3")
    visitor.wait_for_function("(a) => a.readyState >= 1", arg=audio.element_handle())
    wav = site.studio.artifacts.staged(site.studio.works.get(who, work_id)[0].sha256)
    whole = soundfile.info(str(wav)).duration
    assert 0 < audio.evaluate("(a) => a.duration") <= whole / 2 + 0.1
    score = visitor.locator(".score-scroll img.score")
    expect(score).to_have_attribute("src", f"/v1/works/{work_id}/files/score-preview.svg")
    visitor.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=score.element_handle()
    )
    for mime in ("audio/wav", "audio/midi", "application/vnd.recordare.musicxml+xml"):
        expect(entry(visitor, mime)).to_contain_text("not offered: for its owner and the holders")
        expect(entry(visitor, mime).locator("a[download]")).to_have_count(0)
    clip = download(visitor, visitor.get_by_role("link", name="Preview (MP3 audio, reduced)"))
    assert clip[:3] == b"ID3" or clip[:2] in (b"\xff\xf3", b"\xff\xf2", b"\xff\xfb")
    visitor.context.close()
