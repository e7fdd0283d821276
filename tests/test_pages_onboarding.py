"""A new user's first minutes in a real browser (Debian Chromium through Playwright, a real
server with one worker, the local Stripe stand-in), at desktop and phone sizes: the first
screen after sign-up names the Trial's credits, days and no commercial use, read from the
plan, and its examples open a filled form; a visitor's landing page shows published
works by their previews and no operator error; "Pay by card" goes to Stripe Checkout and
"Bank transfer" opens an invoice; the pages say "warming up" until the models are loaded."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, Route, expect
from sqlalchemy import update

from atelier.commerce.models import Plan
from atelier.studio import Studio
from atelier.studio.warmup import ENGINES, Warmup
from atelier.web.app import create_app
from tests.support.accounts import PASSWORD, add_user, form_sign_in
from tests.support.billing import StripeStandIn, stripe_stand_in
from tests.support.media import image_bytes
from tests.support.servers import serve_app
from tests.support.settings import make_settings
from tests.support.site import finished

pytestmark = pytest.mark.integration
WAIT_MS = 60_000  # the longest any one expectation waits (a busy machine)
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
TRIAL_CREDITS, TRIAL_DAYS = 180, 10  # not the shipped Trial's: the page must read the plan
CHECKOUT = "https://checkout.example/cs_test_1"  # the stand-in's Checkout Session URL
ADMIN_PASSWORD = "admin password 1"  # make_settings'


@dataclass
class Shop:
    url: str
    studio: Studio
    work_id: str  # a published picture, on the market with a Personal licence
    preview: str  # its preview's URL
    original: str  # and its original's


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    """A studio on the Stripe provider (its API the stand-in) with one published picture."""
    with stripe_stand_in() as stripe:
        settings = make_settings(tmp_path_factory.mktemp("onboarding"), workers=1, **stripe)
        app = create_app(settings)
        with serve_app(app) as url:
            studio: Studio = app.state.studio
            with studio.db.transaction() as s:
                s.execute(
                    update(Plan)
                    .where(Plan.id == "trial")
                    .values(monthly_credits=TRIAL_CREDITS, trial_days=TRIAL_DAYS)
                )
            painter = add_user(studio, "painter@example.com")
            photo = studio.uploads.add(painter, "lake.png", image_bytes(96, 64))
            job, _ = studio.jobs.submit(painter, "image.stylize", {"image": photo.id, "style": 3})
            work_id = finished(studio, painter, job.id)  # run by the server's worker
            studio.works.update(painter, work_id, "public", title="A styled lake")
            studio.market.list_work(painter, work_id, {"personal": 900})
            work = studio.works.get(painter, work_id)[0]
            thumb = next(f for f in work.files if f.role == "thumbnail")
            preview = f"/v1/works/{work.id}/files/{thumb.name}"
            yield Shop(url, studio, work.id, preview, f"/v1/works/{work.id}/file")


def tab(browser: Browser, shop: Shop, size: str, email: str | None = None) -> Page:
    phone = size == "phone"
    context = browser.new_context(
        base_url=shop.url, viewport=SIZES[size], is_mobile=phone, has_touch=phone
    )  # type: ignore[arg-type]
    context.set_default_timeout(WAIT_MS)
    if email:
        form_sign_in(context.request, email, ADMIN_PASSWORD if "admin" in email else PASSWORD)
    return context.new_page()


def no_sideways_scroll(page: Page) -> None:
    width, inner = page.evaluate("() => [document.scrollingElement.scrollWidth, innerWidth]")
    assert width <= inner, f"{page.url} scrolls sideways: {width}px in {inner}px"


@pytest.mark.parametrize("size", SIZES)
def test_sign_up_shows_the_trial_and_an_example_fills_the_form(
    browser: Browser, shop: Shop, size: str
) -> None:
    page = tab(browser, shop, size)
    email = f"newcomer-{size}@example.com"
    page.goto("/signup")
    page.get_by_label("Display name").fill("Nia Okafor")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(f"{shop.url}/welcome")
    plan = page.locator("#your-plan")
    expect(plan.locator("[data-trial-credits]")).to_have_text(f"{TRIAL_CREDITS} credits")
    expect(plan.locator("[data-trial-days]")).to_have_text(f"{TRIAL_DAYS} days")
    expect(page.locator("#not-included")).to_contain_text("No commercial use")
    examples = page.locator("[data-example]")
    expect(examples).to_have_count(3)
    for card in examples.all():  # each names its settings and its cost
        expect(card.locator("dl dt").first).to_be_visible()
        expect(card).to_contain_text("credit")
    no_sideways_scroll(page)

    fox = page.locator('[data-example="fox-woodcut"]')
    expect(fox).to_contain_text("a red fox under a pine tree at sunset")
    fox.get_by_role("link", name="Try it").click()
    expect(page).to_have_url(f"{shop.url}/create/image.compose?example=fox-woodcut")
    expect(page.locator("#example-note")).to_contain_text("A fox at sunset, as a woodcut")
    expect(page.get_by_role("textbox", name="Prompt")).to_have_value(
        "a red fox under a pine tree at sunset"
    )
    expect(page.locator("input[name=style]:checked")).to_have_value("woodcut")
    expect(page.get_by_label("Width")).to_have_value("768")

    page.goto("/welcome")
    page.locator('[data-example="irish-jig"]').get_by_role("link", name="Try it").click()
    expect(page.get_by_label("Meter")).to_have_value("6/8")
    expect(page.get_by_label("Bars")).to_have_value("8")
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_visitor_sees_published_previews_and_no_operator_error(
    browser: Browser, shop: Shop, size: str
) -> None:
    page = tab(browser, shop, size)
    page.goto("/")
    pictures = page.locator("#examples img")
    expect(pictures).to_have_count(1)
    assert pictures.first.get_attribute("src") == shop.preview  # the preview, not the original
    assert f'"{shop.original}"' not in page.content()  # linked nowhere
    main = page.locator("main")
    expect(main).not_to_contain_text("ATELIER_MODELS_DIR")
    expect(main).not_to_contain_text("Unavailable")
    expect(main.get_by_role("heading", name="Diffusion")).to_have_count(0)
    expect(main.get_by_role("heading", name="Stylize", exact=True)).to_be_visible()
    no_sideways_scroll(page)

    creator = tab(browser, shop, size, "painter@example.com")
    assert creator.goto("/create/image.diffusion").status == 404  # not offered to users
    creator.goto("/create/image")
    tabs = creator.get_by_role("navigation", name="Image tools")
    expect(tabs.get_by_role("link", name="Diffusion")).to_have_count(0)

    admin = tab(browser, shop, size, "admin@localhost")
    admin.goto("/")
    expect(admin.locator(".operator")).to_contain_text("ATELIER_MODELS_DIR")
    for opened in (page, creator, admin):
        opened.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_pay_by_card_goes_to_checkout_and_bank_transfer_opens_an_invoice(
    browser: Browser, shop: Shop, size: str
) -> None:
    email = f"buyer-{size}@example.com"
    add_user(shop.studio, email)
    page = tab(browser, shop, size, email)

    def stripe_page(route: Route) -> None:  # Stripe's own page, answered here
        route.fulfill(status=200, content_type="text/html", body="<h1>Stripe Checkout</h1>")

    page.route("https://checkout.example/**", stripe_page)
    StripeStandIn.received.clear()
    page.goto("/account/plans")
    pack = page.locator("section", has=page.get_by_role("heading", name="500 credits", exact=True))
    pack.get_by_role("button", name="Pay by card").click()
    expect(page).to_have_url(CHECKOUT)
    [(_, session)] = StripeStandIn.received
    assert session["line_items[0][price_data][unit_amount]"] == ["500"]

    page.goto("/account/plans")
    pack = page.locator("section", has=page.get_by_role("heading", name="500 credits", exact=True))
    pack.get_by_role("button", name="Bank transfer").click()
    expect(page).to_have_url(re.compile(r"/account\?done="))
    expect(page.locator("p.ok")).to_contain_text("pay it by bank transfer")
    assert len(StripeStandIn.received) == 1  # a transfer asks nothing of Stripe
    rows = page.locator("tr[data-invoice]")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="open")).to_have_count(2)

    # A plan is paid the same two ways; an open invoice on the account page by card.
    page.goto("/account/plans")
    creator = page.locator("section", has=page.get_by_role("heading", name="Creator", exact=True))
    expect(creator.get_by_role("button", name="Bank transfer")).to_be_visible()
    page.goto("/account")
    page.locator("tr[data-invoice]").first.get_by_role("button", name="Pay by card").click()
    expect(page).to_have_url(CHECKOUT)

    # A licence from the market: its checkout offers both too.
    page.goto(f"/works/{shop.work_id}/licences")
    page.get_by_role("button", name="Buy Personal").click()
    expect(page).to_have_url(re.compile(r"/checkout/[0-9a-f]{32}$"))
    expect(page.locator("#instructions")).to_contain_text("by bank transfer, quoting INV-")
    page.get_by_role("button", name="Pay by card").click()
    expect(page).to_have_url(CHECKOUT)
    page.context.close()


def test_the_pages_say_warming_up_until_the_models_are_loaded(browser: Browser, shop: Shop) -> None:
    release = threading.Event()
    steps = [("image.stylize", release.wait)]
    warm = Warmup(steps, shop.studio.settings.data_dir, ENGINES).start()
    try:
        page = tab(browser, shop, "phone")
        page.goto("/")
        expect(page.locator("#warming")).to_contain_text("Warming up: loading image.stylize")
        release.set()  # the page asks /v1/warmup again and says so
        expect(page.locator("#warming")).to_have_text("Ready: the models are loaded.")
        page.goto("/")
        expect(page.locator("#warming")).to_have_count(0)
        page.context.close()
    finally:
        release.set()
        warm.close()
