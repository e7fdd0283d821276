"""The marketplace pages in a real browser: a creator affirms an upload's rights and lists
a work, a second user buys a Standard licence, an admin marks the invoice paid, the buyer
opens the certificate and verifies it, the creator sees the sale and is paid out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import select

from atelier.commerce.market_models import Order
from atelier.store.models import Job
from atelier.studio import Studio
from tests.support.accounts import PASSWORD, add_user, admin_of, form_sign_in, upgrade
from tests.support.media import image_bytes
from tests.support.pages import WAIT_MS, Server, unlabelled_controls
from tests.support.servers import wait_until

pytestmark = pytest.mark.integration


def signed_in(browser: Browser, server: Server, email: str, password: str = PASSWORD) -> Page:
    context = browser.new_context(base_url=server.url)
    context.set_default_timeout(WAIT_MS)
    form_sign_in(context.request, email, password)
    return context.new_page()


def box(page: Page, offer: str) -> Locator:
    return page.get_by_role("checkbox", name=re.compile(f"^{offer}"))


def finished_work(studio: Studio, server: Server) -> tuple[str, str]:
    """A stylized photo made by the server's own worker: (work id, upload id)."""
    upload = studio.uploads.add(server.who, "photo.png", image_bytes(120, 90))
    job, _ = studio.jobs.submit(
        server.who, "image.stylize", {"image": upload.id, "style": 5}, seed=2
    )

    def ended() -> Job | None:
        current = studio.jobs.get(server.who, job.id)
        return None if current.status in ("queued", "running") else current

    done = wait_until(ended, WAIT_MS / 1000, what="the stylize job to finish")
    assert done is not None and done.status == "succeeded", done and done.error
    return done.works[0].id, upload.id


def test_list_buy_pay_certificate_sale(browser: Browser, server: Server) -> None:
    studio = server.studio
    work_id, _ = finished_work(studio, server)
    upgrade(studio, server.who)
    add_user(studio, "collector@example.com", "customer")

    creator = signed_in(browser, server, server.who.email)
    creator.goto(f"/works/{work_id}/licences")
    reasons = creator.locator("#why-standard")
    expect(reasons).to_contain_text("(photo.png) has no rights affirmation")
    expect(box(creator, "Standard commercial")).to_be_disabled()
    creator.get_by_role("button", name="I affirm this for photo.png").click()
    expect(creator.get_by_role("status")).to_have_text("Rights affirmed.")
    assert unlabelled_controls(creator) == []
    box(creator, "Standard commercial").check()
    creator.get_by_label("Standard commercial price in EUR").fill("49")
    box(creator, "Extended commercial").check()
    creator.get_by_label("Extended commercial price in EUR").fill("0.5")
    creator.get_by_role("button", name="List on the market").click()
    expect(creator.get_by_role("alert")).to_contain_text(
        "needs a price of EUR 1.00 to EUR 100,000.00"
    )
    box(creator, "Extended commercial").uncheck()
    creator.get_by_role("button", name="List on the market").click()
    expect(creator.get_by_role("status")).to_have_text("Your work is on the market.")
    expect(creator.locator("#offer-standard")).to_contain_text("EUR 49.00")

    buyer = signed_in(browser, server, "collector@example.com")
    buyer.goto("/market")
    expect(buyer.locator(".price").first).to_have_text("from EUR 49.00")
    buyer.locator(f'a[href="/works/{work_id}/licences"]').last.click()
    buyer.get_by_role("button", name="Buy Standard commercial").click()
    expect(buyer).to_have_url(re.compile(r"/checkout/[0-9a-f]{32}$"))
    expect(buyer.locator("#order-status")).to_have_text("open")
    expect(buyer.locator("#instructions")).to_contain_text("by bank transfer, quoting INV-")
    order_id = buyer.url.rsplit("/", 1)[1]

    with studio.db.transaction() as s:
        invoice_id = s.scalar(select(Order.invoice_id).where(Order.id == order_id))
    assert invoice_id is not None
    studio.commerce.mark_paid(admin_of(studio), invoice_id, "bank transfer 1")

    buyer.reload()
    expect(buyer.locator("#order-status")).to_have_text("paid")
    buyer.get_by_role("link", name="Your licence certificate").click()
    expect(buyer.locator("#cert-offer")).to_have_text("Standard commercial")
    expect(buyer.locator("#cert-licensor")).not_to_contain_text("@")
    buyer.get_by_role("link", name="Verify", exact=True).click()
    expect(buyer.locator("#licence-verdict")).to_have_text("valid")
    buyer.goto("/licences")
    expect(buyer.get_by_role("link", name=re.compile("Standard commercial"))).to_be_visible()

    creator.goto("/account/sales")
    expect(creator.locator("#sold")).to_contain_text("Standard commercial")
    expect(creator.locator("#st-sales")).to_have_text("EUR 49.00")
    expect(creator.locator("#st-balance")).to_have_text("EUR 39.20")
    creator.get_by_label("Amount (EUR)").fill("39.20")
    creator.get_by_role("button", name="Request payout").click()
    expect(creator.get_by_role("status")).to_contain_text("Payout requested")
    expect(creator.locator("#available")).to_have_text("EUR 0.00")

    admin = signed_in(browser, server, studio.settings.admin_email, "admin password 1")
    admin.goto("/admin/payouts")
    admin.get_by_label("Transfer reference").fill("SEPA 99")
    admin.get_by_role("button", name="Mark paid").click()
    expect(admin.get_by_role("status")).to_have_text("Payout marked paid.")
    creator.reload()
    expect(creator.locator("#st-paid")).to_have_text("EUR 39.20")
    expect(creator.locator("#st-balance")).to_have_text("EUR 0.00")
    for page in (creator, buyer, admin):
        page.context.close()
