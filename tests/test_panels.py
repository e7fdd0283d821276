"""Expert panels, kept reports and feedback without a browser: the statistics against
hand calculations (and Krippendorff's alpha against the `krippendorff` package), the
panel's rules on SQLite and PostgreSQL (one vote per reviewer and item, expired and
revoked links, blind pictures), the API's shapes and refusals, and reports kept by the
command line."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

import tests.support.picture_engine  # noqa: F401 - registers test.picture (quick pictures)
from atelier.accounts.authz import Principal
from atelier.cli import main
from atelier.errors import Conflict, Forbidden, Invalid, NotFound
from atelier.evaluate import judgements
from atelier.evaluate.models import PanelReviewer, PanelVote, WorkFeedback
from atelier.settings import get_settings
from atelier.store.models import Work, utcnow
from atelier.studio import Studio
from atelier.studio.panels import ItemSpec, Panels, Seat
from atelier.studio.runner import Worker
from tests.support.accounts import add_user, sign_in
from tests.support.settings import make_settings

# -- the statistics, by hand ---------------------------------------------------------------


def test_krippendorff_alpha_matches_a_hand_calculation() -> None:
    # Nominal: units [a a a], [a b], [b b b]. Coincidences o_aa = 3 (three raters: six
    # ordered pairs at 1/2), o_ab = o_ba = 1, o_bb = 3; n_a = n_b = 4, n = 8.
    # D_o = 2/8; D_e = 2·4·4 / (8·7) = 4/7; alpha = 1 − (1/4)/(4/7) = 9/16.
    nominal = [["a", "a", "a"], ["a", "b"], ["b", "b", "b"]]
    assert judgements.krippendorff_alpha(nominal, "nominal") == pytest.approx(9 / 16)
    # Ordinal: units [1 2], [3 3], [2 3]; n_1 = 1, n_2 = 2, n_3 = 3, n = 6.
    # δ²(1,2) = (1/2 + 2/2)² = 2.25, δ²(2,3) = (2/2 + 3/2)² = 6.25, δ²(1,3) = (1/2 + 2 + 3/2)² = 16.
    # D_o = (2·2.25 + 2·6.25)/6 = 17/6; D_e = 2(1·2·2.25 + 2·3·6.25 + 1·3·16)/(6·5) = 6.
    # alpha = 1 − (17/6)/6 = 19/36.
    ordinal = [[1, 2], [3, 3], [2, 3]]
    assert judgements.krippendorff_alpha(ordinal, "ordinal") == pytest.approx(19 / 36)
    # Undefined without disagreement to expect, or without pairable values.
    assert judgements.krippendorff_alpha([[4, 4], [4, 4, 4]], "ordinal") is None
    assert judgements.krippendorff_alpha([[1], [2]], "nominal") is None


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
def test_krippendorff_alpha_agrees_with_the_krippendorff_package(level: str) -> None:
    rng = np.random.default_rng(7)
    for _ in range(20):
        data = rng.integers(1, 6, (4, 9)).astype(float)  # raters × units, 1–5
        data[rng.random(data.shape) < 0.25] = np.nan
        units = [[int(v) for v in data[:, u] if not np.isnan(v)] for u in range(data.shape[1])]
        ours = judgements.krippendorff_alpha(units, level)
        theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
        assert ours == pytest.approx(theirs, abs=1e-9)


def test_bradley_terry_matches_a_hand_calculation() -> None:
    # Two models, A wins 7 of 10: with half a win added each way, A's strength is
    # (7 + 0.5) / (10 + 1).
    outcomes = [("A", "B")] * 7 + [("B", "A")] * 3
    fitted = judgements.bradley_terry(["A", "B"], outcomes, resamples=200)
    assert fitted["A"]["strength"] == pytest.approx(7.5 / 11, abs=1e-9)
    assert fitted["B"]["strength"] == pytest.approx(3.5 / 11, abs=1e-9)
    assert fitted["A"]["score"] == pytest.approx(-fitted["B"]["score"])
    assert fitted["A"]["score"] == pytest.approx(0.5 * np.log(7.5 / 3.5))
    low, high = fitted["A"]["ci"]
    assert low < 7.5 / 11 < high
    # Three models, unregularised: the fit satisfies the likelihood equations
    # W_i = Σ_j n_ij p_i / (p_i + p_j) that define the maximum.
    labels = ["A", "B", "C"]
    games = [("A", "B")] * 3 + [("B", "A")] + [("B", "C")] * 2 + [("C", "B")] + [("C", "A")]
    games += [("A", "C")] * 2
    wins = judgements.win_matrix(labels, games)
    p = judgements.fit_bradley_terry(wins, prior=0.0)
    n = wins + wins.T
    for i in range(3):
        expected = sum(n[i, j] * p[i] / (p[i] + p[j]) for j in range(3) if j != i)
        assert wins[i].sum() == pytest.approx(expected, abs=1e-9)
    assert p.sum() == pytest.approx(1.0) and p[0] > p[1] > p[2]
    # A clean sweep still has finite strengths.
    swept = judgements.bradley_terry(["A", "B"], [("A", "B")] * 4, resamples=50)
    assert swept["A"]["strength"] == pytest.approx(4.5 / 5)


def test_wilson_interval_and_mean_interval() -> None:
    low, high = judgements.wilson(5, 9)
    # p = 5/9, z = 1.96: centre (p + z²/18)/(1 + z²/9), half-width z√(p(1−p)/9 + z²/324)/(1 + z²/9)
    z = judgements.Z
    centre = (5 / 9 + z * z / 18) / (1 + z * z / 9)
    half = z * np.sqrt(5 / 9 * 4 / 9 / 9 + z * z / 324) / (1 + z * z / 9)
    assert (low, high) == (pytest.approx(centre - half), pytest.approx(centre + half))
    found = judgements.mean_interval([[4, 5], [2], [3, 3, 3]], seed=3)
    assert found["mean"] == pytest.approx(20 / 6) and found["n"] == 6
    assert found["ci"][0] <= found["mean"] <= found["ci"][1]
    assert judgements.mean_interval([[4, 5], [2], [3, 3, 3]], seed=3) == found  # seeded


# -- the panel's rules -----------------------------------------------------------------


def make_pictures(studio: Studio, who: Principal, count: int) -> list[Work]:
    works = []
    for seed in range(1, count + 1):
        job, _ = studio.jobs.submit(who, "test.picture", {"width": 64, "height": 48}, seed=seed)
        assert Worker(studio).run_one()
        works.append(studio.jobs.get(who, job.id).works[0])
    return works


@pytest.fixture
def db_studio(tmp_path: Path, db_url: str) -> Iterator[Studio]:
    studio = Studio(make_settings(tmp_path, db_url))
    studio.prepare()
    yield studio
    studio.close()


def choose(panels: Panels, seat: Seat, number: int, model: str) -> None:
    """Vote for `model` on the reviewer's item `number`, by the place it is shown in."""
    item = seat.order[number]
    shown_left = item.b_label if seat.swapped[number] else item.a_label
    panels.vote(seat, number, {"c1": "left" if shown_left == model else "right"})


def test_a_panel_counts_one_vote_per_reviewer_and_item(db_studio: Studio) -> None:
    studio = db_studio
    owner = add_user(studio, "owner@example.com")
    works = make_pictures(studio, owner, 4)
    items = [
        ItemSpec(works[0].id, works[1].id, "fast", "photo"),
        ItemSpec(works[2].id, works[3].id, "fast", "photo"),
    ]
    panel = studio.panels.create(owner, "fast or photo", "ab", items)
    assert [c["title"] for c in panel.criteria] == ["Which is better overall?"]
    assert [i.brief for i in panel.items] == ["", ""]

    links = [studio.panels.invite(owner, panel.id, f"R{n}")[1] for n in range(3)]
    seats = [studio.panels.seat_by_token(t) for t in links]
    again = studio.panels.seat_by_token(links[0])  # the same link opened again
    assert [i.id for i in again.order] == [i.id for i in seats[0].order]
    assert again.swapped == seats[0].swapped

    plan = [("fast", "fast"), ("photo", "fast"), ("photo", "photo")]  # per reviewer, by item
    for seat, wants in zip(seats, plan, strict=True):
        for number, item in enumerate(seat.order):
            choose(studio.panels, seat, number, wants[item.position])
    with pytest.raises(Conflict, match="already judged"):
        choose(studio.panels, again, 0, "fast")
    with studio.db.transaction() as s:  # the constraint itself, under the service
        vote = s.scalars(select(PanelVote)).first()
        assert vote is not None
        duplicate = PanelVote(
            panel_id=vote.panel_id, item_id=vote.item_id, reviewer_id=vote.reviewer_id, answers={}
        )
    with pytest.raises(IntegrityError), studio.db.transaction() as s:
        s.add(duplicate)
    assert studio.panels.showing(seats[0]).item is None

    results = studio.panels.results(owner, panel.id)
    assert (results["votes"], results["reviewers"], results["items"]) == (6, 3, 2)
    (criterion,) = results["criteria"]
    # fast won 2 + 1 + 0 = 3 of 6; half a win each way: strength (3 + 0.5) / (6 + 1).
    assert criterion["labels"]["fast"]["wins"] == 3
    assert criterion["bradley_terry"]["fast"]["strength"] == pytest.approx(0.5)
    # Sides chosen: item 1 [a, b, b], item 2 [a, a, b]: o_ab = o_ba = 2·(2·1/2) = 2,
    # o_aa = o_bb = 1; n_a = n_b = 3; alpha = 1 − (4/6)/(2·9/30) = −1/9.
    assert criterion["alpha"] == pytest.approx(-1 / 9)
    table = studio.panels.csv(owner, panel.id).splitlines()
    assert table[0].startswith("item,brief,model_a,model_b,reviewer,criterion,answer")
    assert len(table) == 7 and sum(",fast,photo,R0," in row for row in table) == 2


def test_links_expire_and_are_revoked(db_studio: Studio) -> None:
    studio = db_studio
    owner = add_user(studio, "owner@example.com")
    (work,) = make_pictures(studio, owner, 1)
    panel = studio.panels.create(owner, "rate it", "rate", [ItemSpec(work.id)])
    reviewer, token = studio.panels.invite(owner, panel.id, "late", days=1)
    seat = studio.panels.seat_by_token(token)
    with studio.db.transaction() as s:
        s.execute(
            update(PanelReviewer)
            .where(PanelReviewer.id == reviewer.id)
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    with pytest.raises(Forbidden, match="expired"):
        studio.panels.seat_by_token(token)
    with pytest.raises(Forbidden, match="expired"):  # a page shown before it expired
        studio.panels.vote(seat, 0, {"c1": "4", "c2": "4", "c3": "4"})

    other, token = studio.panels.invite(owner, panel.id, "revoked")
    seat = studio.panels.seat_by_token(token)
    stranger = add_user(studio, "stranger@example.com")
    with pytest.raises(NotFound):
        studio.panels.revoke(stranger, panel.id, other.id)
    studio.panels.revoke(owner, panel.id, other.id)
    with pytest.raises(Forbidden, match="revoked"):
        studio.panels.seat_by_token(token)
    with pytest.raises(Forbidden, match="revoked"):
        studio.panels.vote(seat, 0, {"c1": "4", "c2": "4", "c3": "4"})
    with pytest.raises(NotFound):
        studio.panels.seat_by_token("not-a-link")
    with studio.db.transaction() as s:
        assert s.scalars(select(PanelVote)).all() == []


def preview_pixels(studio: Studio, work: Work) -> np.ndarray:
    """The pixels of the preview visitors get of a picture (its marked thumbnail)."""
    thumbnail = next(f for f in work.files if f.role == "thumbnail")
    return np.asarray(
        Image.open(io.BytesIO(studio.artifacts.read(thumbnail.sha256))).convert("RGB")
    )


def test_panel_pictures_are_blind_copies(studio: Studio) -> None:
    owner = add_user(studio, "owner@example.com")
    works = make_pictures(studio, owner, 2)
    panel = studio.panels.create(
        owner, "t", "ab", [ItemSpec(works[0].id, works[1].id, "one", "two")]
    )
    _, token = studio.panels.invite(owner, panel.id, "r")
    seat = studio.panels.seat_by_token(token)
    left = studio.panels.picture(seat, 0, "left")[1].read_bytes()
    right = studio.panels.picture(seat, 0, "right")[1].read_bytes()
    originals = [studio.artifacts.read(w.sha256) for w in works]
    assert b"c2pa" in originals[0] and b"c2pa" not in left + right  # the manifest is gone
    shown = {
        side: np.asarray(Image.open(io.BytesIO(data))) for side, data in (("l", left), ("r", right))
    }
    pixels = [preview_pixels(studio, w) for w in works]
    expected = pixels[::-1] if seat.swapped[0] else pixels
    assert np.array_equal(shown["l"], expected[0]) and np.array_equal(shown["r"], expected[1])


def test_who_may_make_panels_and_seat_reviewers(studio: Studio) -> None:
    owner = add_user(studio, "owner@example.com")
    reviewer = add_user(studio, "judge@example.com", role="reviewer")
    (mine,) = make_pictures(studio, owner, 1)
    (theirs,) = make_pictures(studio, add_user(studio, "other@example.com"), 1)
    with pytest.raises(Forbidden, match="reviews them"):
        studio.panels.create(reviewer, "t", "rate", [ItemSpec(mine.id)])
    with pytest.raises(NotFound):  # another's work, to a non-admin
        studio.panels.create(owner, "t", "rate", [ItemSpec(theirs.id)])
    with pytest.raises(Invalid, match="two works"):
        studio.panels.create(owner, "t", "ab", [ItemSpec(mine.id)])
    with pytest.raises(Invalid, match="both sides are"):
        studio.panels.create(owner, "t", "ab", [ItemSpec(mine.id, mine.id)])
    panel = studio.panels.create(owner, "t", "rate", [ItemSpec(mine.id)], ["Craft"])
    with pytest.raises(Invalid, match="reviewer role"):
        studio.panels.add_reviewer(owner, panel.id, "other@example.com")
    studio.panels.add_reviewer(owner, panel.id, "judge@example.com")
    with pytest.raises(Conflict):
        studio.panels.add_reviewer(owner, panel.id, "judge@example.com")
    seat = studio.panels.seat_for(reviewer, panel.id)
    with pytest.raises(Invalid, match="from 1 to 5"):
        studio.panels.vote(seat, 0, {"c1": "6"})
    studio.panels.vote(seat, 0, {"c1": "4"})
    assert [p.id for p, votes in studio.panels.assigned(reviewer)] == [panel.id]
    studio.panels.close(owner, panel.id)
    results = studio.panels.results(owner, panel.id)
    label = "test.picture"
    assert results["criteria"][0]["labels"][label]["mean"] == 4.0


# -- the API ---------------------------------------------------------------------------


@pytest.fixture
def api(tmp_path: Path) -> Iterator[TestClient]:
    from atelier.web.app import create_app

    with TestClient(create_app(make_settings(tmp_path, workers=0))) as client:
        yield client


def test_panels_and_feedback_through_the_api(api: TestClient) -> None:
    studio: Studio = api.app.state.studio  # type: ignore[attr-defined]
    owner = add_user(studio, "owner@example.com")
    works = make_pictures(studio, owner, 2)
    headers = sign_in(api, "owner@example.com")
    bad = api.post("/v1/panels", json={"title": "t", "kind": "ab", "items": []}, headers=headers)
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert "1 to 200 items" in bad.json()["detail"]
    body = {
        "title": "which is nicer",
        "kind": "ab",
        "items": [{"a": works[0].id, "b": works[1].id, "a_label": "x", "b_label": "y"}],
    }
    made = api.post("/v1/panels", json=body, headers=headers)
    assert made.status_code == 201, made.text
    panel_id = made.json()["id"]
    invited = api.post(f"/v1/panels/{panel_id}/invitations", json={"days": 2}, headers=headers)
    assert invited.status_code == 201
    link = invited.json()["link"]
    assert "/review/" in link and invited.json()["reviewer"]["state"] == "active"
    seat = studio.panels.seat_by_token(link.rsplit("/", 1)[1])
    choose(studio.panels, seat, 0, "y")
    results = api.get(f"/v1/panels/{panel_id}/results", headers=headers).json()
    assert results["criteria"][0]["labels"]["y"]["wins"] == 1
    assert results["criteria"][0]["bradley_terry"]["y"]["strength"] == pytest.approx(1.5 / 2)
    csv = api.get(f"/v1/panels/{panel_id}/results.csv", headers=headers)
    assert csv.headers["content-type"].startswith("text/csv") and ",x,y," in csv.text
    reviewers = api.get(f"/v1/panels/{panel_id}/reviewers", headers=headers).json()["items"]
    assert [(r["votes"], r["account"]) for r in reviewers] == [(1, False)]
    stranger = sign_in(api, add_user(studio, "s@example.com").email)
    assert api.get(f"/v1/panels/{panel_id}", headers=stranger).status_code == 404

    # Feedback: one vote per user and work, changed in place.
    api.cookies.clear()
    headers = sign_in(api, "owner@example.com")
    url = f"/v1/works/{works[0].id}/feedback"
    assert api.put(url, json={"vote": "up", "note": "lovely"}, headers=headers).json()["up"] == 1
    changed = api.put(url, json={"vote": "down"}, headers=headers).json()
    assert (changed["up"], changed["down"], changed["mine"]["vote"]) == (0, 1, "down")
    assert api.put(url, json={"vote": "meh"}, headers=headers).status_code == 422
    with studio.db.transaction() as s:
        rows = s.scalars(select(WorkFeedback)).all()
        assert [(r.vote, r.note, r.engine) for r in rows] == [(-1, "", "test.picture")]
    assert api.get("/v1/admin/feedback", headers=headers).status_code == 403


def test_comparisons_are_for_admins(api: TestClient) -> None:
    studio: Studio = api.app.state.studio  # type: ignore[attr-defined]
    creator = add_user(studio, "maker@example.com")
    with pytest.raises(Forbidden, match="only admins"):
        studio.jobs.submit(creator, "eval.compare", {})
    headers = sign_in(api, "maker@example.com")
    side = {"engine": "image.restore", "label": "A"}
    refused = api.post(
        "/v1/admin/evaluation/comparisons", json={"a": side, "b": side}, headers=headers
    )
    assert refused.status_code == 403
    api.cookies.clear()
    admin = sign_in(api, "admin@localhost", "admin password 1")
    same = api.post("/v1/admin/evaluation/comparisons", json={"a": side, "b": side}, headers=admin)
    assert same.status_code == 422 and "different labels" in same.json()["detail"]
    far = {"engine": "image.restore", "label": "B", "params": {}}
    items = [{"photo": "/etc/passwd"}]
    path = api.post(
        "/v1/admin/evaluation/comparisons",
        json={"a": side, "b": far, "items": items},
        headers=admin,
    )
    assert path.status_code == 422 and "sample photo" in path.json()["detail"]
    started = api.post(
        "/v1/admin/evaluation/comparisons",
        json={"a": side, "b": far, "items": [{"photo": "coffee", "damage": "noise", "size": 48}]},
        headers=admin,
    )
    assert started.status_code == 201, started.text
    assert (started.json()["status"], started.json()["files"]) == ("queued", None)


# -- reports kept by the command line ------------------------------------------------------


def test_the_command_line_keeps_its_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATELIER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ATELIER_ENGINE_THREADS", "1")
    monkeypatch.setenv("ATELIER_ADMIN_PASSWORD", "admin password 1")
    get_settings.cache_clear()
    try:
        items = tmp_path / "items.json"
        items.write_text(json.dumps([{"photo": "coffee", "damage": "noise", "size": 48}]))
        a = '{"engine": "image.restore", "params": {"steps": ["denoise"]}, "label": "denoise"}'
        result = CliRunner().invoke(
            main,
            [
                "eval",
                "compare",
                a,
                "image.restore",
                "--items",
                str(items),
                "--out",
                str(tmp_path / "r"),
            ],
        )
        assert result.exit_code == 0, result.output
        studio = Studio(get_settings())
        admin = studio.accounts.local("admin@localhost")
        assert admin is not None
        (kept,) = studio.evaluation.reports(admin)
        assert (kept.report.title, kept.by, kept.status) == (
            "image.restore: denoise against B",
            None,
            "succeeded",
        )
        report = json.loads((tmp_path / "r" / "report.json").read_text())
        assert kept.report.summary["psnr"]["a"] == report["metrics"]["psnr"]["a"]["mean"]
        mime, page = studio.evaluation.report_file(admin, kept.report.id, "index.html")
        assert mime == "text/html" and b'href="report.css"' in page and b"<style" not in page
        svg = studio.evaluation.trend(admin, "psnr")
        assert svg.startswith(b"<?xml") and b"image.restore \xc2\xb7 denoise" in svg
        studio.close()
    finally:
        get_settings.cache_clear()


def test_reviewers_get_the_previews_and_never_the_originals(api: TestClient) -> None:
    """A reviewer by link (no account) and one by account (the reviewer role) fetch the
    panel's picture: the work's preview (384 px, what visitors get), not its 800 × 600
    original; the originals themselves answer them 403 or 404."""
    studio: Studio = api.app.state.studio  # type: ignore[attr-defined]
    owner = add_user(studio, "owner@example.com")
    job, _ = studio.jobs.submit(owner, "test.picture", {"width": 800, "height": 600}, seed=1)
    assert Worker(studio).run_one()
    work = studio.jobs.get(owner, job.id).works[0]
    panel = studio.panels.create(owner, "rate it", "rate", [ItemSpec(work.id)])
    _, token = studio.panels.invite(owner, panel.id, "by link")
    add_user(studio, "rater@example.com", role="reviewer")
    studio.panels.add_reviewer(owner, panel.id, "rater@example.com")
    originals = [f.name for f in work.files if f.role in ("primary", "rendition", "manifest")]
    assert originals

    by_link = api.get(f"/review/{token}/pictures/0/only")
    assert by_link.status_code == 200
    shown = np.asarray(Image.open(io.BytesIO(by_link.content)).convert("RGB"))
    assert shown.shape == (288, 384, 3)  # not the original's 600 × 800
    assert np.array_equal(shown, preview_pixels(studio, work))
    for name in originals:
        assert api.get(f"/v1/works/{work.id}/files/{name}").status_code in (403, 404)

    headers = sign_in(api, "rater@example.com")
    by_account = api.get(f"/review/panels/{panel.id}/pictures/0/only", headers=headers)
    assert by_account.status_code == 200 and by_account.content == by_link.content
    for name in originals:
        got = api.get(f"/v1/works/{work.id}/files/{name}", headers=headers)
        assert got.status_code in (403, 404), (name, got.status_code)
    assert api.get(f"/v1/works/{work.id}/file", headers=headers).status_code in (403, 404)
