"""Expert panels, feedback and evaluation reports in a real browser (Debian Chromium via
Playwright, at desktop and phone sizes), against the real server of tests/test_pages.py:
three reviewers vote through invitation links (clicks, taps and keys), one opens their
link twice and cannot vote twice, revoked and expired links are refused, the reviewer's
page names no model, a work is rated and re-rated, and an admin starts a comparison whose
report opens with its plots, under the pages' Content-Security-Policy."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import func, select, update

import tests.support.picture_engine  # noqa: F401 - registers test.picture (quick pictures)
from atelier.accounts.authz import Principal
from atelier.evaluate.models import PanelReviewer, PanelVote, WorkFeedback
from atelier.store.models import Work, utcnow
from atelier.studio import Studio
from atelier.studio.panels import ItemSpec
from tests.support.accounts import PASSWORD, add_user, form_sign_in
from tests.support.pages import EMAIL, WAIT_MS, Server
from tests.support.servers import wait_until

pytestmark = pytest.mark.integration

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
# Records every violation the page's policy reports, before any of the page's scripts run.
WATCH = """
window.violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.violations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""
LABELS = ("model-ALPHA-7", "model-BETA-9")  # never to appear on a reviewer's page


def pictures(studio: Studio, who: Principal, count: int) -> list[Work]:
    """Works made by the server's own worker (test.picture: a quick smooth picture)."""
    works = []
    for _ in range(count):
        job, _ = studio.jobs.submit(who, "test.picture", {"width": 96, "height": 64})
        done = wait_until(
            lambda job_id=job.id: (
                studio.jobs.get(who, job_id).status == "succeeded" and studio.jobs.get(who, job_id)
            ),
            WAIT_MS / 1000,
            what="a picture",
        )
        works.append(done.works[0])
    return works


def tab(browser: Browser, server: Server, email: str | None = None, **options: object) -> Page:
    context: BrowserContext = browser.new_context(base_url=server.url, **options)  # type: ignore[arg-type]
    context.set_default_timeout(WAIT_MS)
    context.add_init_script(WATCH)
    if email:
        form_sign_in(context.request, email, PASSWORD)
    return context.new_page()


def violations(page: Page) -> list[str]:
    return page.evaluate("() => window.violations")  # type: ignore[no-any-return]


def loaded(page: Page, selector: str) -> list[int]:
    """The natural widths of the pictures `selector` finds, once each has loaded."""
    widths = []
    for handle in page.locator(selector).element_handles():
        handle.scroll_into_view_if_needed()
        page.wait_for_function("(el) => el.complete", arg=handle)
        widths.append(int(handle.evaluate("(el) => el.naturalWidth")))
    return widths


@pytest.fixture
def ab_panel(server: Server) -> Iterator[tuple[str, list[Work]]]:
    """An A/B panel of three pairs, ALPHA against BETA, made by the server's creator."""
    works = pictures(server.studio, server.who, 6)
    items = [ItemSpec(works[i].id, works[i + 1].id, *LABELS) for i in (0, 2, 4)]
    panel = server.studio.panels.create(server.who, "Secret title ALPHA vs BETA", "ab", items)
    yield panel.id, works


def place_of(server: Server, token: str, number: int, label: str) -> str:
    """Where the reviewer's item `number` shows `label`'s picture: left or right."""
    seat = server.studio.panels.seat_by_token(token)
    item = seat.order[number]
    left = item.b_label if seat.swapped[number] else item.a_label
    return "left" if left == label else "right"


def shown_number(page: Page) -> int:
    return int(page.locator("input[name=number]").get_attribute("value") or -1)


def test_three_reviewers_vote_through_invitation_links(
    browser: Browser, server: Server, ab_panel: tuple[str, list[Work]]
) -> None:
    studio = server.studio
    panel_id, _ = ab_panel
    tokens = [studio.panels.invite(server.who, panel_id, f"reviewer {n}")[1] for n in (1, 2, 3)]
    # What each reviewer prefers, by item: ALPHA wins 3 + 2 + 0 = 5 of 9.
    plan = [
        (LABELS[0], LABELS[1], LABELS[1]),
        (LABELS[0], LABELS[0], LABELS[1]),
        (LABELS[0], LABELS[0], LABELS[1]),
    ]
    pages = [tab(browser, server), tab(browser, server, **PHONE), tab(browser, server)]
    second = tab(browser, server)  # reviewer 1 opens the same link again, in another tab
    try:
        for reviewer, (page, token) in enumerate(zip(pages, tokens, strict=True)):
            page.goto(f"/review/{token}")
            if reviewer == 0:
                second.goto(f"/review/{token}")
                assert shown_number(second) == shown_number(page) == 0
            for step in range(3):
                expect(page.locator("#review-progress")).to_have_text(f"Item {step + 1} of 3")
                number = shown_number(page)
                seat = studio.panels.seat_by_token(token)
                item = seat.order[number]
                wanted = plan[reviewer][item.position]
                place = place_of(server, token, number, wanted)
                # The picture on each side is the blind copy of that side's work.
                left_sha = item.b_sha256 if seat.swapped[number] else item.a_sha256
                left = page.request.get(f"/review/{token}/pictures/{number}/left").body()
                assert left == studio.artifacts.read(str(left_sha))
                assert loaded(page, ".judge img") and min(loaded(page, ".judge img")) > 0
                if reviewer == 0:  # the mouse
                    page.get_by_text("A (left)" if place == "left" else "B (right)").click()
                    page.get_by_role("button", name="Send and go on").click()
                elif reviewer == 1:  # a phone: taps
                    page.get_by_text("A (left)" if place == "left" else "B (right)").tap()
                    page.get_by_role("button", name="Send and go on").tap()
                else:  # the keyboard: A or ← for the left, B or → for the right, Enter
                    keys = {"left": ("a", "ArrowLeft", "A"), "right": ("b", "ArrowRight", "B")}
                    page.keyboard.press(keys[place][step])
                    page.keyboard.press("Enter")
                page.wait_for_load_state()
            expect(page.locator("#review-done")).to_have_text("All 3 items judged. Thank you!")
            assert violations(page) == []

        # The second tab still shows item 1, already judged: its vote is refused.
        second.get_by_text("A (left)").click()
        second.get_by_role("button", name="Send and go on").click()
        expect(second.locator("#review-notice")).to_have_text("you have already judged this item.")
        expect(second.locator("#review-done")).to_be_visible()  # nothing left to judge
        with studio.db.transaction() as s:
            per_reviewer = dict(
                s.execute(
                    select(PanelReviewer.name, func.count(PanelVote.id))
                    .join(PanelVote, PanelVote.reviewer_id == PanelReviewer.id)
                    .where(PanelReviewer.panel_id == panel_id)
                    .group_by(PanelReviewer.name)
                ).all()
            )
        assert per_reviewer == {"reviewer 1": 3, "reviewer 2": 3, "reviewer 3": 3}

        # By hand: ALPHA (side A of every item) won 5 of 9; with half a win each way its
        # Bradley–Terry strength is (5 + 0.5) / (9 + 1) = 0.55. Sides chosen per item:
        # [a a a], [b a a], [b b b]: o_aa = 4, o_ab = o_ba = 1, o_bb = 3, n_a = 5, n_b = 4,
        # D_o = 2/9, D_e = 2·5·4/(9·8) = 5/9, alpha = 1 − (2/9)/(5/9) = 0.6.
        results = studio.panels.results(server.who, panel_id)
        (criterion,) = results["criteria"]
        alpha, beta = (criterion["labels"][label] for label in LABELS)
        assert (alpha["wins"], alpha["comparisons"], beta["wins"]) == (5, 9, 4)
        assert criterion["bradley_terry"][LABELS[0]]["strength"] == pytest.approx(0.55)
        assert criterion["bradley_terry"][LABELS[1]]["strength"] == pytest.approx(0.45)
        assert criterion["alpha"] == pytest.approx(0.6)

        owner = tab(browser, server, EMAIL)
        owner.goto(f"/panels/{panel_id}")
        row = owner.locator(f'tr[data-label="{LABELS[0]}"]')
        expect(row.locator(".bt")).to_contain_text("0.550")
        expect(owner.locator(".alpha")).to_have_text("0.600")
        download = owner.request.get(f"/panels/{panel_id}/results.csv")
        rows = list(csv.DictReader(io.StringIO(download.text())))
        assert len(rows) == 9 and {r["reviewer"] for r in rows} == {
            "reviewer 1",
            "reviewer 2",
            "reviewer 3",
        }
        assert sum(r["chosen_model"] == LABELS[0] for r in rows) == 5
        assert violations(owner) == []
        owner.context.close()
    finally:
        for page in [*pages, second]:
            page.context.close()


def test_revoked_and_expired_links_are_refused(
    browser: Browser, server: Server, ab_panel: tuple[str, list[Work]]
) -> None:
    studio = server.studio
    panel_id, _ = ab_panel
    revoked, revoked_token = studio.panels.invite(server.who, panel_id, "to revoke")
    late, late_token = studio.panels.invite(server.who, panel_id, "too late", days=1)
    reviewer = tab(browser, server, **PHONE)
    owner = tab(browser, server, EMAIL)
    try:
        reviewer.goto(f"/review/{revoked_token}")
        expect(reviewer.locator("#review-progress")).to_be_visible()  # the form, open
        owner.goto(f"/panels/{panel_id}")
        owner.locator(f'tr[data-reviewer="{revoked.id}"]').get_by_role(
            "button", name="Revoke"
        ).click()
        expect(owner.locator(f'tr[data-reviewer="{revoked.id}"] .state')).to_have_text("revoked")
        # The page opened before the revocation cannot vote any more, nor open again.
        reviewer.get_by_text("A (left)").tap()
        reviewer.get_by_role("button", name="Send and go on").tap()
        expect(reviewer.locator("#refused")).to_contain_text("revoked")
        response = reviewer.goto(f"/review/{revoked_token}")
        assert response is not None and response.status == 403
        expect(reviewer.get_by_role("heading")).to_have_text("This review link does not work")

        with studio.db.transaction() as s:
            s.execute(
                update(PanelReviewer)
                .where(PanelReviewer.id == late.id)
                .values(expires_at=utcnow() - timedelta(seconds=1))
            )
        response = reviewer.goto(f"/review/{late_token}")
        assert response is not None and response.status == 403
        expect(reviewer.locator("#refused")).to_contain_text("expired on")
        picture = reviewer.request.get(f"/review/{late_token}/pictures/0/left")
        assert picture.status == 403
        with studio.db.transaction() as s:
            votes = s.scalar(select(func.count()).where(PanelVote.panel_id == panel_id))
        assert votes == 0
    finally:
        reviewer.context.close()
        owner.context.close()


def test_the_reviewer_page_reveals_no_model_name(
    browser: Browser, server: Server, ab_panel: tuple[str, list[Work]]
) -> None:
    studio = server.studio
    panel_id, works = ab_panel
    _, token = studio.panels.invite(server.who, panel_id, "curious")
    page = tab(browser, server)
    try:
        response = page.goto(f"/review/{token}")
        assert response is not None and response.status == 200
        html = response.text() + page.content()
        secrets = [*LABELS, "ALPHA", "BETA", "Secret title", "test.picture", "picture.png"]
        secrets += [w.id for w in works] + [w.sha256 for w in works]
        assert [s for s in secrets if s in html] == []
        for place in ("left", "right"):
            picture = page.request.get(f"/review/{token}/pictures/0/{place}")
            assert picture.headers["content-type"] == "image/png"
            body = picture.body()
            assert [s for s in secrets if s.encode() in body] == []
            assert b"c2pa" not in body and b"tEXt" not in body and b"iTXt" not in body
        assert response.headers["referrer-policy"] == "no-referrer"
    finally:
        page.context.close()


def test_rate_and_rerate_a_work_on_its_page(browser: Browser, server: Server) -> None:
    studio = server.studio
    (work,) = pictures(studio, server.who, 1)
    page = tab(browser, server, EMAIL, **PHONE)
    try:
        page.goto(f"/works/{work.id}")
        page.get_by_label("A note (optional)").fill("crisp and warm")
        page.get_by_role("button", name="👍 Good").tap()
        expect(page.locator("#feedback-up")).to_have_text("1")
        expect(page.locator("#feedback-mine")).to_contain_text("Your vote: good")
        expect(page.get_by_label("A note (optional)")).to_have_value("crisp and warm")
        page.get_by_label("A note (optional)").fill("")
        page.get_by_role("button", name="👎 Not good").tap()
        expect(page.locator("#feedback-down")).to_have_text("1")
        expect(page.locator("#feedback-up")).to_have_text("0")
        with studio.db.transaction() as s:
            rows = s.scalars(select(WorkFeedback).where(WorkFeedback.work_id == work.id)).all()
            assert [(r.vote, r.note) for r in rows] == [(-1, "")]
        assert violations(page) == []
    finally:
        page.context.close()


def test_an_admin_compares_two_settings_and_reads_the_report(
    browser: Browser, server: Server
) -> None:
    studio = server.studio
    add_user(studio, "boss@example.com", role="admin")
    page = tab(browser, server, "boss@example.com")
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "Refused to" in m.text else None)
    try:
        page.goto("/admin/evaluation")
        page.get_by_label("Engine to compare").select_option("image.upscale")
        page.get_by_label("A: label").fill("fast ×2")
        page.get_by_label("A: parameters (JSON)").fill('{"model": "fast", "scale": 2}')
        page.get_by_label("B: label").fill("fast ×3")
        page.get_by_label("B: parameters (JSON)").fill('{"model": "fast", "scale": 3}')
        page.get_by_label("Items (JSON, optional)").fill('[{"photo": "coffee", "size": 64}]')
        # The first submit in a server loads the prompt screen's models (the labels are
        # screened like any prompt): on a busy machine that takes longer than a click.
        page.get_by_role("button", name="Start the comparison").click(no_wait_after=True)
        expect(page).to_have_url(re.compile(r"/admin/evaluation/reports/\w+$"), timeout=180_000)
        report_url = page.url

        def finished() -> bool:
            page.goto(report_url)
            return page.locator("#summary").count() > 0

        wait_until(finished, 120, interval=0.5, what="the comparison to finish")
        expect(page.locator('tr[data-metric="psnr"]')).to_be_visible()
        assert min(loaded(page, ".report-plots img")) > 0
        page.locator("#full-report").click()
        expect(page).to_have_url(re.compile(r"/files/index\.html$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text("fast ×2 against fast ×3")
        widths = loaded(page, "img")
        assert len(widths) >= 5 and min(widths) > 0  # the plots and the pair's pictures
        assert page.evaluate("getComputedStyle(document.body).maxWidth") == "1152px"  # report.css
        assert violations(page) == []

        page.goto(report_url)
        page.get_by_label("Kind").select_option("ab")
        page.get_by_role("button", name="Make a panel of these pictures").click()
        expect(page).to_have_url(re.compile(r"/panels/\w+$"))
        page.get_by_role("button", name="Make an invitation link").click()
        link = page.locator("#invitation-link").get_attribute("href") or ""
        reviewer = tab(browser, server)
        assert link.startswith(server.studio.settings.resolved_public_url + "/review/")
        reviewer.goto("/review/" + link.rsplit("/", 1)[1])  # the studio here has its own port
        reviewer.keyboard.press("ArrowLeft")
        reviewer.keyboard.press("Enter")
        expect(reviewer.locator("#review-done")).to_be_visible()
        assert violations(reviewer) == []
        reviewer.context.close()
        page.goto(report_url)
        expect(page.locator(".results .alpha").first).to_be_visible()
        expect(page.locator(".results td.num", has_text="1 / 1").first).to_be_visible()

        page.goto("/admin/evaluation?metric=psnr")
        expect(page.locator("#reports tr", has_text="fast ×2 against fast ×3")).to_contain_text(
            "kept"
        )
        assert loaded(page, "#trend")[0] > 0 and loaded(page, "#feedback-trend")[0] > 0
        assert violations(page) == [] and console == []
    finally:
        page.context.close()
