"""The credits ledger: balanced, append-only, idempotent books (hypothesis), and spends
that never overdraw, however many arrive at once (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError

from atelier.commerce import credits, ledger
from atelier.commerce.ledger import CREDITS, Leg
from atelier.commerce.models import LedgerEntry, LedgerTransaction, Plan
from atelier.errors import Conflict, PaymentRequired
from atelier.store.db import MIGRATIONS
from atelier.store.models import Job, new_id
from atelier.studio import Studio
from atelier.web.app import create_app
from tests.support.accounts import add_user, api_user
from tests.support.settings import make_settings


@pytest.fixture
def books(tmp_path: Path) -> Iterator[Studio]:
    studio = Studio(make_settings(tmp_path))
    studio.prepare()
    yield studio
    studio.close()


def set_trial_credits(studio: Studio, amount: int) -> None:
    with studio.db.transaction() as s:
        s.execute(update(Plan).where(Plan.id == "trial").values(monthly_credits=amount))


def entry_sums(studio: Studio) -> dict[tuple[str, str], int]:
    """Every account's balance, summed here from the raw rows (not through the ledger)."""
    with studio.db.transaction() as s:
        rows = s.execute(text("SELECT account, currency, amount FROM ledger_entries")).all()
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for account, currency, amount in rows:
        sums[(account, currency)] += amount
    return dict(sums)


_USERS: dict[int, list[str]] = {}


def user_ids(studio: Studio) -> list[str]:
    """Three users per studio, made once (password hashing is slow on purpose); the
    examples share the books, and the invariants hold across all of them."""
    if id(studio) not in _USERS:
        _USERS[id(studio)] = [add_user(studio, f"u{i}@example.com").user_id for i in range(3)]
    return _USERS[id(studio)]


def a_job(owner: str, estimate: float) -> Job:
    return Job(id=new_id(), owner_id=owner, engine="test.wait", cost_estimate=estimate)


# -- properties ---------------------------------------------------------------------

OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("grant"), st.integers(0, 2), st.integers(1, 500)),
        st.tuples(st.just("reserve"), st.integers(0, 2), st.floats(0.0, 120.0)),
        st.tuples(st.just("settle"), st.integers(0, 30), st.floats(0.0, 200.0)),
        st.tuples(st.just("release"), st.integers(0, 30), st.just(0)),
        st.tuples(st.just("replay"), st.integers(0, 30), st.just(0)),
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS)
def test_any_sequence_keeps_the_books_balanced_and_no_balance_negative(
    books: Studio, operations: list[tuple[str, int, Any]]
) -> None:
    users = user_ids(books)
    jobs: list[Job] = []
    done: list[Callable[[Any], None]] = []  # every call made, to replay

    for op, index, value in operations:
        call: Callable[[Any], None] | None = None
        if op == "grant":
            key = f"grant:{new_id()}"
            user = users[index]

            def call(s: Any, u: str = user, n: int = value, k: str = key) -> None:
                credits.grant(s, u, n, k, "test grant")
        elif op == "reserve":
            job = a_job(users[index], value)

            def call(s: Any, j: Job = job) -> None:
                credits.reserve(s, j)

            jobs.append(job)
        elif op in ("settle", "release") and jobs:
            job = jobs[index % len(jobs)]
            if op == "settle":

                def call(s: Any, j: Job = job, seconds: float = value) -> None:
                    credits.settle(s, j, seconds, 1.0)
            else:

                def call(s: Any, j: Job = job) -> None:
                    credits.release(s, j)
        elif op == "replay" and done:
            call = done[index % len(done)]
        if call is None:
            continue
        before = entry_sums(books)
        try:
            with books.db.transaction() as s:
                call(s)
        except PaymentRequired:
            assert entry_sums(books) == before  # a refused spend writes nothing
        if op == "replay":
            assert entry_sums(books) == before  # a replayed call moves nothing
        done.append(call)

        sums = entry_sums(books)
        with books.db.transaction() as s:
            for (account, currency), total in sums.items():
                assert ledger.balance(s, account, currency) == total
        per_currency: dict[str, int] = defaultdict(int)
        for (_, currency), total in sums.items():
            per_currency[currency] += total
        assert all(total == 0 for total in per_currency.values()), per_currency
        for user in users:
            assert sums.get((credits.credits_account(user), CREDITS), 0) >= 0
            assert sums.get((credits.held_account(user), CREDITS), 0) >= 0


def test_unbalanced_legs_are_refused(books: Studio) -> None:
    with pytest.raises(ValueError, match="sum to zero"), books.db.transaction() as s:
        ledger.post(s, "odd", "test", [Leg("a", CREDITS, 5), Leg("b", CREDITS, -4)])
    with pytest.raises(ValueError, match="integer"), books.db.transaction() as s:
        ledger.post(s, "float", "test", [Leg("a", CREDITS, 0.5), Leg("b", CREDITS, -0.5)])  # type: ignore[arg-type]
    assert entry_sums(books) == {}


def test_the_ledger_refuses_updates_and_deletes(db_url: str, tmp_path: Path) -> None:
    studio = Studio(make_settings(tmp_path, db_url))
    studio.prepare()
    try:
        with studio.db.transaction() as s:
            ledger.post(s, "k", "test", [Leg("a", CREDITS, 5), Leg("b", CREDITS, -5)])
        for statement in (
            "UPDATE ledger_entries SET amount = 6",
            "DELETE FROM ledger_entries",
            "UPDATE ledger_transactions SET memo = 'x'",
        ):
            with pytest.raises(DBAPIError, match="append-only"), studio.db.transaction() as s:
                s.execute(text(statement))
        assert entry_sums(studio) == {("a", CREDITS): 5, ("b", CREDITS): -5}
    finally:
        studio.close()


def test_the_migration_to_hundredths_scales_whole_credits_and_keeps_the_guard(
    db_url: str, tmp_path: Path
) -> None:
    """Books written in whole credits (before 0018) read the same credits after it: every
    credits entry × 100, money untouched, and the append-only guard back in place."""
    studio = Studio(make_settings(tmp_path, db_url))
    studio.prepare()
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = studio.db.engine
    try:
        command.downgrade(config, "0017_upload_notes")
        with studio.db.transaction() as s:  # a grant of 200 and a job of 3, in whole credits
            ledger.post(
                s, "g", "test", [Leg("studio:grants", CREDITS, -200), Leg("u", CREDITS, 200)]
            )
            ledger.post(s, "j", "test", [Leg("u", CREDITS, -3), Leg("studio:usage", CREDITS, 3)])
            ledger.post(s, "m", "test", [Leg("x", "EUR", -500), Leg("y", "EUR", 500)])
        command.upgrade(config, "heads")
        assert entry_sums(studio) == {
            ("studio:grants", CREDITS): -20_000,
            ("u", CREDITS): 19_700,
            ("studio:usage", CREDITS): 300,
            ("x", "EUR"): -500,
            ("y", "EUR"): 500,
        }
        with studio.db.transaction() as s:
            assert credits.in_credits(ledger.balance(s, "u", CREDITS)) == 197
        with pytest.raises(DBAPIError, match="append-only"), studio.db.transaction() as s:
            s.execute(text("UPDATE ledger_entries SET amount = 6"))
    finally:
        studio.close()


# -- idempotency ----------------------------------------------------------------------


def test_one_key_posted_at_once_from_many_threads_is_one_transaction(
    db_url: str, tmp_path: Path
) -> None:
    studio = Studio(make_settings(tmp_path, db_url))
    studio.prepare()
    try:
        legs = [Leg("studio:grants", CREDITS, -7), Leg("user:x:credits", CREDITS, 7)]
        start = threading.Barrier(8)

        def post(_: int) -> str:
            start.wait()
            with studio.db.transaction() as s:
                return ledger.post(s, "same-key", "test", legs).id

        with ThreadPoolExecutor(8) as pool:
            ids = set(pool.map(post, range(8)))
        assert len(ids) == 1
        with studio.db.transaction() as s:
            assert s.scalar(select(func.count()).select_from(LedgerTransaction)) == 1
            assert s.scalar(select(func.count()).select_from(LedgerEntry)) == 2
            assert ledger.balance(s, "user:x:credits", CREDITS) == 7
        with pytest.raises(Conflict), studio.db.transaction() as s:
            ledger.post(s, "same-key", "test", [Leg("a", CREDITS, 1), Leg("b", CREDITS, -1)])
        # The same legs in another order are the same movement.
        with studio.db.transaction() as s:
            assert ledger.post(s, "same-key", "test", legs[::-1]).id in ids
    finally:
        studio.close()


# -- concurrent spends ------------------------------------------------------------------


def test_twenty_parallel_submits_against_ten_credits_accept_exactly_ten(
    db_url: str, tmp_path: Path
) -> None:
    studio = Studio(make_settings(tmp_path, db_url))
    studio.prepare()
    try:
        set_trial_credits(studio, 10)
        who = add_user(studio, "spender@example.com")
        start = threading.Barrier(20)

        def submit(i: int) -> str:
            start.wait()
            try:
                studio.jobs.submit(who, "test.wait", {}, idempotency_key=f"spend-{i}")
            except PaymentRequired as exc:
                assert "balance is 0" in exc.detail
                return "refused"
            return "accepted"

        with ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(submit, range(20)))
        assert answers.count("accepted") == 10 and answers.count("refused") == 10
        with studio.db.transaction() as s:
            assert s.scalar(select(func.count()).select_from(Job)) == 10
            assert credits.balance(s, who.user_id) == 0
            held = ledger.balance(s, credits.held_account(who.user_id), CREDITS)
            assert held == 10 * credits.UNIT  # ten credits, in the ledger's hundredths
        assert min(entry_sums(studio).values()) >= -10 * credits.UNIT  # only studio:grants < 0
    finally:
        studio.close()


def test_twenty_parallel_api_posts_against_ten_credits(db_url: str, tmp_path: Path) -> None:
    with TestClient(create_app(make_settings(tmp_path, db_url))) as client:
        studio: Studio = client.app.state.studio  # type: ignore[attr-defined]
        set_trial_credits(studio, 10)
        headers = api_user(client, "spender@example.com")
        start = threading.Barrier(20)

        def post(i: int) -> int:
            start.wait()
            answer = client.post(
                "/v1/jobs",
                json={"engine": "test.wait", "params": {}},
                headers={**headers, "Idempotency-Key": f"k{i}"},
            )
            if answer.status_code == 402:
                body = answer.json()
                assert answer.headers["content-type"].startswith("application/problem+json")
                assert body["errors"][0]["field"] == "credits"
                assert "costs up to 1 credits and your balance is 0" in body["detail"]
            return answer.status_code

        with ThreadPoolExecutor(20) as pool:
            codes = list(pool.map(post, range(20)))
        assert sorted(codes) == [201] * 10 + [402] * 10
        balance = client.get("/v1/account/credits", headers=headers).json()
        assert balance["balance"] == 0 and balance["held"] == 10
