"""The marketplace's REST doors: listing with refusals, buying with an Idempotency-Key,
licences with certificate, ODRL and public verification, sales, statements and payouts,
and who may see or do what."""

from __future__ import annotations

import io
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select

from atelier.commerce.market_models import Order
from atelier.commerce.models import Invoice
from atelier.web.app import create_app
from tests.support.accounts import api_user, principal, upgrade
from tests.support.api import studio_of, submit, upload, wait_job
from tests.support.settings import make_settings
from tests.support.works import stylize_work


def test_market_api_end_to_end(client: TestClient) -> None:
    creator = api_user(client, "creator@example.com")
    buyer = api_user(client, "buyer@example.com", "customer")
    stranger = api_user(client, "stranger@example.com")
    admin = api_user(client, "boss@example.com", "admin")

    photo = upload(client, creator)
    assert client.post(f"/v1/uploads/{photo}/rights", headers=stranger).status_code == 404
    job = submit(client, creator, "image.stylize", {"image": photo, "style": 2}, seed=3)
    work_id = wait_job(client, creator, job["id"])["work_ids"][0]

    mine = client.get(f"/v1/works/{work_id}/listing", headers=creator).json()
    assert mine["state"] == "not listed" and set(mine["allowed"]) == {"personal", "cc-by-nc"}
    refused = {r["kind"]: r["reasons"] for r in mine["refused"]}
    assert refused["standard"] == [
        "the file you uploaded as image (photo.png) has no rights affirmation",
        "your plan (Trial) has no commercial use",
    ]
    assert client.get(f"/v1/works/{work_id}/listing", headers=stranger).status_code == 404

    affirmed = client.post(f"/v1/uploads/{photo}/rights", headers=creator)
    assert affirmed.status_code == 200 and "commercially" in affirmed.json()["statement"]
    upgrade(studio_of(client), principal(client, "creator@example.com"))

    bad = client.post(
        f"/v1/works/{work_id}/listing", json={"offers": {"standard": 12}}, headers=creator
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["errors"][0]["field"] == "offers.standard"
    listed = client.post(
        f"/v1/works/{work_id}/listing",
        json={"offers": {"standard": 4900, "cc-by-nc": 0}},
        headers=creator,
    )
    assert listed.status_code == 200, listed.text
    offer = listed.json()["offers"][0]
    assert (offer["kind"], offer["price"], offer["commission"], offer["creator_share"]) == (
        "standard",
        4900,
        980,
        3920,
    )

    market = client.get("/v1/market").json()["items"]  # public
    assert [m["work"]["id"] for m in market] == [work_id]
    assert market[0]["currency"] == "EUR" and market[0]["refused"] is None
    assert market[0]["work"]["params"] is None  # the recipe stays the owner's

    buy = f"/v1/works/{work_id}/offers/standard/buy"
    assert client.post(buy, headers=creator).status_code == 403
    first = client.post(buy, headers={**buyer, "Idempotency-Key": "k1"})
    assert first.status_code == 201, first.text
    order = first.json()
    assert order["status"] == "open" and order["invoice"]["total"] == 4900
    again = client.post(buy, headers={**buyer, "Idempotency-Key": "k1"})
    assert again.status_code == 200 and again.json()["id"] == order["id"]
    other = client.post(
        f"/v1/works/{work_id}/offers/cc-by-nc/buy", headers={**buyer, "Idempotency-Key": "k1"}
    )
    assert other.status_code == 409
    assert client.get(f"/v1/orders/{order['id']}", headers=stranger).status_code == 404

    invoice_id = order["invoice"]["id"]
    assert client.post(f"/v1/admin/invoices/{invoice_id}/paid", headers=buyer).status_code == 403
    paid = client.post(f"/v1/admin/invoices/{invoice_id}/paid", json={}, headers=admin)
    assert paid.status_code == 200, paid.text

    licences = client.get("/v1/licences", headers=buyer).json()["items"]
    assert len(licences) == 1
    licence = licences[0]
    assert licence["offer"] == "standard" and licence["signature"]["alg"] == "es256"
    assert licence["work"]["id"] == work_id and licence["price"] == 4900
    licence_id = licence["id"]
    assert client.get(f"/v1/licences/{licence_id}", headers=stranger).status_code == 404
    assert client.get(f"/v1/licences/{licence_id}", headers=creator).status_code == 200
    odrl = client.get(f"/v1/licences/{licence_id}/odrl.json", headers=buyer)
    assert odrl.headers["content-type"].startswith("application/ld+json")
    assert odrl.json()["assignee"]["uid"] == f"urn:atelier:user:{licence['licensee']['id']}"
    pdf = client.get(f"/v1/licences/{licence_id}/certificate.pdf", headers=buyer)
    assert pdf.content.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert licence_id in text and "Standard commercial" in text
    html = client.get(f"/v1/licences/{licence_id}/certificate.html", headers=buyer)
    assert licence_id in html.text and "Standard commercial" in html.text

    verified = client.get(f"/v1/verify/licences/{licence_id}").json()  # no sign-in
    assert verified["verdict"] == "valid"
    assert verified["licence"]["work"]["sha256"] == licence["work"]["sha256"]
    assert "@" not in verified["licence"]["licensee"]["name"]  # no e-mail shown publicly
    assert client.get(f"/v1/verify/licences/{'0' * 32}").json()["verdict"] == "not found"

    sales = client.get("/v1/account/sales", headers=creator).json()["items"]
    assert [s["id"] for s in sales] == [licence_id]
    statement = client.get("/v1/account/statement", headers=creator).json()
    assert (statement["sales"], statement["commission"], statement["balance"]) == (4900, 980, 3920)
    csv = client.get("/v1/account/statement?format=csv", headers=creator)
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[-1].endswith("4900,980,3920")

    too_much = client.post("/v1/account/payouts", json={"amount": 3921}, headers=creator)
    assert too_much.status_code == 422 and too_much.json()["errors"][0]["field"] == "amount"
    requested = client.post("/v1/account/payouts", json={"amount": 3920}, headers=creator)
    assert requested.status_code == 201
    assert client.get("/v1/account/payouts", headers=creator).json()["available"] == 0
    assert client.get("/v1/admin/payouts", headers=creator).status_code == 403
    queue = client.get("/v1/admin/payouts", headers=admin).json()["items"]
    assert [(p["email"], p["amount"]) for p in queue] == [("creator@example.com", 3920)]
    done = client.post(
        f"/v1/admin/payouts/{queue[0]['id']}/paid", json={"reference": "SEPA 7"}, headers=admin
    )
    assert done.json()["status"] == "paid"
    assert client.get("/v1/account/statement", headers=creator).json()["balance"] == 0

    gone = client.delete(f"/v1/works/{work_id}/listing", headers=creator)
    assert gone.json()["state"] == "unlisted"
    assert client.get("/v1/market").json()["items"] == []
    assert client.post(buy, headers=stranger).status_code == 404
    # The licence sold before stays valid.
    assert client.get(f"/v1/verify/licences/{licence_id}").json()["verdict"] == "valid"


def test_twenty_parallel_buys_without_a_key_make_one_order(db_url: str, tmp_path: Path) -> None:
    """One buyer, twenty buys of one Standard offer at once, no Idempotency-Key: one order
    and one invoice, nineteen 409s naming it (a partial unique index, on both databases)."""
    with TestClient(create_app(make_settings(tmp_path, db_url))) as client:
        studio = studio_of(client)
        api_user(client, "creator@example.com")
        creator = principal(client, "creator@example.com")
        buyer = api_user(client, "buyer@example.com", "customer")
        upgrade(studio, creator)
        work = stylize_work(studio, creator, affirm=True)
        studio.market.list_work(creator, work.id, {"standard": 4900})
        start = threading.Barrier(20)

        def buy(_: int) -> Any:
            start.wait()
            return client.post(f"/v1/works/{work.id}/offers/standard/buy", headers=buyer)

        with ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(buy, range(20)))
        codes = sorted(a.status_code for a in answers)
        assert codes == [201] + [409] * 19, codes
        [order] = [a.json() for a in answers if a.status_code == 201]
        for refused in (a for a in answers if a.status_code == 409):
            assert refused.json()["errors"][0]["field"] == "offer"
            assert f"you already have order {order['id']}" in refused.json()["detail"]
        with studio.db.transaction() as s:
            orders = s.scalars(select(Order)).all()
            invoices = s.scalars(select(Invoice)).all()
        assert [o.id for o in orders] == [order["id"]]
        assert [i.id for i in invoices if i.lines[0].kind == "licence"] == [order["invoice"]["id"]]


def test_editing_offers_then_withdrawing_and_relisting(client: TestClient) -> None:
    """The tester's journey (issue 12): Personal €9, then add Standard €49 and save; then
    withdraw and list again. Each answered 500 (a uniqueness error on the offers) before
    main's commerce merge changed a kept offer in place."""
    creator = api_user(client, "creator@example.com")
    photo = upload(client, creator)
    client.post(f"/v1/uploads/{photo}/rights", headers=creator)
    upgrade(studio_of(client), principal(client, "creator@example.com"))
    job = submit(client, creator, "image.stylize", {"image": photo, "style": 2}, seed=3)
    work_id = wait_job(client, creator, job["id"])["work_ids"][0]
    url = f"/v1/works/{work_id}/listing"

    def offers(response: Any) -> dict[str, int]:
        assert response.status_code == 200, response.text
        return {o["kind"]: o["price"] for o in response.json()["offers"]}

    first = client.post(url, json={"offers": {"personal": 900}}, headers=creator)
    assert offers(first) == {"personal": 900}
    both = {"personal": 900, "standard": 4900}
    assert offers(client.post(url, json={"offers": both}, headers=creator)) == both
    assert offers(client.get(url, headers=creator)) == both
    repriced = {"personal": 1200, "standard": 4900}
    assert offers(client.post(url, json={"offers": repriced}, headers=creator)) == repriced

    withdrawn = client.delete(url, headers=creator)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["state"] == "unlisted"
    again = client.post(url, json={"offers": both}, headers=creator)
    assert offers(again) == both and again.json()["state"] == "listed"
    assert [v["work"]["id"] for v in client.get("/v1/market").json()["items"]] == [work_id]
