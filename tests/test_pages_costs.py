"""Costs in a real browser (Debian Chromium through Playwright, a real server on a free
port): a user with few credits sees the cost line warn as soon as the chosen picture makes
the job dearer than the balance, and, creating anyway, a 402 page that names the
shortfall and links to the page that sells credit packs and plans."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import update

from atelier.commerce.models import Plan
from atelier.studio import Studio
from atelier.web.app import create_app
from tests.support.accounts import add_user, form_sign_in
from tests.support.media import image_bytes
from tests.support.servers import serve_app
from tests.support.settings import make_settings

pytestmark = pytest.mark.integration
WAIT_MS = 60_000  # the longest any one expectation waits (a busy machine)
FEW = 20  # the Trial's credits here


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Studio]]:
    app = create_app(make_settings(tmp_path_factory.mktemp("costs-pages")))
    with serve_app(app) as url:
        yield url, app.state.studio


def test_few_credits_warn_on_the_cost_line_and_402_offers_to_buy(
    browser: Browser, site: tuple[str, Studio], tmp_path: Path
) -> None:
    url, studio = site
    with studio.db.transaction() as s:
        s.execute(update(Plan).where(Plan.id == "trial").values(monthly_credits=FEW))
    add_user(studio, "few@example.com")
    context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(WAIT_MS)
    form_sign_in(context.request, "few@example.com")
    page = context.new_page()
    photo = tmp_path / "photo.png"
    photo.write_bytes(image_bytes(320, 320))

    page.goto("/create/image.upscale")
    line = page.locator("#estimate-line")
    buy = page.locator("#estimate-buy")
    expect(page.locator("#estimate")).to_contain_text("for a typical image")  # none chosen
    page.get_by_label("Scale").select_option("2")
    page.get_by_label("Model").select_option("fast")
    page.locator("#f-image").set_input_files(str(photo))
    # The ×2 fast network on 320×320 is cheap: the line says so, without a warning.
    expect(page.locator("#estimate")).to_have_text(
        re.compile(r"^About [\d.]+ s · [\d,.]+ credits?$")
    )
    expect(buy).to_be_hidden()
    # The photo network on the same picture costs more than the balance: warned at once.
    page.get_by_label("Model").select_option("photo")
    expect(page.locator("#estimate")).to_contain_text(f"more than your balance of {FEW} credits")
    expect(line).to_have_class(re.compile(r"\bshort\b"))
    expect(buy).to_be_visible()
    shown = page.locator("#estimate").text_content() or ""
    needed = re.search(r"· ([\d,.]+) credits", shown).group(1)  # type: ignore[union-attr]
    missing = float(needed.replace(",", "")) - FEW  # credits to the hundredth: 232.23
    assert missing > 0

    # Creating anyway: a 402 page naming the shortfall, nothing to "check", a way to buy.
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Create").click()
    assert posted.value.status == 402
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Not enough credits for this job")
    expect(summary).to_contain_text(
        f"It costs up to {needed} credits and your balance is {FEW}: "
        f"you are {format(missing, ',.2f').rstrip('0').rstrip('.')} short."
    )
    expect(summary).not_to_contain_text("check the marked fields")
    assert page.locator(".field.invalid").count() == 0
    expect(page.locator("p.kept")).to_contain_text("photo.png")  # the picture stays chosen
    summary.get_by_role("link", name="Buy a credit pack or change plan").click()
    expect(page).to_have_url(f"{url}/account/plans")
    expect(page.get_by_role("heading", name="Credit packs")).to_be_visible()
    expect(page.get_by_role("button", name="Buy 500 credits")).to_be_visible()
    expect(page.locator("p.lead")).to_contain_text(f"with {FEW} credits")
    context.close()
