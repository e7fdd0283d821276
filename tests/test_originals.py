"""Buyers get files, the public gets previews: a listed picture's original downloads only
for its owner, admins and holders of a licence to it (`GET /v1/works/{id}/file`, and the
licence's own `GET /v1/licences/{id}/file`, linked from the licence page); everyone else
gets its reduced preview."""

from __future__ import annotations

import hashlib
import io

from fastapi.testclient import TestClient
from PIL import Image

from atelier.studio import Studio
from tests.support.accounts import admin_of, api_user, sign_in
from tests.support.api import make_work

PERSONAL = 900


def test_listed_picture_original_for_owner_admin_and_licensee_only(client: TestClient) -> None:
    studio: Studio = client.app.state.studio  # type: ignore[attr-defined]
    alice = api_user(client, "alice@example.com")
    bob = api_user(client, "bob@example.com")
    admin = api_user(client, "boss@example.com", role="admin")
    work = make_work(client, alice)
    listed = client.post(
        f"/v1/works/{work['id']}/listing", json={"offers": {"personal": PERSONAL}}, headers=alice
    )
    assert listed.status_code in (200, 201), listed.text
    client.patch(f"/v1/works/{work['id']}", json={"visibility": "public"}, headers=alice)
    primary = next(f for f in work["files"] if f["role"] == "primary")
    originals = (f"/v1/works/{work['id']}/file", primary["url"])
    thumbnail = f"/v1/works/{work['id']}/files/thumbnail.webp"

    anonymous = TestClient(client.app)
    for caller, headers in ((anonymous, {}), (client, bob)):
        for url in originals:
            refused = caller.get(url, headers=headers)
            assert refused.status_code == 403, (url, refused.text)
            assert refused.headers["content-type"].startswith("application/problem+json")
        seen = caller.get(f"/v1/works/{work['id']}", headers=headers).json()
        assert (seen["original"], seen["url"]) == (False, thumbnail)
        preview = caller.get(thumbnail, headers=headers)
        assert preview.status_code == 200
        assert max(Image.open(io.BytesIO(preview.content)).size) <= 384
    for headers in (alice, admin):
        got = client.get(originals[0], headers=headers)
        assert (
            got.status_code == 200
            and hashlib.sha256(got.content).hexdigest() == (primary["sha256"])
        )

    # Bob buys the Personal licence; once it is paid, the original is his too.
    order = client.post(
        f"/v1/works/{work['id']}/offers/personal/buy", headers={**bob, "Idempotency-Key": "b1"}
    )
    assert order.status_code == 201, order.text
    assert client.get(originals[0], headers=bob).status_code == 403  # not paid yet
    studio.commerce.mark_paid(admin_of(studio), order.json()["invoice"]["id"], "transfer")
    [licence] = client.get("/v1/licences", headers=bob).json()["items"]
    assert licence["file"] == f"/v1/licences/{licence['id']}/file"
    for url in (originals[0], licence["file"]):
        got = client.get(url, headers=bob)
        assert got.status_code == 200, got.text
        assert hashlib.sha256(got.content).hexdigest() == licence["work"]["sha256"]
    assert client.get(licence["file"], headers=api_user(client, "eve@example.com")).status_code == (
        404
    )
    assert anonymous.get(licence["file"]).status_code == 401

    # The licence page offers the download.
    page_client = TestClient(client.app)
    sign_in(page_client, "bob@example.com")
    page = page_client.get(f"/licences/{licence['id']}")
    assert page.status_code == 200
    assert f'href="/v1/licences/{licence["id"]}/file"' in page.text


def test_work_page_shows_others_the_preview(client: TestClient) -> None:
    alice = api_user(client, "alice@example.com")
    work = make_work(client, alice)
    client.patch(f"/v1/works/{work['id']}", json={"visibility": "public"}, headers=alice)
    page = TestClient(client.app).get(f"/works/{work['id']}")
    assert page.status_code == 200
    assert f'src="/v1/works/{work["id"]}/files/thumbnail.webp"' in page.text
    assert f"/v1/works/{work['id']}/file" not in page.text.replace("/files/", "")
