"""Users' feedback on works: a thumbs up or down and an optional note from anyone who may
see the work, one per user and work, changed in place; and for admins the tally per
engine and model, week by week."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from atelier.accounts import authz
from atelier.accounts.authz import Principal
from atelier.errors import Invalid
from atelier.evaluate import judgements, trends
from atelier.evaluate.models import WorkFeedback
from atelier.store.db import Database
from atelier.store.models import Work, utcnow
from atelier.studio.works import Works

VOTES = {"up": 1, "down": -1}
MAX_NOTE = 1000


@dataclass(frozen=True)
class Tally:
    """A work's feedback as its viewer sees it: the counts and their own vote."""

    up: int
    down: int
    mine: WorkFeedback | None


def model_of(work: Work) -> str:
    """The models a work's lineage says it ran, joined: feedback is grouped by them."""
    names = [
        str(m.get("name"))
        for m in (work.lineage or {}).get("models", [])
        if m.get("kind", "model") == "model"
    ]
    return ", ".join(names)[:200] or "(none named)"


def week_of(moment: datetime) -> datetime:
    """The Monday 00:00 that starts the moment's week."""
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


class Feedback:
    def __init__(self, db: Database, works: Works) -> None:
        self.db = db
        self.works = works

    def vote(self, who: Principal, work_id: str, vote: str, note: str = "") -> WorkFeedback:
        """Rate a work one may see; a second vote replaces the first."""
        authz.require_scope(who, "write")
        if vote not in VOTES:
            raise Invalid("vote is 'up' or 'down'", field="vote")
        note = note.strip()
        if len(note) > MAX_NOTE:
            raise Invalid(
                "a note is at most %(MAX_NOTE)s characters",
                field="note",
                params={"MAX_NOTE": MAX_NOTE},
            )
        work, _ = self.works.get(who, work_id)
        now = utcnow()
        for _ in range(2):  # a first vote racing another from the same user: update it
            try:
                with self.db.transaction() as s:
                    row = s.scalar(
                        select(WorkFeedback).where(
                            WorkFeedback.work_id == work.id, WorkFeedback.user_id == who.user_id
                        )
                    )
                    if row is None:
                        row = WorkFeedback(
                            work_id=work.id,
                            user_id=who.user_id,
                            engine=work.engine,
                            model=model_of(work),
                            created_at=now,
                        )
                        s.add(row)
                    row.vote, row.note, row.updated_at = VOTES[vote], note, now
                    s.flush()
                    return row
            except IntegrityError:
                continue
        raise Invalid("the vote could not be saved; try again", field="vote")

    def withdraw(self, who: Principal, work_id: str) -> None:
        authz.require_scope(who, "write")
        with self.db.transaction() as s:
            row = s.scalar(
                select(WorkFeedback).where(
                    WorkFeedback.work_id == work_id, WorkFeedback.user_id == who.user_id
                )
            )
            if row is not None:
                s.delete(row)

    def tally(self, who: Principal | None, work_id: str) -> Tally:
        work, _ = self.works.get(who, work_id)
        with self.db.transaction() as s:
            counts = dict(
                s.execute(
                    select(WorkFeedback.vote, func.count())
                    .where(WorkFeedback.work_id == work.id)
                    .group_by(WorkFeedback.vote)
                ).all()
            )
            mine = None
            if who is not None:
                mine = s.scalar(
                    select(WorkFeedback).where(
                        WorkFeedback.work_id == work.id, WorkFeedback.user_id == who.user_id
                    )
                )
        return Tally(int(counts.get(1, 0)), int(counts.get(-1, 0)), mine)

    def summary(
        self, who: Principal, engine: str | None = None, since: datetime | None = None
    ) -> list[dict[str, Any]]:
        """Admins: per engine, model and week, the ups and downs, the share of ups with
        its Wilson interval, and the latest notes."""
        authz.require_admin(who)
        query = select(WorkFeedback).order_by(WorkFeedback.updated_at)
        if engine:
            query = query.where(WorkFeedback.engine == engine)
        if since:
            query = query.where(WorkFeedback.updated_at >= since)
        groups: dict[tuple[str, str, datetime], list[WorkFeedback]] = defaultdict(list)
        with self.db.transaction() as s:
            for row in s.scalars(query):
                groups[(row.engine, row.model, week_of(row.updated_at))].append(row)
        out = []
        for (engine_name, model, week), rows in sorted(groups.items()):
            up = sum(1 for r in rows if r.vote > 0)
            out.append(
                {
                    "engine": engine_name,
                    "model": model,
                    "week": week.date().isoformat(),
                    "up": up,
                    "down": len(rows) - up,
                    "share_up": up / len(rows),
                    "ci": judgements.wilson(up, len(rows)),
                    "notes": [r.note for r in reversed(rows) if r.note][:5],
                }
            )
        return out

    def trend(self, who: Principal, engine: str | None = None) -> bytes:
        """An SVG of the weekly share of thumbs up, one line per engine and model."""
        series: dict[str, list[trends.Point]] = defaultdict(list)
        for row in self.summary(who, engine):
            week = datetime.fromisoformat(row["week"])
            series[f"{row['engine']} · {row['model']}"].append((week, row["share_up"]))
        return trends.line_plot(dict(series), "Share of thumbs up, by week", "share up", (0, 1))
