"""Row locks on PostgreSQL that must not deadlock. A finishing job locks its owner's row
to settle (ledger.lock_user) and then their event stream to tell of it; a progress event
locks the stream and then inserts an event, whose foreign key takes a key-share lock on
the same owner's row. With the owner locked FOR UPDATE the two waited on each other (a
job of 51 concurrent ones failed with "deadlock detected"); FOR NO KEY UPDATE still
serialises spending but lets a foreign key through."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from atelier.commerce import ledger
from atelier.store import outbox
from atelier.store.outbox import OutboxEvent
from atelier.studio import Studio
from tests.support.accounts import add_user
from tests.support.settings import make_settings


@pytest.fixture
def studio(tmp_path: Path, pg_url: str) -> Iterator[Studio]:
    made = Studio(make_settings(tmp_path, pg_url))
    made.prepare()
    yield made
    made.close()


def _until_done_or_waiting_on_a_lock(studio: Studio, other: threading.Thread) -> None:
    """Until the progress event has inserted its row (its thread ends) or is stuck on a
    row lock (before the fix: the owner's, which this transaction holds)."""
    deadline = time.monotonic() + 10
    while other.is_alive():
        with studio.db.transaction() as s:
            waiting = s.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
        if waiting:
            return
        assert time.monotonic() < deadline, "the progress event neither ended nor waited"
        other.join(0.02)


def test_an_event_told_while_its_owner_is_locked_to_settle_does_not_deadlock(
    studio: Studio,
) -> None:
    owner = add_user(studio, "settles@example.com").user_id
    locked, telling = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def progress_event() -> None:  # as Spine.tell_progress: the stream, then an event row
        try:
            locked.wait(10)
            with studio.db.transaction() as s:
                telling.set()
                outbox.record(s, owner, "job.progress", {"step": 1})
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)

    other = threading.Thread(target=progress_event)
    other.start()
    try:
        with studio.db.transaction() as s:  # as Spine.finish: the owner, then the stream
            ledger.lock_user(s, owner)
            locked.set()
            telling.wait(10)
            _until_done_or_waiting_on_a_lock(studio, other)
            outbox.record(s, owner, "job.succeeded", {"work_ids": []})
    finally:
        other.join(30)
    assert errors == []
    with studio.db.transaction() as s:
        count = s.scalar(select(func.count()).where(OutboxEvent.owner_id == owner))
    assert count == 2
