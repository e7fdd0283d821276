"""Privacy: a user downloads all their data (GET /v1/me/export): account, keys without
their secrets, uploads and works with their files, invoices, ledger, orders, licences."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from atelier.commerce.market_models import Order
from atelier.commerce.models import Invoice, LedgerEntry
from atelier.store.models import Upload, User, Work
from atelier.studio import Studio
from tests.support.accounts import PASSWORD, admin_of, api_user, principal, sign_in, upgrade
from tests.support.api import make_work


def test_export_holds_all_of_a_users_data(client: TestClient) -> None:
    studio: Studio = client.app.state.studio  # type: ignore[attr-defined]
    alice = api_user(client, "alice@example.com")
    bob = api_user(client, "bob@example.com")
    work = make_work(client, alice)
    plan_invoice = upgrade(studio, principal(client, "alice@example.com"))
    url = f"/v1/works/{work['id']}/listing"
    assert client.post(url, json={"offers": {"personal": 900}}, headers=alice).status_code == 200
    order = client.post(
        f"/v1/works/{work['id']}/offers/personal/buy", headers={**bob, "Idempotency-Key": "k"}
    ).json()
    studio.commerce.mark_paid(admin_of(studio), order["invoice"]["id"], "transfer")

    response = client.get("/v1/me/export", headers=alice)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()

    def table(name: str) -> object:
        return json.loads(archive.read(f"{name}.json"))

    account = table("account")
    assert isinstance(account, dict) and account["email"] == "alice@example.com"
    assert "password_hash" not in account and "$argon2" not in response.content.decode("latin-1")
    [key] = table("api_keys")  # type: ignore[misc]
    assert "key_hash" not in key and key["scopes"] == ["read", "write"]
    [photo] = table("uploads")  # type: ignore[misc]
    [photo_file] = [n for n in names if n.startswith(f"uploads/{photo['id']}-")]
    assert hashlib.sha256(archive.read(photo_file)).hexdigest() == photo["sha256"]
    primary = next(f for f in work["files"] if f["role"] == "primary")
    [picture] = [n for n in names if n.startswith("works/") and n.endswith(primary["name"])]
    assert hashlib.sha256(archive.read(picture)).hexdigest() == primary["sha256"]
    assert any(n.startswith("works/") and n.endswith("/manifest.json") for n in names)
    numbers = [i["number"] for i in table("invoices")]  # type: ignore[attr-defined]
    assert plan_invoice.number in numbers
    ledger = table("ledger")
    kinds = {t["kind"] for t in ledger}  # type: ignore[attr-defined]
    assert len(kinds) >= 2 and all(t["entries"] for t in ledger)  # type: ignore[attr-defined]
    [licence] = table("licences")  # type: ignore[misc]
    assert (licence["work_id"], licence["offer_kind"]) == (work["id"], "personal")
    [sold] = table("orders")  # type: ignore[misc]
    assert sold["id"] == order["id"]

    theirs = zipfile.ZipFile(io.BytesIO(client.get("/v1/me/export", headers=bob).content))
    assert json.loads(theirs.read("account.json"))["email"] == "bob@example.com"
    assert [g["id"] for g in json.loads(theirs.read("licences.json"))] == [licence["id"]]
    assert not [n for n in theirs.namelist() if n.startswith("works/")]
    assert client.get("/v1/me/export").status_code == 401


def test_closing_an_account_erases_it_but_keeps_what_buyers_and_the_law_need(
    client: TestClient,
) -> None:
    studio: Studio = client.app.state.studio  # type: ignore[attr-defined]
    alice = api_user(client, "alice@example.com")
    bob = api_user(client, "bob@example.com")
    sold, unsold = make_work(client, alice), make_work(client, alice, style=5)
    url = f"/v1/works/{sold['id']}/listing"
    assert client.post(url, json={"offers": {"personal": 900}}, headers=alice).status_code == 200
    order = client.post(
        f"/v1/works/{sold['id']}/offers/personal/buy", headers={**bob, "Idempotency-Key": "k"}
    ).json()
    studio.commerce.mark_paid(admin_of(studio), order["invoice"]["id"], "transfer")
    [licence] = client.get("/v1/licences", headers=bob).json()["items"]
    unsold_files = [f["sha256"] for f in unsold["files"]]
    assert not set(unsold_files) & {f["sha256"] for f in sold["files"]}
    with studio.db.transaction() as s:
        user_id = principal(client, "alice@example.com").user_id
        ledger_before = s.scalar(select(func.count()).select_from(LedgerEntry))
        photos = list(s.scalars(select(Upload.sha256).where(Upload.owner_id == user_id)))

    session = TestClient(client.app)
    csrf = sign_in(session, "alice@example.com")
    close = "/v1/me"
    key_try = client.request("DELETE", close, json={"password": PASSWORD}, headers=alice)
    assert key_try.status_code == 403
    wrong = session.request("DELETE", close, json={"password": "not it"}, headers=csrf)
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "password"
    closed = session.request("DELETE", close, json={"password": PASSWORD}, headers=csrf)
    assert closed.status_code == 204, closed.text

    # Gone: signing in, keys, the unsold work and its files, the uploads' files.
    again = session.post(
        "/v1/auth/login", json={"email": "alice@example.com", "password": PASSWORD}
    )
    assert again.status_code == 401
    assert client.get("/v1/works", headers=alice).status_code == 401
    assert not any(studio.artifacts.exists(d) for d in unsold_files)
    with studio.db.transaction() as s:
        user = s.get(User, user_id)
        assert user is not None and user.disabled and "alice" not in user.email
        assert s.get(Work, unsold["id"]) is None
        assert s.scalars(select(Upload).where(Upload.owner_id == user_id)).all() == []
        kept = s.get(Work, sold["id"])
        assert kept is not None and kept.visibility == "private"
        # Kept: the sale, its invoice and every ledger entry.
        assert s.get(Order, order["id"]) is not None
        assert s.get(Invoice, order["invoice"]["id"]) is not None
        assert s.scalar(select(func.count()).select_from(LedgerEntry)) == ledger_before
    assert photos and all(
        studio.artifacts.exists(d) == (d in {f["sha256"] for f in sold["files"]}) for d in photos
    )
    # The buyer still downloads what they bought.
    got = client.get(licence["file"], headers=bob)
    assert got.status_code == 200
    assert hashlib.sha256(got.content).hexdigest() == licence["work"]["sha256"]
