"""Stripe's events in the books, through the signed webhook (the official library checks the
signatures; the API is a local stand-in): asynchronous payments, full and partial refunds
(a refunded licence is revoked and its sale reversed), disputes won and lost, each event
applied once by its id; and amounts charged in each currency's own units."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from atelier.commerce import ledger
from atelier.commerce.payments import PaymentError, from_stripe, to_stripe
from atelier.studio import Studio
from tests.support.accounts import api_user, principal, upgrade
from tests.support.api import studio_of
from tests.support.billing import StripeStandIn, buy, signed, stripe_app
from tests.support.works import stylize_work


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with stripe_app(tmp_path) as app:
        yield app


class Events:
    """Sends signed events to the webhook, each with its own id unless told."""

    def __init__(self, client: TestClient) -> None:
        self.client, self.sent = client, 0

    def send(self, kind: str, body: dict[str, Any], event_id: str | None = None) -> str:
        self.sent += 1
        payload = {"id": event_id or f"evt_{self.sent}", "type": kind, "data": {"object": body}}
        data, signature = signed(payload)
        answer = self.client.post(
            "/v1/payments/stripe/webhook",
            content=data,
            headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
        )
        assert answer.status_code == 200, answer.text
        return str(answer.json()["result"])

    def session(self, kind: str, invoice_id: str, status: str, intent: str, **kw: Any) -> str:
        body = {"id": f"cs_{intent}", "client_reference_id": invoice_id, "payment_status": status}
        return self.send(kind, {**body, "payment_intent": intent}, **kw)


def books(studio: Studio, *accounts: str, currency: str = "EUR") -> list[int]:
    with studio.db.transaction() as s:
        return [ledger.balance(s, account, currency) for account in accounts]


def credits_of(client: TestClient, headers: dict[str, str]) -> float:
    return float(client.get("/v1/account/credits", headers=headers).json()["balance"])


def test_async_payment_then_a_refund_takes_back_unspent_credits(client: TestClient) -> None:
    events, studio = Events(client), studio_of(client)
    alice = api_user(client, "alice@example.com")
    invoice = buy(client, alice, "pack-2000", "k1", 201)
    number = invoice["number"]

    # A bank debit: the session completes unpaid; a first attempt fails; then it succeeds.
    waiting = events.session("checkout.session.completed", invoice["id"], "unpaid", "pi_1")
    assert waiting == f"{number} awaits an asynchronous payment"
    failed = events.session(
        "checkout.session.async_payment_failed", invoice["id"], "unpaid", "pi_1"
    )
    assert failed == f"the payment of {number} failed; it stays open"
    assert client.get(f"/v1/invoices/{invoice['id']}", headers=alice).json()["status"] == "open"
    paid = events.session(
        "checkout.session.async_payment_succeeded", invoice["id"], "paid", "pi_1", event_id="e-ok"
    )
    assert paid == f"paid {number}" and credits_of(client, alice) == 2200
    again = events.session(
        "checkout.session.async_payment_succeeded", invoice["id"], "paid", "pi_1", event_id="e-ok"
    )
    assert again == paid and credits_of(client, alice) == 2200  # Stripe retried: once

    # 1,900 of the 2,200 credits are spent; the refund takes back what is left (300).
    spender = f"user:{principal(client, 'alice@example.com').user_id}:credits"
    with studio.db.transaction() as s:
        spent = [  # in the ledger's hundredths of a credit
            ledger.Leg(spender, "credits", -190_000),
            ledger.Leg("studio:usage", "credits", 190_000),
        ]
        ledger.post(s, "spent", "test", spent)
    charge = {"id": "ch_1", "payment_intent": "pi_1", "amount": 1800, "currency": "eur"}
    refunded = {**charge, "amount_refunded": 1800, "refunded": True}
    assert events.send("charge.refunded", refunded, event_id="e-refund") == f"refunded {number}"
    assert events.send("charge.refunded", refunded, event_id="e-refund") == f"refunded {number}"
    assert credits_of(client, alice) == 0
    assert client.get(f"/v1/invoices/{invoice['id']}", headers=alice).json()["status"] == "refunded"
    assert books(studio, "external:payments", "studio:revenue:packs") == [0, 0]
    unknown = {**refunded, "payment_intent": "pi_elsewhere"}
    assert events.send("charge.refunded", unknown).startswith("ignored charge.refunded")
    elsewhere = events.session("checkout.session.completed", "not-ours", "paid", "pi_9")
    assert elsewhere == "ignored: the session names no invoice of this studio"


def test_a_refunded_licence_is_revoked_and_its_sale_reversed(client: TestClient) -> None:
    events, studio = Events(client), studio_of(client)
    maker = api_user(client, "creator@example.com")
    buyer = api_user(client, "buyer@example.com", "customer")
    boss = api_user(client, "boss@example.com", "admin")
    creator = principal(client, "creator@example.com")
    upgrade(studio, creator)
    [plan] = books(studio, "external:payments")  # the creator's plan, paid by bank transfer
    work = stylize_work(studio, creator, affirm=True)
    studio.market.list_work(creator, work.id, {"standard": 4900, "exclusive": 50_000})
    order = client.post(f"/v1/works/{work.id}/offers/standard/buy", headers=buyer).json()
    invoice = order["invoice"]
    events.session("checkout.session.completed", invoice["id"], "paid", "pi_lic")
    [licence] = client.get("/v1/licences", headers=buyer).json()["items"]
    earnings = f"user:{creator.user_id}:earnings"
    assert books(studio, earnings, "studio:revenue:commission") == [3920, 980]

    # A partial refund of 10.00 comes from the studio's revenue; the licence stands.
    charge = {"id": "ch_2", "payment_intent": "pi_lic", "amount": 4900, "currency": "eur"}
    part = events.send("charge.refunded", {**charge, "amount_refunded": 1000, "refunded": False})
    assert part == f"{invoice['number']} partly refunded: EUR 10.00 given back so far"
    assert books(studio, "studio:revenue:refunds", "external:payments") == [-1000, plan - 3900]
    verified = client.get(f"/v1/verify/licences/{licence['id']}").json()
    assert verified["verdict"] == "valid"

    # Then the whole payment: the licence is revoked, the sale and the partial refund
    # leave the books, and the buyer may buy that offer again.
    full = events.send("charge.refunded", {**charge, "amount_refunded": 4900, "refunded": True})
    assert full == f"refunded {invoice['number']}"
    verified = client.get(f"/v1/verify/licences/{licence['id']}").json()
    assert verified["verdict"] == "revoked" and "refunded" in verified["licence"]["revoked_reason"]
    accounts = (
        earnings,
        "studio:revenue:commission",
        "studio:revenue:refunds",
        "external:payments",
    )
    assert books(studio, *accounts) == [0, 0, 0, plan]
    assert client.get(f"/v1/orders/{order['id']}", headers=buyer).json()["status"] == "refunded"
    statement = client.get("/v1/account/statement", headers=maker).json()
    assert (statement["sales"], statement["commission"], statement["balance"]) == (0, 0, 0)
    assert [line["kind"] for line in statement["lines"]] == ["sale", "refund"]
    again = client.post(f"/v1/works/{work.id}/offers/standard/buy", headers=buyer)
    assert again.status_code == 201, again.text
    voided = client.post(f"/v1/admin/invoices/{again.json()['invoice']['id']}/void", headers=boss)
    assert voided.status_code == 200

    # An exclusive sale disputed and lost: the money is withheld, then the invoice is
    # refunded, and the work returns to its creator, off the market.
    rival = api_user(client, "rival@example.com", "customer")
    exclusive = client.post(f"/v1/works/{work.id}/offers/exclusive/buy", headers=rival).json()
    events.session("checkout.session.completed", exclusive["invoice"]["id"], "paid", "pi_ex")
    assert client.get(f"/v1/works/{work.id}/listing", headers=maker).json()["state"] == "sold"
    dispute = {"id": "dp_1", "payment_intent": "pi_ex", "amount": 50_000, "currency": "eur"}
    opened = events.send("charge.dispute.created", {**dispute, "status": "needs_response"})
    assert opened.endswith("EUR 500.00 withheld")
    assert books(studio, "studio:disputes") == [-50_000]
    lost = events.send("charge.dispute.closed", {**dispute, "status": "lost"})
    assert lost == f"dispute dp_1 lost: {exclusive['invoice']['number']} refunded"
    assert books(studio, "studio:disputes", earnings, "external:payments") == [0, 0, plan]
    listing = client.get(f"/v1/works/{work.id}/listing", headers=maker).json()
    assert listing["state"] == "unlisted"


def test_a_dispute_won_returns_the_money_and_keeps_the_purchase(client: TestClient) -> None:
    events, studio = Events(client), studio_of(client)
    alice = api_user(client, "alice@example.com")
    invoice = buy(client, alice, "pack-500", "k1", 201)
    events.session("checkout.session.completed", invoice["id"], "paid", "pi_w")
    dispute = {"id": "dp_2", "payment_intent": "pi_w", "amount": 500, "currency": "eur"}
    inquiry = events.send("charge.dispute.created", {**dispute, "status": "warning_needs_response"})
    assert inquiry.endswith("no money withheld") and books(studio, "studio:disputes") == [0]
    events.send("charge.dispute.created", {**dispute, "status": "needs_response"})
    assert books(studio, "studio:disputes", "external:payments") == [-500, 0]
    won = events.send("charge.dispute.closed", {**dispute, "status": "won"})
    assert won == f"dispute dp_2 closed (won): {invoice['number']} stays paid"
    assert books(studio, "studio:disputes", "external:payments") == [0, -500]
    assert credits_of(client, alice) == 700


def test_amounts_are_charged_in_each_currencys_units(tmp_path: Path) -> None:
    assert to_stripe(1800, "EUR") == 1800 and from_stripe(1800, "EUR") == 1800
    assert to_stripe(4900, "JPY") == 4900  # yen: no decimals here or at Stripe
    assert to_stripe(5000, "ISK") == 500_000  # krónur: hundredths at Stripe
    assert from_stripe(500_000, "ISK") == 5000
    assert to_stripe(5120, "KWD") == 5120
    with pytest.raises(PaymentError, match="KWD 5.125"):
        to_stripe(5125, "KWD")  # Stripe takes three-decimal amounts in steps of ten
    StripeStandIn.received.clear()
    with stripe_app(tmp_path, currency="JPY") as client:
        alice = api_user(client, "alice@example.com")
        invoice = buy(client, alice, "pack-500", "k1", 201)
        [(_, form)] = StripeStandIn.received
        assert form["line_items[0][price_data][currency]"] == ["jpy"]
        assert form["line_items[0][price_data][unit_amount]"] == [str(invoice["total"])]
