"""The market and licence pages, custom models, the reviewer's pages and the password pages
in Chinese: a seller, a buyer, an admin and a reviewer with the Chinese interface see each
of them with real data (a listed picture, an open and a paid order, licences, a sale and a
payout; a melody model trained for a few steps and shared; a panel with an invitation; a
reset link) without the templates' English (tests/support/shown.py says what is read)."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

import tests.support.client_sets as cs
import tests.support.picture_engine  # noqa: F401 - registers test.picture (quick pictures)
from atelier.commerce.market_models import Order
from atelier.studio import Studio
from atelier.studio.panels import ItemSpec
from tests.support.accounts import PASSWORD, add_user, admin_of, sign_in, upgrade
from tests.support.servers import wait_until
from tests.support.shown import ZH, english_left

pytestmark = pytest.mark.integration
# The test's own data, shown as it was given: names, a panel's brief, plan names, and the
# name of a public licence (CC BY), which Chinese writes the same.
DATA = ("CC BY", "client tunes", "client-melody", "Gulls at dawn", "A versus B", "Trial", "Creator")
TINY = {"batch": 4, "seq": 48, "checkpoint_every": 4, "eval_every": 4}


def finished(studio: Studio, who: object, engine: str, params: dict, seed: int = 1) -> str:
    """A job of `who`'s, run by the client's worker to success: its id."""
    job, _ = studio.jobs.submit(who, engine, params, seed=seed)  # type: ignore[arg-type]
    ended = ("succeeded", "failed", "canceled")
    wait_until(
        lambda: studio.jobs.get(who, job.id).status in ended,  # type: ignore[arg-type]
        180,
        what=engine,
    )
    done = studio.jobs.get(who, job.id)  # type: ignore[arg-type]
    assert done.status == "succeeded", done.error
    return job.id


def zh_client(client: TestClient, email: str | None) -> TestClient:
    """A browser of its own with the Chinese interface, signed in as `email`."""
    browser = TestClient(client.app, headers=ZH)
    if email:
        sign_in(browser, email)
    return browser


def csrf_of(page: str) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "the page has no form token"
    return token[1]


def note(english: dict[str, list[str]], where: str, html: str) -> None:
    """Keep the English phrases left on a Chinese page, by where it was seen."""
    assert '<html lang="zh-CN">' in html, where
    left = english_left(html, DATA)
    if left:
        english[where] = left


def english_on(browser: TestClient, paths: Iterable[str]) -> dict[str, list[str]]:
    english: dict[str, list[str]] = {}
    for path in paths:
        page = browser.get(path)
        assert page.status_code in (200, 404, 410), (path, page.status_code, page.text[:500])
        note(english, path, page.text)
    return english


def test_market_model_review_and_password_pages_show_no_english_phrases(
    client: TestClient,
) -> None:
    studio: Studio = client.app.state.studio  # type: ignore[attr-defined]
    admin = admin_of(studio)
    seller = add_user(studio, "maker@example.com")
    buyer = add_user(studio, "buyer@example.com")
    add_user(studio, "judge@example.com", "reviewer")
    upgrade(studio, seller)

    # The market: a picture listed with three offers; one bought and paid, one left open,
    # one free; the creator asks for a payout of the sale's share.
    job_id = finished(studio, seller, "test.picture", {"width": 64, "height": 64})
    work_id = studio.jobs.get(seller, job_id).works[0].id
    studio.market.list_work(seller, work_id, {"standard": 4900, "personal": 900, "cc-by": 0})
    paid, _ = studio.market.buy(buyer, work_id, "standard")
    with studio.db.transaction() as s:
        invoice_id = s.scalar(select(Order.invoice_id).where(Order.id == paid.id))
    assert invoice_id is not None
    studio.commerce.mark_paid(admin, invoice_id, "bank transfer 1")
    open_order, _ = studio.market.buy(buyer, work_id, "personal")
    studio.market.buy(buyer, work_id, "cc-by")
    licence_id = studio.market.licence_of_order(buyer, paid.id).id
    studio.market.request_payout(seller, studio.market.available(seller))

    # A custom model: the admin's melody model, a few steps on the client's tunes, shared.
    made = studio.datasets.create(admin, "client tunes", "music")
    studio.datasets.add(admin, made.id, "tunes.zip", cs.zipped(cs.melody_files()), "own_work")
    version, _ = studio.datasets.make_version(admin, made.id, valid_percent=25)
    params = {"dataset": version.id, "name": "client-melody", "steps": 4, **TINY}
    training = finished(studio, admin, "train.music", params)
    model = studio.models.of_job(admin, training)
    assert model is not None
    studio.models.share(admin, model.id, "buyer@example.com")

    # A panel of two pictures, with a reviewer's account and an invitation link.
    pictures = [
        studio.jobs.get(admin, finished(studio, admin, "test.picture", {"width": 64}, s)).works[0]
        for s in (1, 2)
    ]
    panel = studio.panels.create(
        admin, "Gulls at dawn", "ab", [ItemSpec(pictures[0].id, pictures[1].id, "A versus B")]
    )
    studio.panels.add_reviewer(admin, panel.id, "judge@example.com")
    _, token = studio.panels.invite(admin, panel.id, "guest")

    english: dict[str, list[str]] = {}
    as_seller = zh_client(client, "maker@example.com")
    english |= english_on(as_seller, ["/market", f"/works/{work_id}/licences", "/account/sales"])
    as_buyer = zh_client(client, "buyer@example.com")
    english |= english_on(
        as_buyer,
        [
            f"/works/{work_id}/licences",
            f"/checkout/{open_order.id}",
            f"/checkout/{paid.id}",
            "/licences",
            f"/licences/{licence_id}",
            f"/v1/licences/{licence_id}/certificate.html",
            f"/verify/licences/{licence_id}",
            "/models",
            f"/models/{model.id}",
            "/account/password",
        ],
    )
    as_admin = zh_client(client, None)
    sign_in(as_admin, studio.settings.admin_email, "admin password 1")
    english |= english_on(as_admin, ["/models", f"/models/{model.id}", f"/jobs/{training}"])
    csrf = csrf_of(as_admin.get("/admin/users").text)
    link = as_admin.post(f"/admin/users/{buyer.user_id}/reset-link", data={"csrf_token": csrf})
    assert link.status_code == 200
    note(english, "reset link", link.text)
    reset = re.search(r"/password/reset\?token=[\w-]+", link.text)
    assert reset

    as_judge = zh_client(client, "judge@example.com")
    english |= english_on(as_judge, ["/review", f"/review/panels/{panel.id}"])
    visitor = zh_client(client, None)
    english |= english_on(
        visitor,
        [f"/review/{token}", "/password/forgot", reset[0], "/password/reset?token=unknown"],
    )
    assert english == {}, "\n".join(f"{path}: {left}" for path, left in english.items())

    # The services' errors these pages show: a password refused (the wrong current one, a
    # common one, a short one), an unknown review link.
    csrf = csrf_of(as_buyer.get("/account/password").text)
    for current, new, chinese in (
        ("not my password", "four unrelated words here", "这不是你当前的密码"),
        (PASSWORD, "password123", "最常见的 30,000 个密码之一"),
        (PASSWORD, "short", "密码长度须为 10 到 256 个字符"),
    ):
        form = {"csrf_token": csrf, "current_password": current, "new_password": new}
        refused = as_buyer.post("/account/password", data=form)
        assert refused.status_code == 422 and chinese in refused.text, new
        note(english, f"password {new}", refused.text)
    form = {"csrf_token": csrf_of(visitor.get(reset[0]).text), "new_password": "password123"}
    form["token"] = reset[0].split("token=")[1]
    refused = visitor.post("/password/reset", data=form)
    assert refused.status_code == 422 and "最常见的 30,000 个密码之一" in refused.text
    unknown = visitor.get("/review/not-a-link")
    assert unknown.status_code == 404 and "此评审链接无效" in unknown.text
    note(english, "reset refused", refused.text)
    note(english, "unknown review link", unknown.text)
    assert english == {}, "\n".join(f"{path}: {left}" for path, left in english.items())

    # A few of the templates' own sentences, by name: gone in Chinese, there in English.
    english_buyer = TestClient(client.app, headers={"accept-language": "en"})
    sign_in(english_buyer, "buyer@example.com")
    for path, english_words, chinese in (
        (f"/checkout/{open_order.id}", "by bank transfer, quoting", "银行转账"),
        (f"/verify/licences/{licence_id}", "Verify a licence", "验证授权"),
        (f"/models/{model.id}", "Lineage", "来源谱系"),
    ):
        assert chinese in as_buyer.get(path).text, path
        assert english_words in english_buyer.get(path).text, path
