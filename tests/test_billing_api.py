"""The billing API: plans, packs bought with an Idempotency-Key and paid by an admin,
credits and usage, invoices (JSON, HTML, PDF) seen only by their owner, admin plan CRUD
and API-access limits, the revenue view against the ledger, and Stripe (Checkout Session
against a local stand-in, webhooks with real signature checks)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from atelier.commerce import ledger
from atelier.commerce.models import LedgerEntry
from atelier.studio import Studio
from tests.support.accounts import api_user, sign_in
from tests.support.api import problem_fields, studio_of, submit, wait_job
from tests.support.billing import StripeStandIn, buy, signed, stripe_app


def test_buy_a_pack_pay_it_and_see_the_credits(client: TestClient) -> None:
    alice = api_user(client, "alice@example.com")
    boss = api_user(client, "boss@example.com", "admin")
    assert [p["id"] for p in client.get("/v1/plans").json()["items"]] == [
        "trial",
        "creator",
        "studio",
    ]
    packs = client.get("/v1/credit-packs").json()["items"]
    assert [(p["id"], p["credits"], p["price"]) for p in packs][0] == ("pack-500", 500, 500)
    mine = client.get("/v1/account/plan", headers=alice).json()
    assert mine["plan"]["id"] == "trial" and mine["credits"]["balance"] == 200

    invoice = buy(client, alice, "pack-500", "buy-1", 201)
    assert invoice["status"] == "open" and invoice["total"] == 500
    assert "Pay EUR 5.00 by bank transfer, quoting INV-" in invoice["checkout"]["instructions"]
    assert buy(client, alice, "pack-500", "buy-1", 201)["id"] == invoice["id"]  # a replay
    other = client.post(
        "/v1/credit-packs/pack-2000/purchase", headers={**alice, "Idempotency-Key": "buy-1"}
    )
    assert other.status_code == 409 and problem_fields(other) == ["Idempotency-Key"]
    assert client.post("/v1/credit-packs/nope/purchase", headers=alice).status_code == 404

    refused = client.post(f"/v1/admin/invoices/{invoice['id']}/paid", headers=alice)
    assert refused.status_code == 403
    for _ in range(2):  # a second click pays nothing more
        paid = client.post(
            f"/v1/admin/invoices/{invoice['id']}/paid", json={"reference": "SEPA 991"}, headers=boss
        )
        assert paid.status_code == 200 and paid.json()["status"] == "paid"
    credits = client.get("/v1/account/credits", headers=alice).json()
    assert credits["balance"] == 700
    assert [(m["kind"], m["amount"]) for m in credits["history"]][:1] == [("credits.grant", 500)]

    # The invoice is Alice's: HTML and PDF for her, 404 for Bob.
    html = client.get(f"/v1/invoices/{invoice['id']}.html", headers=alice)
    assert html.status_code == 200 and invoice["number"] in html.text and "EUR 5.00" in html.text
    pdf = client.get(f"/v1/invoices/{invoice['id']}.pdf", headers=alice)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    bob = api_user(client, "bob@example.com")
    for suffix in ("", ".html", ".pdf"):
        assert client.get(f"/v1/invoices/{invoice['id']}{suffix}", headers=bob).status_code == 404
    assert client.get("/v1/invoices", headers=bob).json()["items"] == []
    assert [i["id"] for i in client.get("/v1/invoices", headers=alice).json()["items"]] == [
        invoice["id"]
    ]


def test_usage_and_revenue_agree_with_the_ledger(client: TestClient) -> None:
    alice = api_user(client, "alice@example.com")
    boss = api_user(client, "boss@example.com", "admin")
    job = wait_job(client, alice, submit(client, alice, "test.wait", {})["id"])
    assert job["status"] == "succeeded"
    usage = client.get("/v1/account/usage", headers=alice).json()
    assert usage["engines"][0]["engine"] == "test.wait" and usage["engines"][0]["jobs"] == 1
    used = usage["credits"]
    assert 0.1 <= used < 1  # a no-op job: the minimum charge, or its few hundredths more
    for pack in ("pack-500", "pack-2000"):
        invoice = buy(client, alice, pack, pack, 201)
        client.post(f"/v1/admin/invoices/{invoice['id']}/paid", headers=boss)
    subscribed = client.post(
        "/v1/account/subscription",
        json={"action": "subscribe", "plan_id": "creator"},
        headers=alice,
    ).json()
    client.post(f"/v1/admin/invoices/{subscribed['invoice']['id']}/paid", headers=boss)
    report = client.get("/v1/admin/revenue", headers=boss).json()
    assert report["by_kind"] == {"packs": 2300, "subscriptions": 1200}
    assert report["by_plan"] == {"creator": 1200} and report["total"] == 3500
    assert sum(report["by_day"].values()) == 3500
    assert report["credits_by_engine"] == {"test.wait": used}
    studio = studio_of(client)
    with studio.db.transaction() as s:
        revenue = s.scalar(
            select(func.sum(LedgerEntry.amount)).where(LedgerEntry.account.like("studio:revenue:%"))
        )
        assert revenue == 3500 == -ledger.balance(s, "external:payments", "EUR")
        assert ledger.balance(s, "studio:usage", "credits") == round(used * 100)  # hundredths
    assert client.get("/v1/admin/revenue", headers=alice).status_code == 403


def test_admin_plan_crud_and_a_plan_without_api_access(client: TestClient) -> None:
    boss = api_user(client, "boss@example.com", "admin")
    plan = {
        "id": "web-only",
        "name": "Web only",
        "monthly_credits": 100,
        "price": 300,
        "concurrency": 2,
        "max_pixels": 1_000_000,
        "max_seconds": 30,
        "api_access": False,
    }
    created = client.post("/v1/admin/plans", json=plan, headers=boss)
    assert created.status_code == 201, created.text
    again = client.post("/v1/admin/plans", json=plan, headers=boss)
    assert again.status_code == 409
    bad = client.post("/v1/admin/plans", json={**plan, "id": "x", "concurrency": 0}, headers=boss)
    assert bad.status_code == 422 and problem_fields(bad) == ["concurrency"]
    changed = client.put("/v1/admin/plans/web-only", json={**plan, "price": 400}, headers=boss)
    assert changed.json()["price"] == 400
    trial = {**plan, "id": "trial", "name": "Trial", "trial_days": 0}
    assert client.put("/v1/admin/plans/trial", json=trial, headers=boss).status_code == 422

    alice_key = api_user(client, "alice@example.com")
    cookie = sign_in(client, "alice@example.com")
    answer = client.post(
        "/v1/account/subscription",
        json={"action": "subscribe", "plan_id": "web-only"},
        headers=cookie,
    )
    assert answer.status_code == 200, answer.text
    client.post(f"/v1/admin/invoices/{answer.json()['invoice']['id']}/paid", headers=boss)
    refused = submit(client, alice_key, "test.wait", {}, expect=403)
    assert "Web only plan has no API access" in refused["detail"]
    client.cookies.clear()
    assert client.post("/v1/admin/plans", json=plan, headers=alice_key).status_code == 403
    retired = client.delete("/v1/admin/plans/web-only", headers=boss)
    assert retired.json()["active"] is False
    assert "web-only" not in [p["id"] for p in client.get("/v1/plans").json()["items"]]


# -- Stripe ---------------------------------------------------------------------------


@pytest.fixture
def stripe_client(tmp_path: Path) -> Iterator[TestClient]:
    with stripe_app(tmp_path) as client:
        yield client


def completed(invoice_id: str) -> dict[str, Any]:
    return {
        "id": "evt_1",
        "type": "checkout.session.completed",
        "data": {
            "object": {
                "id": "cs_test_1",
                "client_reference_id": invoice_id,
                "payment_status": "paid",
            }
        },
    }


def test_stripe_checkout_and_signed_webhooks_pay_once(stripe_client: TestClient) -> None:
    client = stripe_client
    StripeStandIn.received.clear()
    alice = api_user(client, "alice@example.com")
    invoice = buy(client, alice, "pack-2000", "stripe-1", 201)
    assert invoice["checkout"] == {
        "provider": "stripe",
        "url": "https://checkout.example/cs_test_1",
        "instructions": "",
    }
    [(headers, form)] = StripeStandIn.received
    assert headers["Authorization"] == "Bearer sk_test_123"
    assert form["client_reference_id"] == [invoice["id"]]
    assert form["line_items[0][price_data][unit_amount]"] == ["1800"]
    assert form["line_items[0][price_data][currency]"] == ["eur"]

    def post(body: bytes, signature: str) -> Any:
        return client.post(
            "/v1/payments/stripe/webhook",
            content=body,
            headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
        )

    body, good = signed(completed(invoice["id"]))
    _, forged = signed(completed(invoice["id"]), secret="whsec_wrong")
    bad = post(body, forged)
    assert bad.status_code == 400 and problem_fields(bad) == ["Stripe-Signature"]
    tampered = post(body.replace(b'"paid"', b'"paid" '), good)
    assert tampered.status_code == 400
    old_body, stale = signed(completed(invoice["id"]), at=int(time.time()) - 3600)
    assert post(old_body, stale).status_code == 400
    assert post(body, "v1=abc").status_code == 400
    assert client.get("/v1/account/credits", headers=alice).json()["balance"] == 200

    first = post(body, good)
    assert first.status_code == 200 and first.json()["result"].startswith("paid INV-")
    assert post(body, good).status_code == 200  # Stripe retries: paid once
    credits = client.get("/v1/account/credits", headers=alice).json()
    assert credits["balance"] == 2200
    paid = client.get(f"/v1/invoices/{invoice['id']}", headers=alice).json()
    assert paid["status"] == "paid" and paid["provider"] == "stripe"
    other, sig = signed({"type": "payment_intent.created", "data": {"object": {}}})
    assert post(other, sig).json() == {"result": "ignored payment_intent.created"}
    studio: Studio = studio_of(client)
    with studio.db.transaction() as s:
        assert ledger.balance(s, "studio:revenue:packs", "EUR") == 1800


def test_billing_pages_render_and_an_admin_creates_a_plan_by_form(client: TestClient) -> None:
    api_user(client, "boss@example.com", "admin")
    csrf = sign_in(client, "boss@example.com")["X-CSRF-Token"]
    for path in ("/account", "/account/plans", "/admin/plans", "/admin/invoices", "/admin/revenue"):
        page = client.get(path)
        assert page.status_code == 200, (path, page.text)
    form = {
        "csrf_token": csrf,
        "create": "1",
        "id": "agency",
        "name": "Agency",
        "monthly_credits": "50000",
        "price": "19900",
        "concurrency": "20",
        "max_pixels": "16000000",
        "max_seconds": "600",
        "trial_days": "0",
        "overage_price": "0",
        "position": "3",
        "commercial_use": "on",
        "active": "on",
    }
    saved = client.post("/admin/plans", data=form)
    assert saved.status_code == 200 and "Plan agency saved" in saved.text
    bad = client.post("/admin/plans", data={**form, "id": "agency2", "concurrency": "many"})
    assert bad.status_code == 422 and "concurrency must be a whole number" in bad.text
    plans = {p["id"]: p for p in client.get("/v1/plans").json()["items"]}
    assert plans["agency"]["price"] == 19900 and plans["agency"]["api_access"] is False
    assert "agency2" not in plans
    client.cookies.clear()
    api_user(client, "alice@example.com")
    sign_in(client, "alice@example.com")
    assert client.get("/admin/plans").status_code == 403
    assert "Agency" in client.get("/account/plans").text
