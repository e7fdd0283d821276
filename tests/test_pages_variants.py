"""Variants in a real browser (Debian Chromium, the shared server and browser of
tests/support/pages.py), at desktop and phone sizes: the compose form says its cost is for
4, the job page shows the 4 pictures in a 2×2 grid (one column on a phone) each with Keep,
Upscale and Refine; keeping one leaves it alone on the page, Refine fills the form with its
settings and seed, and Upscale enlarges it. No CSP violation on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.support.pages import WATCH, Server, new_page
from tests.support.site import WAIT_MS as JOB_MS  # a job, or a first submit, on a busy machine
from tests.support.site import no_sideways_scroll

pytestmark = pytest.mark.integration
SIZES = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
PROMPT = "a red fox in the snow"


@pytest.mark.parametrize("size", list(SIZES))
def test_make_four_variants_keep_one_and_upscale_it(
    browser: Browser, server: Server, size: str
) -> None:
    page = new_page(browser, server, signed_in=True, **SIZES[size])
    page.context.add_init_script(WATCH)
    page.goto("/create/image.compose")
    page.get_by_role("textbox", name="Prompt").fill(PROMPT)
    page.get_by_label("Width").fill("512")
    page.get_by_label("Height").fill("512")
    expect(page.get_by_label("Variants")).to_have_value("4")
    expect(page.locator("#estimate")).to_contain_text(re.compile(r"credits? for 4 variants"))
    page.get_by_role("button", name="Create").click(timeout=JOB_MS)
    expect(page).to_have_url(re.compile(r"/jobs/\w+$"))
    job_url = page.url
    expect(page.locator("#job-status")).to_have_text("succeeded", timeout=JOB_MS)

    figures = page.locator("#results.variants figure.result")
    expect(figures).to_have_count(4)
    job = server.studio.jobs.get(server.who, job_url.rsplit("/", 1)[1])
    seeds = [w.seed for w in job.works]
    assert seeds == [job.seed + i for i in range(4)]
    expect(page.locator(".variants-note")).to_contain_text(f"from seeds {seeds[0]} to {seeds[3]}")
    for i in range(4):
        expect(figures.nth(i).get_by_role("button", name="Keep")).to_be_visible()
        expect(figures.nth(i).get_by_role("button", name="Upscale")).to_be_visible()
        expect(figures.nth(i).get_by_role("link", name="Refine")).to_be_visible()
    boxes = [figures.nth(i).bounding_box() for i in range(4)]
    assert all(box is not None for box in boxes)
    tops = [round(box["y"]) for box in boxes if box]
    lefts = [round(box["x"]) for box in boxes if box]
    if size == "desktop":  # two by two
        assert tops[0] == tops[1] < tops[2] == tops[3] and lefts[0] == lefts[2] < lefts[1]
    else:  # one column
        assert tops == sorted(tops) and len(set(tops)) == 4 and len(set(lefts)) == 1
    no_sideways_scroll(page)

    second = figures.nth(1).get_attribute("data-work-id")
    figures.nth(1).get_by_role("button", name="Keep").click()
    expect(page).to_have_url(job_url)
    kept = page.locator("#results figure.result")
    expect(kept).to_have_count(1)
    expect(kept).to_have_attribute("data-work-id", str(second))
    assert [w.id for w in server.studio.jobs.get(server.who, job.id).works] == [second]

    kept.get_by_role("link", name="Refine").click()
    expect(page).to_have_url(re.compile(rf"/create/image\.compose\?again={second}$"))
    expect(page.get_by_role("textbox", name="Prompt")).to_have_value(PROMPT)
    expect(page.locator("#f-seed")).to_have_value(str(seeds[1]))
    page.go_back()

    page.locator("#results").get_by_role("button", name="Upscale").click()
    expect(page).to_have_url(re.compile(r"/create/image\.upscale\?keep-image=\w+$"))
    expect(page.locator("p.kept")).to_contain_text("(512×512)")
    page.get_by_label("Scale").select_option("2")
    page.get_by_label("Model").select_option("fast")
    page.get_by_role("button", name="Create").click(timeout=JOB_MS)
    expect(page).to_have_url(re.compile(r"/jobs/\w+$"))
    expect(page.locator("#job-status")).to_have_text("succeeded", timeout=JOB_MS)
    upscaled = server.studio.jobs.get(server.who, page.url.rsplit("/", 1)[1]).works[0]
    assert upscaled.engine == "image.upscale" and upscaled.meta["width"] == 1024
    assert {w["work_id"] for w in upscaled.lineage["inputs"][0]["works"]} == {second}
    assert page.evaluate("() => window.violations") == []
