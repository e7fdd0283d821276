"""Event retention (issue 17): events older than events_keep_days whose deliveries are all
finished go, with their deliveries and tries, in batches; a pending delivery's event and
anything within the window stay; one process prunes at a time (PostgreSQL advisory lock);
the dispatcher prunes on its own; `atelier admin prune-events` does it on demand; a
stream resumed from a pruned event starts with a `reset` event. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from atelier.accounts.authz import Principal
from atelier.settings import get_settings
from atelier.store import event_pruning, outbox
from atelier.store.models import utcnow
from atelier.store.outbox import EventStream, OutboxEvent, WebhookAttempt, WebhookDelivery
from atelier.studio import Studio
from atelier.studio.dispatch import Dispatcher
from atelier.web.app import create_app
from tests.support.accounts import add_user, api_user
from tests.support.api import read_events
from tests.support.cli import ok
from tests.support.servers import serve_app, wait_until
from tests.support.settings import make_settings

PRIVATE = {"webhook_allow_private": True, "webhook_dispatch": False}
NOWHERE = "http://127.0.0.1:9/hook"  # never sent to: no dispatcher runs in these tests


@pytest.fixture
def studio(tmp_path: Path, db_url: str) -> Iterator[Studio]:
    made = Studio(make_settings(tmp_path, db_url, **PRIVATE))
    made.prepare()
    yield made
    made.close()


def event(
    studio: Studio,
    who: Principal,
    days_old: float,
    delivery: str | None = None,
    finished_days_ago: float | None = None,
) -> int:
    """An event of `who` written `days_old` days ago; with `delivery` (pending, delivered,
    failed), one delivery to their endpoint in that state, with one try logged."""
    now = utcnow()
    with studio.db.transaction() as s:
        written = outbox.record(s, who.user_id, "webhook.test", {"days_old": days_old})
        written.created_at = now - timedelta(days=days_old)
        for made in s.scalars(
            select(WebhookDelivery).where(WebhookDelivery.event_id == written.id)
        ):
            made.created_at = written.created_at
            if delivery is None:
                s.delete(made)
                continue
            made.status, made.attempts = delivery, 1
            if finished_days_ago is not None:
                made.finished_at = now - timedelta(days=finished_days_ago)
            s.flush()
            s.add(
                WebhookAttempt(
                    delivery_id=made.id,
                    number=1,
                    at=made.created_at,
                    status_code=200 if delivery == "delivered" else 500,
                    seconds=0.01,
                )
            )
        return written.id


def kept(studio: Studio) -> tuple[list[int], list[int], int]:
    """Ids of the events left, the event ids of the deliveries left, and the tries left."""
    with studio.db.transaction() as s:
        events = list(s.scalars(select(OutboxEvent.id).order_by(OutboxEvent.id)))
        deliveries = sorted(s.scalars(select(WebhookDelivery.event_id)))
        tries = len(s.scalars(select(WebhookAttempt.id)).all())
    return events, deliveries, tries


def pruned_through(studio: Studio, who: Principal) -> int:
    with studio.db.transaction() as s:
        stream = s.get(EventStream, who.user_id)
        return stream.pruned_through if stream is not None else 0


def mixed_events(studio: Studio) -> tuple[Principal, Principal, dict[str, int]]:
    creator, quiet = add_user(studio, "creator@example.com"), add_user(studio, "quiet@example.com")
    studio.webhooks.create(creator, NOWHERE)
    ids = {
        "old_delivered": event(studio, creator, 40, "delivered", finished_days_ago=40),
        "old_pending": event(studio, creator, 40, "pending"),
        "old_failed": event(studio, creator, 39, "failed", finished_days_ago=35),
        "old_delivered_lately": event(studio, creator, 40, "delivered", finished_days_ago=2),
        "new_delivered": event(studio, creator, 1, "delivered", finished_days_ago=1),
        "old_no_endpoint": event(studio, quiet, 31),
        "new_no_endpoint": event(studio, quiet, 29),
    }
    return creator, quiet, ids


@pytest.mark.parametrize("batch", [500, 2])
def test_only_old_finished_events_go_with_their_log(
    studio: Studio, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(event_pruning, "BATCH", batch)  # 2: four events take three batches
    creator, quiet, ids = mixed_events(studio)
    assert kept(studio) == (sorted(ids.values()), sorted(list(ids.values())[:5]), 5)

    pruned = studio.webhooks.prune()

    assert pruned.events == 3 and not pruned.busy
    left = [
        ids["old_pending"],
        ids["old_delivered_lately"],
        ids["new_delivered"],
        ids["new_no_endpoint"],
    ]
    assert kept(studio) == (left, sorted(left[:3]), 3)
    assert pruned_through(studio, creator) == ids["old_failed"]
    assert pruned_through(studio, quiet) == ids["old_no_endpoint"]
    assert studio.webhooks.prune().events == 0  # nothing more is old enough

    # Two days: what was finished two days ago goes too, and the quiet account's 29-day one.
    assert studio.webhooks.prune(keep_days=2).events == 2
    assert kept(studio)[0] == [ids["old_pending"], ids["new_delivered"]]


def test_one_process_prunes_at_a_time_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    studio = Studio(make_settings(tmp_path, pg_url, **PRIVATE))
    studio.prepare()
    try:
        mixed_events(studio)
        other = pg_url.replace("+psycopg", "")
        with psycopg.connect(other, autocommit=True) as held:
            held.execute("SELECT pg_advisory_lock(%s)", (event_pruning.PRUNE_LOCK,))
            busy = studio.webhooks.prune()
            assert busy.busy and busy.events == 0
            assert len(kept(studio)[0]) == 7
            # Let go in so many words: a closed connection's backend releases its locks
            # a moment after the client has gone, which CI once caught still held.
            held.execute("SELECT pg_advisory_unlock(%s)", (event_pruning.PRUNE_LOCK,))
            assert studio.webhooks.prune().events == 3
    finally:
        studio.close()


def test_the_dispatcher_prunes_on_its_own(studio: Studio) -> None:
    creator, _, ids = mixed_events(studio)
    settings = studio.settings.model_copy(update={"events_prune_seconds": 0.2})
    dispatcher = Dispatcher(settings, studio.db).start()
    try:
        wait_until(lambda: len(kept(studio)[0]) == 4, 30, what="the dispatcher to prune")
    finally:
        dispatcher.stop()
    assert ids["old_pending"] in kept(studio)[0]
    assert pruned_through(studio, creator) == ids["old_failed"]


def test_admin_prune_events(data_dir: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATELIER_DATABASE_URL", db_url)
    monkeypatch.setenv("ATELIER_EVENTS_KEEP_DAYS", "36")
    monkeypatch.setenv("ATELIER_WEBHOOK_ALLOW_PRIVATE", "true")
    get_settings.cache_clear()
    studio = Studio(get_settings())
    studio.prepare()
    try:
        _, _, ids = mixed_events(studio)
        # 36 days: old_failed (39 days, its try 35 days ago) is not yet out of the window.
        assert ok("admin", "prune-events").output == "deleted 1 event(s) older than 36 days\n"
        assert ids["old_failed"] in kept(studio)[0]
        assert ok("admin", "prune-events", "--keep-days", "30").output == (
            "deleted 2 event(s) older than 30 days\n"
        )
        assert len(kept(studio)[0]) == 4
    finally:
        studio.close()


def test_a_stream_resumed_from_a_pruned_event_starts_with_a_reset(
    tmp_path: Path, db_url: str
) -> None:
    app = create_app(make_settings(tmp_path, db_url, **PRIVATE))
    with serve_app(app) as url, httpx.Client(base_url=url, timeout=30) as http:
        mine = api_user(TestClient(app), "a@example.com")
        studio: Studio = app.state.studio

        def cancelled_job() -> str:
            made = http.post("/v1/jobs", json={"engine": "test.wait"}, headers=mine)
            assert made.status_code == 201, made.text
            job_id = str(made.json()["id"])
            assert http.post(f"/v1/jobs/{job_id}/cancel", headers=mine).status_code == 200
            return job_id

        jobs = [cancelled_job() for _ in range(3)]
        with studio.db.transaction() as s:
            ids = list(s.scalars(select(OutboxEvent.id).order_by(OutboxEvent.id)))
            assert len(ids) == 3
            s.execute(
                update(OutboxEvent)
                .where(OutboxEvent.id.in_(ids[:2]))
                .values(created_at=utcnow() - timedelta(days=31))
            )
        assert studio.webhooks.prune().events == 2

        from_gone = {**mine, "Last-Event-ID": str(ids[0])}
        with http.stream("GET", "/v1/events", headers=from_gone) as stream:
            lines = stream.iter_lines()
            [reset] = read_events(lines, 1)
            later = cancelled_job()
            [next_one] = read_events(lines, 1)
        assert reset["event"] == "reset" == reset["data"]["type"]
        assert int(reset["id"]) == reset["data"]["id"] == ids[2]  # the newest event's id
        assert "older than 30 days" in reset["data"]["data"]["detail"]
        assert next_one["event"] == "job.canceled"
        assert next_one["data"]["data"]["job_id"] == later

        # From the newest pruned event on, nothing was missed: no reset, the kept one first.
        from_kept = {**mine, "Last-Event-ID": str(ids[1])}
        with http.stream("GET", "/v1/events", headers=from_kept) as stream:
            first, second = read_events(stream.iter_lines(), 2)
        assert [first["data"]["data"]["job_id"], second["data"]["data"]["job_id"]] == [
            jobs[2],
            later,
        ]
