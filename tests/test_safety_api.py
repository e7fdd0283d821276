"""Moderation through the spine, the API and the pages: blocked requests leave nothing,
flagged ones make works held for review, held files are served to admins only, admins
approve or reject with reasons, and every step lands in the append-only audit log (on
SQLite and PostgreSQL where the database matters)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pytest
from fastapi.testclient import TestClient
from pydantic import Field
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from atelier.accounts import service as accounts
from atelier.accounts.authz import Principal
from atelier.accounts.service import AccountError
from atelier.engines import registry
from atelier.engines.base import Artifact, Context, Creation, Engine, Params
from atelier.errors import Conflict, Forbidden, Invalid, NotFound
from atelier.settings import Settings
from atelier.store.models import AuditEntry, Job, Review, Screening, Work
from atelier.studio import Studio
from tests.support.accounts import add_user, api_user, sign_in
from tests.support.api import snapshot, studio_of, submit, wait_job
from tests.support.settings import make_settings

ADMIN_EMAIL, ADMIN_PASSWORD = "admin@localhost", "admin password 1"  # make_settings'
FLAGGED = "a gory battlefield, blood and guts everywhere"  # violence: flag by default
BLOCKED = "heil hitler"  # hate: block by default


class EchoParams(Params):
    prompt: str = Field("", max_length=500)
    negative_prompt: str = Field("", max_length=500)
    tags: list[str] = Field(default_factory=list, max_length=5)
    style: Literal["plain", "fancy"] = "plain"
    codes: list[int] = Field(default_factory=list, max_length=50)


class Echo(Engine):
    """Writes the text whose code points are `codes` ("ok" without): an output the
    request screen never sees as text."""

    name = "test.echo"
    medium = "text"
    title = "Echo (test)"
    description = "Writes the text given as code points."
    Params = EchoParams

    def run(self, params: Any, ctx: Context) -> list[Creation]:
        body = "".join(map(chr, params.codes)) or "ok"
        return [Creation(files=[Artifact("result.txt", "text/plain", body.encode())], title="echo")]


registry.register(Echo)


def count(studio: Studio, model: Any, *where: Any) -> int:
    with studio.db.transaction() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def audit_rows(studio: Studio, action: str) -> list[AuditEntry]:
    with studio.db.transaction() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


# -- the spine, on SQLite and PostgreSQL -------------------------------------------------


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    """conftest's studio, on each database (db_url)."""
    return make_settings(tmp_path, db_url)


def admin_of(studio: Studio) -> Principal:
    with studio.db.transaction() as s:
        user = accounts.find_user(s, ADMIN_EMAIL)
        assert user is not None
        return accounts.principal_for(user)


def run_job(studio: Studio, text: bytes = b"ok\n") -> str:
    """Claim the next job and finish it with one text work; returns the work's id."""
    claimed = studio.jobs.claim("w1")
    assert claimed is not None
    creation = Creation(files=[Artifact("result.txt", "text/plain", text)], title="made")
    assert studio.jobs.finish(claimed.job_id, "w1", [creation], 0.1)
    with studio.db.transaction() as s:
        return str(s.scalar(select(Work.id).where(Work.job_id == claimed.job_id)))


def test_a_blocked_request_writes_nothing(studio: Studio) -> None:
    who = add_user(studio, "maker@example.com")
    before = {m: count(studio, m) for m in (Job, Screening, Review, AuditEntry)}
    with pytest.raises(Invalid) as refused:
        studio.jobs.submit(who, "test.echo", {"prompt": "a fox", "tags": ["cute", BLOCKED]})
    assert refused.value.errors[0][0] == "params.tags.1"
    assert "hateful" in refused.value.detail
    assert {m: count(studio, m) for m in before} == before


def test_chinese_and_mixed_requests_are_refused_under_their_category(studio: Studio) -> None:
    who = add_user(studio, "maker@example.com")
    for params, field, what in (
        ({"prompt": "儿童色情图片"}, "params.prompt", "sexual content involving minors"),
        ({"prompt": "a fox", "tags": ["猫", "穆斯林都该被杀光"]}, "params.tags.1", "hateful"),
        ({"negative_prompt": "a 裸体 little girl"}, "params.negative_prompt", "minors"),
    ):
        with pytest.raises(Invalid) as refused:
            studio.jobs.submit(who, "test.echo", params)
        assert refused.value.errors[0][0] == field
        assert what in refused.value.detail
    assert count(studio, Job) == 0


def test_a_refused_request_is_refused_for_that_whatever_else_is_wrong(studio: Studio) -> None:
    """A prompt the screen refuses, in a request whose other parameters fail their checks,
    is refused under its category; a harmless one gets the checks' own error; a long
    one, which would cost the screen more than a checked request may, gets them too."""
    who = add_user(studio, "maker@example.com")
    bad_style = {"style": "gaudy"}
    for params, field, what in (
        (
            {"prompt": "儿童色情图片", **bad_style},
            "params.prompt",
            "sexual content involving minors",
        ),
        ({"prompt": "a fox", "tags": ["heil hitler"] * 6}, "params.tags.0", "hateful"),
        ({"prompt": "a fox", **bad_style}, "params.style", "Input should be"),
        ({"prompt": "儿童色情图片" + " a fox" * 400}, "params.prompt", "at most 500"),
    ):
        with pytest.raises(Invalid) as refused:
            studio.jobs.submit(who, "test.echo", params)
        assert refused.value.errors[0][0] == field
        assert what in refused.value.detail
    assert count(studio, Job) == 0


def test_an_adult_figure_study_is_not_refused_as_minors(studio: Studio) -> None:
    who = add_user(studio, "maker@example.com")
    job, _ = studio.jobs.submit(who, "test.echo", {"prompt": "nude woman, charcoal figure study"})
    with studio.db.transaction() as s:
        screening = s.get(Screening, job.id)
        categories = {f["category"] for f in screening.findings} if screening else set()
    assert "minors" not in categories


def test_a_request_the_screen_cannot_read_is_held_for_review(studio: Studio) -> None:
    who = add_user(studio, "maker@example.com")
    job, _ = studio.jobs.submit(who, "test.echo", {"prompt": "고양이 그림"})  # "a picture of a cat"
    with studio.db.transaction() as s:
        screening = s.get(Screening, job.id)
        assert screening is not None
        assert [(f["category"], f["evidence"]) for f in screening.findings] == [
            ("unreadable", "Hangul script")
        ]
    work, _ = studio.works.get(who, run_job(studio))
    assert work.review_status == "in_review"


def test_a_long_text_input_is_screened_to_its_end(studio: Studio) -> None:
    """text.summarize takes 16,000 characters; the screen once read only the first 4,000."""
    from atelier.engines.text.summarize import SummarizeParams
    from atelier.safety.service import free_text

    filler = "The committee met on Tuesday and discussed the budget for next year. " * 150
    params = SummarizeParams(text=filler + "标语：所有穆斯林都该被杀光。").model_dump(mode="json")
    texts = free_text(params, SummarizeParams.model_json_schema(), [])
    verdict = studio.safety.screen_request(texts)
    assert verdict.blocked_by is not None
    assert (verdict.blocked_by.field, verdict.blocked_by.category) == ("params.text", "hate")


def test_a_flagged_request_runs_and_its_work_waits_for_review(studio: Studio) -> None:
    owner, other = add_user(studio, "maker@example.com"), add_user(studio, "other@example.com")
    admin = admin_of(studio)
    job, _ = studio.jobs.submit(owner, "test.echo", {"prompt": FLAGGED})
    with studio.db.transaction() as s:
        screening = s.get(Screening, job.id)
        assert screening is not None
        assert [f["category"] for f in screening.findings] == ["violence"]
    work_id = run_job(studio)

    work, _ = studio.works.get(owner, work_id)
    assert work.review_status == "in_review"
    studio.works.update(owner, work_id, visibility="public")
    with pytest.raises(Forbidden, match="in review"):
        studio.works.file(owner, work_id, None)
    with pytest.raises(NotFound):  # shared, yet not shown to others while held
        studio.works.get(other, work_id)
    with pytest.raises(NotFound):
        studio.works.get(None, work_id)
    assert studio.works.file(admin, work_id, None)[1].read_bytes() == b"ok\n"

    [(review, held, email)] = studio.moderation.reviews(admin)
    assert (held.id, email, review.status) == (work_id, "maker@example.com", "in_review")
    assert review.findings[0]["field"] == "params.prompt"
    assert [e.subject for e in audit_rows(studio, "moderation.hold")] == [f"work:{work_id}"]

    with pytest.raises(Invalid, match="why"):
        studio.moderation.decide(admin, review.id, approve=False, reason=" ")
    studio.moderation.decide(admin, review.id, approve=False, reason="too graphic")
    with pytest.raises(Forbidden, match="rejected"):
        studio.works.file(owner, work_id, None)
    with pytest.raises(Conflict):
        studio.moderation.decide(admin, review.id, approve=True, reason="")
    [entry] = audit_rows(studio, "moderation.reject")
    assert (entry.actor_id, entry.subject) == (admin.user_id, f"work:{work_id}")
    assert entry.details["reason"] == "too graphic"
    assert entry.details["categories"] == ["violence"]
    assert studio.moderation.reviews(admin) == []
    assert [r.status for r, _, _ in studio.moderation.reviews(admin, "rejected")] == ["rejected"]


def test_an_approved_work_is_served_again(studio: Studio) -> None:
    owner, admin = add_user(studio, "maker@example.com"), admin_of(studio)
    studio.jobs.submit(owner, "test.echo", {"prompt": FLAGGED})
    work_id = run_job(studio)
    [(review, _, _)] = studio.moderation.reviews(admin)
    studio.moderation.decide(admin, review.id, approve=True, reason="a war painting")
    assert studio.works.file(owner, work_id, None)[1].read_bytes() == b"ok\n"
    assert audit_rows(studio, "moderation.approve")[0].details["reason"] == "a war painting"


def test_a_flagged_output_is_held_not_destroyed(studio: Studio) -> None:
    owner, admin = add_user(studio, "maker@example.com"), admin_of(studio)
    studio.jobs.submit(owner, "test.echo", {"prompt": "a fox"})
    work_id = run_job(studio, b"hardcore porn")
    [(review, _, _)] = studio.moderation.reviews(admin)
    assert [(f["category"], f["field"], f["layer"]) for f in review.findings] == [
        ("sexual", "result.txt", "blocklist")
    ]
    assert studio.works.file(admin, work_id, None)[1].read_bytes() == b"hardcore porn"


@pytest.mark.parametrize(
    "text",
    [
        b"hardcore porn",  # short: its verdict is waited for inside the spine's transaction
        b"A quiet walk by the harbour at dawn. " * 10 + b"hardcore porn",  # before it
    ],
)
def test_an_output_is_held_whichever_side_of_the_transaction_its_screen_ends(
    studio: Studio, text: bytes
) -> None:
    owner = add_user(studio, "maker@example.com")
    studio.jobs.submit(owner, "test.echo", {"prompt": "a fox"})
    work_id = run_job(studio, text)
    assert studio.works.get(owner, work_id)[0].review_status == "in_review"
    assert count(studio, Review) == 1


def test_a_harmless_request_is_not_held(studio: Studio) -> None:
    owner = add_user(studio, "maker@example.com")
    studio.jobs.submit(owner, "test.echo", {"prompt": "a girl walking to school"})
    work_id = run_job(studio)
    assert studio.works.get(owner, work_id)[0].review_status is None
    assert count(studio, Screening) == count(studio, Review) == 0


def test_only_admins_moderate(studio: Studio) -> None:
    creator = add_user(studio, "maker@example.com")
    for call in (
        lambda: studio.moderation.reviews(creator),
        lambda: studio.moderation.policy(creator),
        lambda: studio.moderation.change_policy(creator, {"violence": "allow"}),
        lambda: studio.moderation.decide(creator, "0" * 32, True, ""),
        lambda: studio.moderation.audit_log(creator),
    ):
        with pytest.raises(Forbidden):
            call()


def test_the_audit_log_is_append_only(studio: Studio) -> None:
    with studio.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry))  # the admin's creation
    for statement in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), studio.db.transaction() as s:
            s.execute(text(statement))
    assert audit_rows(studio, "x") == []


def test_role_changes_are_audited_and_keep_an_admin(studio: Studio) -> None:
    admin = admin_of(studio)
    with studio.db.transaction() as s:
        user = accounts.create_user(s, "maker@example.com", "long enough pw", actor=admin.user_id)
        accounts.set_role(s, user, "admin", actor=admin.user_id)
    [entry] = audit_rows(studio, "user.role")
    assert (entry.actor_id, entry.details) == (admin.user_id, {"from": "creator", "to": "admin"})
    with studio.db.transaction() as s:
        only = accounts.find_user(s, "maker@example.com")
        assert only is not None
        accounts.set_role(s, only, "customer")
    with pytest.raises(AccountError, match="only admin"), studio.db.transaction() as s:
        last = accounts.find_user(s, ADMIN_EMAIL)
        assert last is not None
        accounts.set_role(s, last, "creator")


# -- the API ---------------------------------------------------------------------------


@pytest.fixture
def admin_headers(client: TestClient) -> dict[str, str]:
    return api_user(client, "boss@example.com", "admin")


def test_a_blocked_prompt_is_422_naming_the_field_and_writes_nothing(client: TestClient) -> None:
    headers = api_user(client, "maker@example.com")
    before = snapshot(client)
    problem = submit(
        client, headers, "test.echo", {"prompt": "a fox", "negative_prompt": BLOCKED}, expect=422
    )
    assert problem["errors"][0]["field"] == "params.negative_prompt"
    assert "doesn't make" in problem["detail"]
    assert snapshot(client) == before


LOOK_ALIKES = [
    "a girl walking to school",
    "shooting a photo",
    "killer whale",
    "a naked mole rat",
    "kill the process",
    "Van Gogh-inspired sunflowers",
]


def test_look_alikes_make_works_that_are_not_held(client: TestClient) -> None:
    headers = api_user(client, "maker@example.com")
    jobs = [submit(client, headers, "test.echo", {"prompt": p})["id"] for p in LOOK_ALIKES]
    for job_id in jobs:
        work_id = wait_job(client, headers, job_id)["work_ids"][0]
        assert client.get(f"/v1/works/{work_id}", headers=headers).json()["review_status"] is None


def test_review_through_the_api(client: TestClient, admin_headers: dict[str, str]) -> None:
    headers = api_user(client, "maker@example.com")
    job = submit(client, headers, "test.echo", {"prompt": FLAGGED, "style": "fancy"})
    job = wait_job(client, headers, job["id"])
    work_id = job["work_ids"][0]
    assert client.get(f"/v1/works/{work_id}", headers=headers).json()["review_status"] == (
        "in_review"
    )
    assert client.get(f"/v1/works/{work_id}/file", headers=headers).status_code == 403
    assert client.get(f"/v1/works/{work_id}/file", headers=admin_headers).status_code == 200

    [review] = client.get("/v1/admin/reviews", headers=admin_headers).json()["items"]
    assert review["work"]["id"] == work_id and review["owner"]["email"] == "maker@example.com"
    assert review["work"]["params"]["prompt"] == FLAGGED
    url = f"/v1/admin/reviews/{review['id']}"
    missing = client.post(f"{url}/reject", json={}, headers=admin_headers)
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "reason"
    done = client.post(f"{url}/reject", json={"reason": "gore"}, headers=admin_headers)
    assert done.status_code == 200 and done.json()["status"] == "rejected"
    assert client.post(f"{url}/approve", headers=admin_headers).status_code == 409
    assert client.get(f"/v1/works/{work_id}/file", headers=headers).status_code == 403
    log = client.get(f"/v1/admin/audit?subject=work:{work_id}", headers=admin_headers).json()[
        "items"
    ]
    assert [e["action"] for e in log] == ["moderation.reject", "moderation.hold"]
    assert log[0]["actor"]["email"] == "boss@example.com"


def test_policy_through_the_api(client: TestClient, admin_headers: dict[str, str]) -> None:
    headers = api_user(client, "maker@example.com")
    policy = client.get("/v1/admin/moderation/policy", headers=admin_headers).json()
    actions = {c["name"]: c["action"] for c in policy["categories"]}
    assert actions["minors"] == "block" and actions["violence"] == "flag"

    changed = client.put(
        "/v1/admin/moderation/policy",
        json={"actions": {"violence": "block"}},
        headers=admin_headers,
    )
    assert changed.status_code == 200
    problem = submit(client, headers, "test.echo", {"prompt": FLAGGED}, expect=422)
    assert problem["errors"][0]["field"] == "params.prompt"

    for bad, field in (
        ({"minors": "allow"}, "actions.minors"),
        ({"unreadable": "allow"}, "actions.unreadable"),  # unread text is never passed
        ({"nope": "flag"}, "actions.nope"),
    ):
        refused = client.put(
            "/v1/admin/moderation/policy", json={"actions": bad}, headers=admin_headers
        )
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == field
    client.put(
        "/v1/admin/moderation/policy",
        json={"actions": {"violence": "allow"}},
        headers=admin_headers,
    )
    job = wait_job(client, headers, submit(client, headers, "test.echo", {"prompt": FLAGGED})["id"])
    work = client.get(f"/v1/works/{job['work_ids'][0]}", headers=headers).json()
    assert work["review_status"] is None
    log = client.get("/v1/admin/audit?action=moderation.policy", headers=admin_headers).json()[
        "items"
    ]
    assert [e["details"] for e in log] == [
        {"from": "block", "to": "allow"},
        {"from": "flag", "to": "block"},
    ]


def test_an_admin_may_refuse_what_the_screen_cannot_read(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    headers = api_user(client, "maker@example.com")
    changed = client.put(
        "/v1/admin/moderation/policy",
        json={"actions": {"unreadable": "block"}},
        headers=admin_headers,
    )
    assert changed.status_code == 200
    problem = submit(client, headers, "test.echo", {"prompt": "кот сидит на окне"}, expect=422)
    assert problem["errors"][0]["field"] == "params.prompt"
    assert "Cyrillic script" in problem["detail"] and "English and Chinese" in problem["detail"]


def test_admin_endpoints_are_admin_only(client: TestClient) -> None:
    calls = [
        ("get", "/v1/admin/moderation/policy", None),
        ("put", "/v1/admin/moderation/policy", {"actions": {"violence": "allow"}}),
        ("get", "/v1/admin/reviews", None),
        ("post", f"/v1/admin/reviews/{'0' * 32}/approve", {}),
        ("post", f"/v1/admin/reviews/{'0' * 32}/reject", {"reason": "x"}),
        ("get", "/v1/admin/audit", None),
    ]
    for role in ("creator", "customer"):
        headers = api_user(client, f"{role}@example.com", role)
        for method, url, body in calls:
            response = client.request(method, url, json=body, headers=headers)
            assert response.status_code == 403, (role, url)
    for method, url, body in calls:
        assert client.request(method, url, json=body).status_code == 401


def test_sign_ins_and_keys_are_audited(client: TestClient, admin_headers: dict[str, str]) -> None:
    add_user(studio_of(client), "maker@example.com")
    csrf = sign_in(client, "maker@example.com")
    key = client.post("/v1/keys", json={"name": "laptop"}, headers=csrf).json()
    assert client.delete(f"/v1/keys/{key['id']}", headers=csrf).status_code == 204
    mine = client.get("/v1/admin/audit?actor=maker@example.com", headers=admin_headers).json()[
        "items"
    ]
    assert [(e["action"], e["subject"]) for e in mine] == [
        ("key.revoke", f"key:{key['id']}"),
        ("key.create", f"key:{key['id']}"),
        ("auth.sign_in", mine[-1]["subject"]),
    ]
    assert mine[1]["details"] == {
        "name": "laptop",
        "prefix": key["prefix"],
        "scopes": key["scopes"],
    }
    keys = client.get("/v1/admin/audit?action=key.", headers=admin_headers).json()["items"]
    assert {e["action"] for e in keys} == {"key.create", "key.revoke"}
    [signing] = client.get("/v1/admin/audit?action=keys.", headers=admin_headers).json()["items"]
    assert signing["action"] == "keys.created" and signing["actor"] is None  # provenance's
    later = client.get("/v1/admin/audit?since=2999-01-01T00:00:00Z", headers=admin_headers)
    assert later.json() == {"items": [], "next": None}
    first = client.get("/v1/admin/audit?limit=1", headers=admin_headers).json()
    paged = client.get(first["next"], headers=admin_headers).json()["items"]
    whole = client.get("/v1/admin/audit", headers=admin_headers).json()["items"]
    assert [first["items"][0]["id"], paged[0]["id"]] == [e["id"] for e in whole[:2]]


# -- the pages -------------------------------------------------------------------------


def test_admin_pages(client: TestClient) -> None:
    maker = api_user(client, "maker@example.com")
    job = wait_job(client, maker, submit(client, maker, "test.echo", {"prompt": FLAGGED})["id"])
    work_id = job["work_ids"][0]

    sign_in(client, "maker@example.com")
    assert client.get("/admin/reviews").status_code == 403
    works = client.get("/works").text
    assert "In review" in works and f"/v1/works/{work_id}/file" not in works
    client.cookies.clear()

    csrf = sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)["X-CSRF-Token"]
    page = client.get("/admin/reviews")
    assert page.status_code == 200
    assert FLAGGED in page.text and "maker@example.com" in page.text and "violence" in page.text
    review_id = studio_of(client).moderation.reviews(admin_of(studio_of(client)))[0][0].id
    refused = client.post(
        f"/admin/reviews/{review_id}", data={"csrf_token": csrf, "decision": "reject"}
    )
    assert refused.status_code == 422 and "why" in refused.text
    done = client.post(
        f"/admin/reviews/{review_id}",
        data={"csrf_token": csrf, "decision": "approve", "reason": "fine"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert client.get(f"/v1/works/{work_id}/file", headers=maker).status_code == 200
    saved = client.post(
        "/admin/policy",
        data={"csrf_token": csrf, "action-violence": "block"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert studio_of(client).safety.policy()["violence"] == "block"

    audit = client.get("/admin/audit?action=moderation.")
    assert audit.status_code == 200
    for action in ("moderation.approve", "moderation.hold", "moderation.policy"):
        assert action in audit.text
    assert "auth.sign_in" not in audit.text
