"""Payment methods: with Stripe keys a buyer pays by card (Stripe Checkout, the local
stand-in here) or by bank transfer, whichever they choose; without them only by bank
transfer, and asking for a card says so."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.support.accounts import api_user
from tests.support.api import problem_fields
from tests.support.billing import StripeStandIn, buy, stripe_app


def test_with_stripe_an_invoice_is_paid_by_card_or_by_bank_transfer(tmp_path: Path) -> None:
    with stripe_app(tmp_path) as client:
        StripeStandIn.received.clear()
        alice = api_user(client, "alice@example.com")
        invoice = buy(client, alice, "pack-500", "methods-1", 201)
        assert invoice["checkout"]["url"] == "https://checkout.example/cs_test_1"

        bank = client.post(f"/v1/invoices/{invoice['id']}/checkout?method=bank", headers=alice)
        assert bank.status_code == 200, bank.text
        assert bank.json()["checkout"]["provider"] == "manual"
        assert bank.json()["checkout"]["url"] is None
        assert (
            "Pay EUR 5.00 by bank transfer, quoting INV-" in bank.json()["checkout"]["instructions"]
        )

        card = client.post(f"/v1/invoices/{invoice['id']}/checkout?method=card", headers=alice)
        assert card.json()["checkout"]["url"] == "https://checkout.example/cs_test_1"
        assert len(StripeStandIn.received) == 2  # the purchase's and this one: no bank call

        # The invoice itself tells how to pay by transfer, whichever button was pressed.
        html = client.get(f"/v1/invoices/{invoice['id']}.html", headers=alice)
        assert "by bank transfer, quoting" in html.text


def test_without_stripe_only_bank_transfer_is_offered(client: TestClient) -> None:
    alice = api_user(client, "alice@example.com")
    invoice = buy(client, alice, "pack-500", "methods-2", 201)
    assert invoice["checkout"]["provider"] == "manual"
    card = client.post(f"/v1/invoices/{invoice['id']}/checkout?method=card", headers=alice)
    assert card.status_code == 422, card.text
    assert problem_fields(card) == ["method"]
    assert "'card' is not offered here; choose 'bank'" in card.json()["detail"]
    unknown = client.post(f"/v1/invoices/{invoice['id']}/checkout?method=cash", headers=alice)
    assert unknown.status_code == 422 and problem_fields(unknown) == ["method"]
