"""Billing through the studio: credits for jobs (reserve, settle, release, refund) with
their exact ledger rows, the trial and its expiry, plan limits, subscriptions (pro-rated
upgrades, renewal, downgrade, cancel), overage, packs and invoices (numbers, PDF)."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from atelier.accounts.authz import Principal
from atelier.commerce import credits, invoices, ledger, plans, subscriptions
from atelier.commerce.invoices import Line
from atelier.commerce.ledger import CREDITS, Leg
from atelier.commerce.models import Invoice, LedgerTransaction, Plan, Subscription
from atelier.engines.base import Artifact, Budget, Creation
from atelier.errors import Conflict, Forbidden, Invalid, PaymentRequired, TooManyRequests
from atelier.store.models import TERMINAL_STATUSES, Job, User, Work, utcnow
from atelier.studio import Studio
from atelier.studio.runner import WorkerPool
from tests.support.accounts import add_user
from tests.support.servers import wait_until


def rows(studio: Studio, job_id: str) -> dict[str, dict[str, float]]:
    """The job's ledger transactions: kind → {account: credits} (the ledger's hundredths
    as credits)."""
    with studio.db.transaction() as s:
        found = s.scalars(select(LedgerTransaction).where(LedgerTransaction.job_id == job_id))
        return {t.kind: {e.account: credits.in_credits(e.amount) for e in t.entries} for t in found}


def balance(studio: Studio, user_id: str, name: str = "credits") -> float:
    """A user's account in credits."""
    with studio.db.transaction() as s:
        return credits.in_credits(ledger.balance(s, ledger.user_account(user_id, name), CREDITS))


def run_job(studio: Studio, who: Principal, seconds: float, estimate: float | None = None) -> str:
    """Submit test.wait, claim it and finish it as if it ran `seconds`."""
    engine = studio.engines.get("test.wait")
    if estimate is not None:
        engine.estimate_cost = lambda params, budget: estimate  # type: ignore[method-assign]
    job, _ = studio.jobs.submit(who, "test.wait", {})
    claimed = studio.jobs.claim("w1")
    assert claimed is not None and claimed.job_id == job.id
    files = [Artifact("result.txt", "text/plain", b"done\n")]
    assert studio.jobs.finish(job.id, "w1", [Creation(files=files)], seconds)
    return job.id


def admin_of(studio: Studio) -> Principal:
    return add_user(studio, f"boss{utcnow().timestamp()}@example.com", "admin")


def set_plan(studio: Studio, plan_id: str, **values: Any) -> None:
    with studio.db.transaction() as s:
        s.execute(update(Plan).where(Plan.id == plan_id).values(**values))


def subscribe(studio: Studio, who: Principal, plan_id: str) -> Invoice:
    """Subscribe and pay (an admin marks the invoice paid)."""
    _, invoice = studio.commerce.change_subscription(who, "subscribe", plan_id, None)
    assert invoice is not None
    return studio.commerce.mark_paid(admin_of(studio), invoice.id, "bank 1")


# -- credits for jobs ------------------------------------------------------------------


def test_submit_reserves_and_finish_settles_to_the_measured_cost(studio: Studio) -> None:
    who = add_user(studio, "maker@example.com")
    job_id = run_job(studio, who, seconds=2.2, estimate=5.5)  # 5.5 credits held, 2.2 charged
    user = who.user_id
    assert rows(studio, job_id) == {
        "job.reserve": {f"user:{user}:credits": -5.5, f"user:{user}:held": 5.5},
        "job.settle": {f"user:{user}:held": -5.5, f"user:{user}:credits": 3.3, "studio:usage": 2.2},
    }
    assert balance(studio, user) == 197.8 and balance(studio, user, "held") == 0
    # A replayed settle (a retried finish) charges nothing more.
    with studio.db.transaction() as s:
        credits.settle(s, s.get(Job, job_id), 50.0, 1.0)  # type: ignore[arg-type]
    assert balance(studio, user) == 197.8


def test_a_fast_job_pays_the_minimum_and_a_slow_one_no_more_than_reserved(studio: Studio) -> None:
    who = add_user(studio, "maker@example.com")
    fast = run_job(studio, who, seconds=0.01)
    assert rows(studio, fast)["job.settle"]["studio:usage"] == 0.1 == MINIMUM
    slow = run_job(studio, who, seconds=40.0, estimate=2.0)  # the trial has no overage
    assert rows(studio, slow)["job.settle"]["studio:usage"] == 2
    assert balance(studio, who.user_id) == 197.9


MINIMUM = credits.in_credits(credits.MIN_CHARGE)  # the least a job costs, in credits


def ran_in_pool(
    studio: Studio, who: Principal, engine: str, params: dict[str, Any], own: bool
) -> str:
    """Submit a job (its estimate: 10 credits, room for any charge) and let a worker pool
    run it: one with its process to itself (`own`, as a worker process's) or one sharing
    it (worker_mode=threads)."""
    studio.engines.get(engine).estimate_cost = lambda params, budget: 10.0  # type: ignore[method-assign]
    pool = WorkerPool(studio, 1, own_process=own).start()
    try:
        job, _ = studio.jobs.submit(who, engine, params)
        wait_until(
            lambda: studio.jobs.get(who, job.id).status in TERMINAL_STATUSES,
            120,
            interval=0.2,
            what=f"{engine} to end",
        )
    finally:
        pool.stop()
    assert studio.jobs.get(who, job.id).status == "succeeded"
    return job.id


def settle_memo(studio: Studio, job_id: str) -> str:
    with studio.db.transaction() as s:
        settled = ledger.find(s, f"job:{job_id}:settle")
        assert settled is not None
        return settled.memo


def test_a_worker_with_its_own_process_settles_a_job_on_its_cpu_time(studio: Studio) -> None:
    """Settlement reads the job's own compute: a job that sleeps 3 s uses almost no CPU
    and pays the minimum charge, one that works 3 CPU seconds pays for 3 or more; shared
    with other work (threads in the server) the sleep is paid by the clock."""
    who = add_user(studio, "maker@example.com")
    user = who.user_id
    sleeper = ran_in_pool(studio, who, "test.wait", {"seconds": 3.0}, own=True)
    burner = ran_in_pool(studio, who, "test.burn", {"cpu_seconds": 3.0}, own=True)
    shared = ran_in_pool(studio, who, "test.wait", {"seconds": 3.0}, own=False)

    slept = re.fullmatch(r"test\.wait: (0\.\d\d) CPU s × 1 credits/s", settle_memo(studio, sleeper))
    assert slept is not None
    paid = rows(studio, sleeper)["job.settle"]
    assert paid["studio:usage"] == pytest.approx(max(MINIMUM, float(slept[1])), abs=0.011)
    assert paid["studio:usage"] < 1 and paid[f"user:{user}:held"] == -10
    assert paid[f"user:{user}:credits"] == pytest.approx(10 - paid["studio:usage"])
    burnt = rows(studio, burner)["job.settle"]["studio:usage"]
    assert burnt >= 3
    assert re.fullmatch(r"test\.burn: \d+\.\d\d CPU s × 1 credits/s", settle_memo(studio, burner))
    assert rows(studio, shared)["job.settle"]["studio:usage"] >= 3
    assert re.fullmatch(
        r"test\.wait: \d+\.\d\d s of clock time × 1 credits/s", settle_memo(studio, shared)
    )
    spent = paid["studio:usage"] + burnt + rows(studio, shared)["job.settle"]["studio:usage"]
    assert balance(studio, user) == pytest.approx(200 - spent)
    assert balance(studio, user, "held") == 0


def test_redraws_are_not_charged(studio: Studio) -> None:
    """A draft that misses the engine's own checks is drawn again at the studio's cost:
    the job is settled on its CPU seconds less those of the redraw, and the memo says so."""
    who = add_user(studio, "maker@example.com")
    params = {"cpu_seconds": 1.0, "redraw_cpu_seconds": 3.0}
    job_id = ran_in_pool(studio, who, "test.burn", params, own=True)
    memo = settle_memo(studio, job_id)
    found = re.fullmatch(
        r"test\.burn: (\d+\.\d\d) CPU s less (\d+\.\d\d) of redraws × 1 credits/s", memo
    )
    assert found is not None, memo
    spent, redrawn = map(float, found.groups())
    assert spent >= 4.0 and 3.0 <= redrawn < spent - 0.9
    charged = rows(studio, job_id)["job.settle"]["studio:usage"]
    assert charged == pytest.approx(spent - redrawn, abs=0.011) and charged <= 2


def test_costs_and_holds_are_counted_to_the_hundredth_of_a_credit() -> None:
    """In ledger units (hundredths): a half rounds up, and no job costs less than the
    minimum charge, a tenth of a credit."""
    seconds = (0.0, 0.04, 0.2, 1.16, 1.49, 1.5, 1.534, 1.535, 2.51, 7.2)
    cost = {s: credits.job_cost(s, 1.0) for s in seconds}
    assert cost == {
        0.0: 10,
        0.04: 10,
        0.2: 20,
        1.16: 116,
        1.49: 149,
        1.5: 150,
        1.534: 153,
        1.535: 154,
        2.51: 251,
        7.2: 720,
    }
    assert [credits.reservation(e) for e in (0.3, 1.2, 1.7, 12.5)] == [30, 120, 170, 1250]
    assert credits.job_cost(credits.Compute(seconds=3.0, redraw_seconds=1.4), 1.0) == 160
    shared = credits.Compute(seconds=9.0, cpu_seconds=7.0, cores=2, redraw_cpu_seconds=3.0)
    assert shared.describe() == "7.00 CPU s less 3.00 of redraws ÷ 2 cores"
    assert credits.job_cost(shared, 1.0) == 200
    assert credits.job_cost(1.0, 0.5) == 50 and credits.in_credits(153) == 1.53
    assert [credits.said(u) for u in (123_456, 4_900, 25)] == ["1,234.56", "49", "0.25"]


def test_a_threaded_engines_cpu_seconds_are_divided_by_its_cores() -> None:
    """Twelve CPU seconds on two cores are six seconds of the machine: 6 credits at 1 a
    second, as its clock would have said on an idle machine."""
    busy = credits.Compute(seconds=30.0, cpu_seconds=12.0, cores=2)
    assert credits.job_cost(busy, 1.0) == 600  # ledger units: 6 credits
    assert busy.describe() == "12.00 CPU s ÷ 2 cores"
    assert credits.job_cost(credits.Compute(seconds=30.0), 1.0) == 3000  # no CPU time read


def test_cancel_and_failure_release_and_rejection_refunds(studio: Studio) -> None:
    who = add_user(studio, "maker@example.com")
    user = who.user_id
    queued, _ = studio.jobs.submit(who, "test.wait", {})
    assert balance(studio, user) == 199
    studio.jobs.cancel(who, queued.id)
    assert rows(studio, queued.id)["job.release"] == {
        f"user:{user}:held": -1,
        f"user:{user}:credits": 1,
    }
    failing, _ = studio.jobs.submit(who, "test.wait", {})
    assert studio.jobs.claim("w1") is not None
    studio.jobs.fail(failing.id, "w1", "it broke")
    assert "job.release" in rows(studio, failing.id)
    assert balance(studio, user) == 200 and balance(studio, user, "held") == 0

    done = run_job(studio, who, seconds=3.0, estimate=4.0)
    assert balance(studio, user) == 197
    with studio.db.transaction() as s:  # what Studio.decide_review does on a rejection
        job = s.get(Job, done)
        assert job is not None
        credits.release(s, job)
        credits.release(s, job)  # twice: refunded once
    assert rows(studio, done)["job.refund"] == {
        f"user:{user}:credits": 3,
        "studio:usage": -3,
    }
    assert balance(studio, user) == 200


def test_a_balance_short_of_the_estimate_is_refused_with_402(studio: Studio) -> None:
    set_plan(studio, "trial", monthly_credits=3)
    who = add_user(studio, "maker@example.com")
    studio.engines.get("test.wait").estimate_cost = lambda params, budget: 4.0  # type: ignore[method-assign]
    with pytest.raises(PaymentRequired) as refused:
        studio.jobs.submit(who, "test.wait", {})
    assert "costs up to 4 credits and your balance is 3: 1 short" in refused.value.detail
    assert (refused.value.needed, refused.value.balance, refused.value.missing) == (4, 3, 1)
    with studio.db.transaction() as s:
        assert s.scalars(select(Job)).all() == []


def test_admins_are_unmetered(studio: Studio) -> None:
    boss = admin_of(studio)
    job_id = run_job(studio, boss, seconds=5.0)
    assert rows(studio, job_id) == {}
    assert studio.commerce.account(boss).unmetered


# -- the trial -----------------------------------------------------------------------


def test_the_trial_grant_comes_once_and_its_rest_expires(studio: Studio) -> None:
    who = add_user(studio, "maker@example.com")
    assert studio.commerce.account(who).balance == 200
    assert studio.commerce.account(who).balance == 200  # granted once
    run_job(studio, who, seconds=3.0, estimate=3.0)
    pack = studio.commerce.buy_pack(who, "pack-500", "first")
    studio.commerce.mark_paid(admin_of(studio), pack.id, "transfer 42")
    assert studio.commerce.account(who).balance == 697
    with studio.db.transaction() as s:
        user = s.get(User, who.user_id)
        assert user is not None
        user.created_at -= timedelta(days=15)
    # The 197 trial credits left expire; the 500 bought stay.
    assert studio.commerce.account(who).balance == 500
    assert studio.commerce.account(who).balance == 500
    kinds = [t.kind for t, _ in studio.commerce.credit_history(who)]
    assert kinds.count("credits.expire") == 1 and kinds.count("credits.grant") == 2


# -- plan limits -----------------------------------------------------------------------


def test_plan_limits_at_submit(studio: Studio) -> None:
    set_plan(studio, "trial", concurrency=2, api_access=False, max_pixels=512 * 512)
    who = add_user(studio, "maker@example.com")
    studio.jobs.submit(who, "test.wait", {})
    studio.jobs.submit(who, "test.wait", {})
    with pytest.raises(TooManyRequests, match="2 jobs queued or running"):
        studio.jobs.submit(who, "test.wait", {})
    other = add_user(studio, "other@example.com").user_id
    with studio.db.transaction() as s:
        with pytest.raises(Forbidden, match="Trial plan has no API access"):
            plans.check_submit(s, other, "key", Budget())
        with pytest.raises(Invalid) as big:
            plans.check_submit(
                s, other, "session", Budget(images=1, pixels=1024 * 512, field="width")
            )
        assert big.value.errors[0][0] == "params.width"
        plans.check_submit(s, other, "session", Budget(images=1, pixels=512 * 512, field="width"))


def test_private_works_need_the_plan(studio: Studio) -> None:
    who = add_user(studio, "maker@example.com")
    job_id = run_job(studio, who, seconds=0.1)
    with studio.db.transaction() as s:
        work_id = s.scalars(select(Work.id).where(Work.job_id == job_id)).one()
    studio.works.update(who, work_id, visibility="public")
    set_plan(studio, "trial", private_works=False)
    with pytest.raises(Forbidden) as refused:
        studio.works.update(who, work_id, visibility="private")
    assert refused.value.errors[0][0] == "visibility"
    assert studio.works.get(who, work_id)[0].visibility == "public"


# -- subscriptions ------------------------------------------------------------------------


def test_prorated_credit_is_exact_to_the_cent() -> None:
    start, end = datetime(2026, 1, 1), datetime(2026, 2, 1)
    # 20 days 18 hours of 31 days unused: 1200 × 20.75 / 31 = 803.2258… → 803
    assert subscriptions.prorated_credit(1200, start, end, datetime(2026, 1, 11, 6)) == 803
    # 4900 × 15.5 / 31 = 2450 exactly; half-cents round up: 1 × 15.5 / 31 = 0.5 → 1
    assert subscriptions.prorated_credit(4900, start, end, datetime(2026, 1, 16, 12)) == 2450
    assert subscriptions.prorated_credit(1, start, end, datetime(2026, 1, 16, 12)) == 1
    assert subscriptions.prorated_credit(1200, start, end, end + timedelta(days=1)) == 0


def test_upgrade_credits_the_unused_part_of_the_old_plan(studio: Studio) -> None:
    who = add_user(studio, "maker@example.com")
    first = subscribe(studio, who, "creator")
    assert first.total == 1200 and studio.commerce.account(who).plan.id == "creator"
    assert studio.commerce.account(who).balance == 200 + 2000
    now = utcnow()
    with studio.db.transaction() as s:
        sub = s.scalars(select(Subscription)).one()
        sub.period_start, sub.period_end = now - timedelta(days=12), now + timedelta(days=18)
    _, invoice = studio.commerce.change_subscription(who, "upgrade", "studio", "up-1")
    assert invoice is not None
    amounts = [(line.description, line.amount) for line in invoice.lines]
    # 1200 × 18 / 30 days unused = 720 credited against the 4900 of the new plan.
    assert amounts == [
        ("Studio plan, one month from the upgrade", 4900),
        ("Unused time on the Creator plan (17 of 30 days)", -720),
    ]
    assert invoice.total == 4180
    studio.commerce.mark_paid(admin_of(studio), invoice.id, "bank 2")
    account = studio.commerce.account(who)
    assert account.plan.id == "studio" and account.balance == 200 + 2000 + 10000
    with pytest.raises(Invalid, match="downgrade instead"):
        studio.commerce.change_subscription(who, "upgrade", "creator", None)


def test_renewal_downgrade_and_cancellation_at_the_period_end(studio: Studio) -> None:
    who = add_user(studio, "maker@example.com")
    subscribe(studio, who, "studio")
    studio.commerce.change_subscription(who, "downgrade", "creator", None)
    assert studio.commerce.account(who).plan.id == "studio"  # until the period ends
    with studio.db.transaction() as s:
        sub = s.scalars(select(Subscription)).one()
        ended = sub.period_end
        assert ended is not None
    later = ended + timedelta(hours=1)
    renewals = studio.commerce.renew_due(later)
    assert [i.id for i in studio.commerce.renew_due(later)] == [i.id for i in renewals]  # again
    [renewal] = renewals
    assert [(line.kind, line.amount) for line in renewal.lines] == [("subscription", 1200)]
    studio.commerce.mark_paid(admin_of(studio), renewal.id, "bank 3")
    with studio.db.transaction() as s:
        sub = s.scalars(select(Subscription)).one()
        assert (sub.plan_id, sub.period_start) == ("creator", ended)
        assert sub.period_end == plans.next_month(ended)
    assert studio.commerce.account(who).balance == 200 + 10000 + 2000

    studio.commerce.change_subscription(who, "cancel", None, None)
    assert studio.commerce.renew_due(plans.next_month(ended) + timedelta(hours=1)) == []
    with studio.db.transaction() as s:
        assert s.scalars(select(Subscription.status)).one() == "ended"
    assert studio.commerce.account(who).plan.id == "trial"


def test_overage_is_owed_past_the_balance_and_billed_at_renewal(studio: Studio) -> None:
    who = add_user(studio, "maker@example.com")
    subscribe(studio, who, "studio")  # overage at 1 cent a credit
    user = who.user_id
    studio.commerce.account(who)  # the trial's credits are granted
    with studio.db.transaction() as s:  # leave 2 credits, 1 once the job is reserved
        drained = credits.balance(s, user) - 2 * credits.UNIT
        ledger.post(
            s,
            "drain",
            "test",
            [Leg(credits.credits_account(user), CREDITS, -drained), Leg("x", CREDITS, drained)],
        )
    job_id = run_job(studio, who, seconds=9.4, estimate=1.0)
    assert rows(studio, job_id)["job.settle"] == {
        f"user:{user}:held": -1,
        f"user:{user}:credits": -1,
        f"user:{user}:overage": -7.4,
        "studio:usage": 9.4,
    }
    assert studio.commerce.account(who).owed == 7.4 and studio.commerce.account(who).balance == 0
    with studio.db.transaction() as s:
        end = s.scalars(select(Subscription.period_end)).one()
    assert end is not None
    [renewal] = studio.commerce.renew_due(end + timedelta(minutes=1))
    assert [(x.kind, x.quantity, x.amount) for x in renewal.lines] == [
        ("subscription", 1, 4900),
        ("overage", 7, 7),
    ]
    studio.commerce.mark_paid(admin_of(studio), renewal.id, "bank 4")
    assert studio.commerce.account(who).owed == 0.4  # whole credits are billed; 0.4 waits


# -- invoices -------------------------------------------------------------------------


def test_invoices_are_numbered_idempotent_and_paid_once(studio: Studio) -> None:
    who = add_user(studio, "maker@example.com")
    first = studio.commerce.buy_pack(who, "pack-2000", "k1")
    again = studio.commerce.buy_pack(who, "pack-2000", "k1")
    second = studio.commerce.buy_pack(who, "pack-500", "k2")
    year = utcnow().year
    assert first.id == again.id and first.number == f"INV-{year}-000001"
    assert second.number == f"INV-{year}-000002"
    with pytest.raises(Conflict):
        studio.commerce.buy_pack(who, "pack-500", "k1")
    boss = admin_of(studio)
    for _ in range(2):
        paid = studio.commerce.mark_paid(boss, first.id, "transfer 7")
    assert paid.status == "paid" and studio.commerce.account(who).balance == 2200
    with studio.db.transaction() as s:
        assert ledger.balance(s, "studio:revenue:packs", "EUR") == 1800
        assert ledger.balance(s, "external:payments", "EUR") == -1800
    studio.commerce.void(boss, second.id)
    with pytest.raises(Conflict, match="voided"):
        studio.commerce.mark_paid(boss, second.id, "late")
    with pytest.raises(Forbidden):
        studio.commerce.mark_paid(who, first.id, "mine")


def test_invoice_pdf_holds_its_lines_and_total(studio: Studio) -> None:
    who = add_user(studio, "maker@example.com")
    with studio.db.transaction() as s:
        invoice = invoices.open_invoice(
            s,
            who.user_id,
            [
                Line("pack", "Crédits « spéciaux » — 500", 2, 500, "pack:pack-500:500"),
                Line("overage", "Overage: 1,234 credits", 1234, 1, "overage:x"),
            ],
            "pdf-test",
            "EUR",
        )
    pdf = studio.commerce.invoice_pdf(invoice)
    assert pdf.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for expected in (
        invoice.number,
        "maker@example.com",
        "Crédits « spéciaux » — 500",
        "EUR 10.00",
        "EUR 12.34",
        "EUR 22.34",
        "Pay EUR 22.34 by bank transfer",
    ):
        assert expected in text, (expected, text)


def test_bad_invoice_lines_name_the_field(studio: Studio) -> None:
    who = add_user(studio, "maker@example.com")
    cases: list[tuple[Line, str]] = [
        (Line("gift", "x", 1, 1), "lines.0.kind"),
        (Line("pack", "", 1, 1), "lines.0.description"),
        (Line("pack", "x", 0, 1), "lines.0.quantity"),
        (Line("pack", "x", 1, -5), "lines"),
    ]
    for line, field in cases:
        with pytest.raises(Invalid) as bad, studio.db.transaction() as s:
            invoices.open_invoice(s, who.user_id, [line], f"bad-{field}", "EUR")
        assert bad.value.errors[0][0] == field
    with studio.db.transaction() as s:
        assert s.scalars(select(Invoice)).all() == []


def test_revenue_by_creator_reads_the_markets_commission_legs(studio: Studio) -> None:
    creator = add_user(studio, "painter@example.com")
    with studio.db.transaction() as s:  # a licence sale as the marketplace posts it
        ledger.post(
            s,
            "sale-1",
            "licence.sale",
            [
                Leg("external:payments", "EUR", -4900),
                Leg(f"user:{creator.user_id}:earnings", "EUR", 3920),
                Leg("studio:revenue:commission", "EUR", 980),
            ],
        )
    report = studio.commerce.revenue(admin_of(studio))
    assert report.by_creator == {"painter@example.com": 980}
    assert report.by_kind == {"commission": 980} and report.total == 980
