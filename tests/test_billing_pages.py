"""The account and billing pages in a real browser (Debian Chromium via Playwright): a
creator buys a credit pack with the manual provider, an admin marks the invoice paid,
and the balance the creator sees grows by the pack."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.accounts import form_sign_in
from tests.support.pages import WAIT_MS, Server, new_page, unlabelled_controls

pytestmark = pytest.mark.integration
ADMIN = ("admin@localhost", "admin password 1")  # make_settings' first admin


def admin_page(browser: Browser, server: Server) -> Page:
    context = browser.new_context(base_url=server.url)
    context.set_default_timeout(WAIT_MS)
    form_sign_in(context.request, *ADMIN)
    return context.new_page()


def test_buying_a_pack_paid_by_an_admin_grows_the_balance(browser: Browser, server: Server) -> None:
    creator = new_page(browser, server, signed_in=True)
    boss = admin_page(browser, server)
    try:
        creator.goto("/account")
        expect(creator.get_by_role("heading", name="Your account")).to_be_visible()
        expect(creator.locator("[data-balance]")).to_have_text("200")
        creator.get_by_role("link", name="Change plan or buy credits").click()
        expect(creator.get_by_role("heading", name="Plans and credits")).to_be_visible()
        expect(creator.get_by_role("heading", name="Creator")).to_be_visible()
        creator.get_by_role("button", name="Buy 500 credits").click()

        expect(creator).to_have_url(re.compile(r"/account\?done="))
        status = creator.get_by_role("status")
        expect(status).to_contain_text("Invoice INV-")
        number = re.search(r"INV-\d{4}-\d{6}", status.inner_text())
        assert number is not None
        row = creator.locator(f'[data-invoice="{number.group()}"]')
        expect(row).to_contain_text("open")
        expect(row).to_contain_text("EUR 5.00")
        expect(creator.locator("[data-balance]")).to_have_text("200")  # not before it is paid

        boss.goto("/admin/invoices")
        expect(boss.get_by_role("heading", name="Invoices")).to_be_visible()
        assert unlabelled_controls(boss) == []
        boss.get_by_label("Reference").first.fill("SEPA 2026-77")
        boss.get_by_role("button", name=f"Mark {number.group()} paid").click()
        expect(boss.get_by_role("status")).to_have_text(f"{number.group()} is paid.")

        creator.goto("/account")
        expect(creator.locator("[data-balance]")).to_have_text("700")
        expect(creator.locator(f'[data-invoice="{number.group()}"]')).to_contain_text("paid")
        creator.get_by_role("link", name="HTML").first.click()
        expect(creator.locator("[data-total]")).to_have_text("EUR 5.00")

        boss.goto("/admin/revenue")
        expect(boss.locator("[data-total]")).to_have_text("EUR 5.00")
        expect(boss.locator("svg.chart rect")).to_have_count(1)
    finally:
        creator.context.close()
        boss.context.close()
