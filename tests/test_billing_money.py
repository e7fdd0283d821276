"""Money in each currency's own minor units: shown, read and bounded with the currency's
decimals (JPY none, EUR two, KWD three) on pages, in the API's messages and in PDFs; a
studio in yen lists, invoices and prints yen, never hundredths of a yen."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from atelier.commerce import money
from atelier.commerce.offers import price_range
from atelier.errors import Invalid
from atelier.studio import Studio
from atelier.web.app import create_app
from tests.support.accounts import api_user, principal, sign_in
from tests.support.api import studio_of, submit, wait_job
from tests.support.settings import make_settings


def test_each_currency_is_shown_and_read_with_its_own_decimals() -> None:
    assert money.text(123450, "EUR") == "EUR 1,234.50"
    assert money.text(-720, "EUR") == "-EUR 7.20"
    assert money.text(4900, "JPY") == "JPY 4,900"
    assert money.text(5125, "KWD") == "KWD 5.125"
    assert money.text(0, "EUR") == "EUR 0.00"
    assert money.plain(3920, "EUR") == "39.20" and money.plain(4900, "JPY") == "4900"
    assert money.parse("49", "EUR") == 4900 and money.parse(" 49,9 ", "EUR") == 4990
    assert money.parse("4900", "JPY") == 4900
    assert money.parse("5.125", "KWD") == 5125
    for typed, currency in (("49.5", "JPY"), ("49.999", "EUR"), ("", "EUR"), ("1e3", "EUR")):
        assert money.parse(typed, currency) is None, typed
    assert price_range("EUR") == (100, 10_000_000)
    assert price_range("JPY") == (1, 100_000)
    with pytest.raises(ValueError, match="'XYZ' is not an ISO 4217 currency"):
        money.check_currency("XYZ")


def test_a_currency_that_is_not_iso_4217_stops_the_studio(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'XYZ' is not an ISO 4217 currency code"):
        Studio(make_settings(tmp_path, currency="XYZ"))


@pytest.fixture
def yen(tmp_path: Path) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, workers=1, currency="JPY")
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_studio_in_yen_lists_invoices_and_prints_yen(yen: TestClient) -> None:
    client = yen
    creator = api_user(client, "maker@example.com")
    buyer = api_user(client, "buyer@example.com", "customer")
    boss = api_user(client, "boss@example.com", "admin")
    job = wait_job(client, creator, submit(client, creator, "test.wait", {})["id"])
    work_id = job["work_ids"][0]

    # The page reads a price typed in yen as yen (not hundredths of a yen) …
    csrf = sign_in(client, "maker@example.com")["X-CSRF-Token"]
    form = {"csrf_token": csrf, "offer-personal": "on", "price-personal": "4900"}
    listed = client.post(f"/works/{work_id}/listing", data=form)
    assert listed.status_code == 200, listed.text
    page = client.get(f"/works/{work_id}/licences").text
    assert "JPY 4,900" in page and 'value="4900"' in page
    typed_cents = client.post(f"/works/{work_id}/listing", data={**form, "price-personal": "49.5"})
    assert typed_cents.status_code == 422 and "JPY 1 to JPY 100,000" in typed_cents.text
    client.cookies.clear()
    listing = client.get(f"/v1/works/{work_id}/listing").json()
    assert listing["currency"] == "JPY" and listing["offers"][0]["price"] == 4900
    assert listing["offers"][0]["commission"] == 980  # 20 % of ¥4,900, to the yen

    # … the invoice, its PDF and the bank-transfer instructions say ¥4,900 …
    order = client.post(f"/v1/works/{work_id}/offers/personal/buy", headers=buyer).json()
    invoice = order["invoice"]
    assert invoice["total"] == 4900 and invoice["currency"] == "JPY"
    checkout = client.post(f"/v1/invoices/{invoice['id']}/checkout", headers=buyer).json()
    assert checkout["checkout"]["instructions"].startswith("Pay JPY 4,900 by bank transfer")
    pdf = client.get(f"/v1/invoices/{invoice['id']}.pdf", headers=buyer).content
    assert "JPY 4,900" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()

    # … and so does the licence's certificate once it is paid.
    paid = client.post(f"/v1/admin/invoices/{invoice['id']}/paid", headers=boss)
    assert paid.status_code == 200, paid.text
    [licence] = client.get("/v1/licences", headers=buyer).json()["items"]
    html = client.get(f"/v1/licences/{licence['id']}/certificate.html", headers=buyer).text
    assert "JPY 4,900" in html
    studio: Studio = studio_of(client)
    maker = principal(client, "maker@example.com")
    assert studio.market.statement(maker).earned == 3920
    with pytest.raises(Invalid, match="at least JPY 2,000"):
        studio.market.request_payout(maker, 1999)
    with pytest.raises(Invalid, match="at most JPY 3,920"):
        studio.market.request_payout(maker, 3921)
