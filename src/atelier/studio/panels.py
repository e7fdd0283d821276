"""Expert panels: an admin or a client puts works (or a kept comparison's pictures) in
front of reviewers, who judge them blind, one at a time, on the panel's criteria.

Blind means: a reviewer's page names no model, engine, work or title; each picture is a
copy stripped of its metadata (a work's C2PA manifest names its engine), made from the
work's preview (what visitors get: reviewers are not owners, admins or licence holders, so
they never get an original); the items come
in an order of the reviewer's own and, in A/B panels, each pair's sides are swapped or not
for each reviewer, drawn from the reviewer's id. Reviewers are accounts with the reviewer
role, or invitation links that need no account (the link's secret stored only as its hash;
links expire and may be revoked). One vote per reviewer and item, by a unique constraint."""

from __future__ import annotations

import hashlib
import json
import secrets
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from atelier.accounts import authz
from atelier.accounts.authz import Principal
from atelier.errors import Conflict, Forbidden, Invalid, NotFound
from atelier.evaluate import panel_results
from atelier.evaluate.models import (
    PANEL_KINDS,
    EvalReport,
    Panel,
    PanelItem,
    PanelReviewer,
    PanelVote,
)
from atelier.settings import Settings
from atelier.store import paging
from atelier.store.artifacts import ArtifactStore
from atelier.store.db import Database
from atelier.store.models import User, Work, utcnow
from atelier.studio.blind import blind_copy
from atelier.studio.works import preview

MAX_ITEMS = 200
MAX_CRITERIA = 6
SCALE = (1, 2, 3, 4, 5)
DEFAULT_CRITERIA = {
    "rate": ["Fidelity to the brief", "Craft", "Originality"],
    "ab": ["Which is better overall?"],
}
INVITATION_DAYS = (1, 90)


@dataclass(frozen=True)
class ItemSpec:
    """An item made of works: `a` alone (rate), or `a` against `b` (ab). Labels name the
    model behind each side; by default the work's engine and the models it ran."""

    a: str
    b: str | None = None
    a_label: str | None = None
    b_label: str | None = None


@dataclass(frozen=True)
class Seat:
    """A reviewer at a panel, and the order in which they see its items."""

    reviewer: PanelReviewer
    panel: Panel
    order: list[PanelItem]
    swapped: list[bool]  # per position in `order`: B shown on the left


@dataclass(frozen=True)
class Showing:
    """What a reviewer sees now: item `number` (0-based in their order) of `total`, or
    nothing more to judge (`item` None)."""

    seat: Seat
    number: int
    total: int
    done: int
    item: PanelItem | None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def work_label(work: Work) -> str:
    """The engine, and the models its lineage says it ran (which setting made it)."""
    models = [
        str(m.get("name"))
        for m in (work.lineage or {}).get("models", [])
        if m.get("kind", "model") == "model"
    ]
    return " · ".join([work.engine, *models])[:100]


def _criteria(kind: str, titles: list[str] | None) -> list[dict[str, str]]:
    titles = [t.strip() for t in (titles or DEFAULT_CRITERIA[kind]) if t.strip()]
    if not 1 <= len(titles) <= MAX_CRITERIA:
        raise Invalid(
            "give 1 to %(MAX_CRITERIA)s criteria",
            field="criteria",
            params={"MAX_CRITERIA": MAX_CRITERIA},
        )
    if any(len(t) > 120 for t in titles) or len(set(titles)) != len(titles):
        raise Invalid("criteria must be different, each at most 120 characters", "criteria")
    return [{"key": f"c{i + 1}", "title": t} for i, t in enumerate(titles)]


def _check_panel(kind: str, title: str) -> str:
    if kind not in PANEL_KINDS:
        raise Invalid("kind must be 'ab' (choose between two) or 'rate' (rate 1–5)", "kind")
    title = title.strip()
    if not 1 <= len(title) <= 200:
        raise Invalid("a panel needs a title of 1 to 200 characters", field="title")
    return title


class Panels:
    def __init__(self, settings: Settings, db: Database, artifacts: ArtifactStore) -> None:
        self.settings = settings
        self.db = db
        self.artifacts = artifacts

    # -- making a panel ----------------------------------------------------------------

    def create(
        self,
        who: Principal,
        title: str,
        kind: str,
        items: list[ItemSpec],
        criteria: list[str] | None = None,
        instructions: str = "",
    ) -> Panel:
        """A panel over works: a client's own works, or any work for an admin."""
        authz.require_panel_maker(who)
        title = _check_panel(kind, title)
        if not 1 <= len(items) <= MAX_ITEMS:
            raise Invalid(
                "a panel has 1 to %(MAX_ITEMS)s items",
                field="items",
                params={"MAX_ITEMS": MAX_ITEMS},
            )
        with self.db.transaction() as s:
            rows = [self._item_of_works(s, who, kind, spec, n) for n, spec in enumerate(items)]
            return self._add(s, who, title, kind, criteria, instructions, rows, None)

    def from_report(
        self,
        who: Principal,
        report_id: str,
        kind: str,
        title: str = "",
        criteria: list[str] | None = None,
        instructions: str = "",
    ) -> Panel:
        """A panel over a kept comparison's pictures (admins): per pair one A/B item, or
        each side's picture as an item to rate; its results show in that report."""
        authz.require_admin(who, "write")
        with self.db.transaction() as s:
            report = s.get(EvalReport, report_id)
            if report is None or report.kind != "compare" or report.sha256 is None:
                raise NotFound(
                    "no finished comparison report %(report_id)s",
                    field="report_id",
                    params={"report_id": report_id},
                )
            title = _check_panel(kind, title or report.title[:200])
            with zipfile.ZipFile(self.artifacts.staged(report.sha256)) as archive:
                kept = json.loads(archive.read("report.json"))
                rows: list[PanelItem] = []
                for number, unit in enumerate(kept["units"][:MAX_ITEMS]):
                    brief = str(unit["input"].get("prompt", ""))
                    pictures = {
                        side: self._blind(archive.read(kept["files"][f"{number:03d}-{side}"]))
                        for side in ("a", "b")
                    }
                    labels = {side: kept[side]["label"] for side in ("a", "b")}
                    sides = [("a", "b")] if kind == "ab" else [("a", None), ("b", None)]
                    for first, second in sides:
                        rows.append(
                            PanelItem(
                                position=len(rows),
                                brief=brief,
                                a_label=labels[first],
                                a_sha256=pictures[first],
                                a_mime="image/png",
                                b_label=labels[second] if second else None,
                                b_sha256=pictures[second] if second else None,
                                b_mime="image/png" if second else None,
                            )
                        )
            return self._add(s, who, title, kind, criteria, instructions, rows, report.id)

    def _add(
        self,
        s: Session,
        who: Principal,
        title: str,
        kind: str,
        criteria: list[str] | None,
        instructions: str,
        items: list[PanelItem],
        report_id: str | None,
    ) -> Panel:
        if len(instructions) > 2000:
            raise Invalid("instructions are at most 2,000 characters", field="instructions")
        panel = Panel(
            owner_id=who.user_id,
            title=title,
            kind=kind,
            criteria=_criteria(kind, criteria),
            instructions=instructions.strip(),
            report_id=report_id,
            created_at=utcnow(),
        )
        panel.items = items[:MAX_ITEMS]
        s.add(panel)
        s.flush()
        return panel

    def _item_of_works(
        self, s: Session, who: Principal, kind: str, spec: ItemSpec, position: int
    ) -> PanelItem:
        if (spec.b is None) != (kind == "rate"):
            raise Invalid(
                "item %(number)s: a %(kind)s panel's item is two works (a and b)"
                if kind == "ab"
                else "item %(number)s: a %(kind)s panel's item is one work (a)",
                "items",
                params={"number": position + 1, "kind": kind},
            )
        sides = {}
        for side, work_id, label in (("a", spec.a, spec.a_label), ("b", spec.b, spec.b_label)):
            if work_id is None:
                continue
            work = authz.owned_or_admin(s, Work, who, work_id)
            if not work.mime.startswith("image/"):
                raise Invalid(
                    "item %(number)s: work %(work_id)s is %(mime)s; panels show pictures",
                    field="items",
                    params={"number": position + 1, "work_id": work.id, "mime": work.mime},
                )
            shown = preview(work)
            if shown is None:
                raise Invalid(
                    "item %(number)s: work %(work_id)s has no preview to show reviewers",
                    field="items",
                    params={"number": position + 1, "work_id": work.id},
                )
            picture = self._blind(self.artifacts.read(shown.sha256))
            sides[side] = (picture, (label or work_label(work)).strip()[:100], work.id)
        if "b" in sides and sides["a"][1] == sides["b"][1]:
            raise Invalid(
                "item %(number)s: both sides are %(label)s; an A/B item compares two models "
                "(give each side its label)",
                field="items",
                params={"number": position + 1, "label": repr(sides["a"][1])},
            )
        a, b = sides["a"], sides.get("b")
        return PanelItem(
            position=position,
            brief=self._brief(s, spec.a),
            a_label=a[1],
            a_sha256=a[0],
            a_mime="image/png",
            a_work_id=a[2],
            b_label=b[1] if b else None,
            b_sha256=b[0] if b else None,
            b_mime="image/png" if b else None,
            b_work_id=b[2] if b else None,
        )

    @staticmethod
    def _brief(s: Session, work_id: str) -> str:
        work = s.get(Work, work_id)
        prompt = work.params.get("prompt") if work is not None else None
        return prompt[:2000] if isinstance(prompt, str) else ""

    def _blind(self, data: bytes) -> str:
        return self.artifacts.put(blind_copy(data))

    # -- the owner's side --------------------------------------------------------------

    def listed(
        self, who: Principal, limit: int = 500, after: paging.After | None = None
    ) -> list[tuple[Panel, int, int]]:
        """The panels `who` made (an admin: all), newest first, with reviewers and votes."""
        query = select(Panel)
        if not authz.is_admin(who):
            query = query.where(Panel.owner_id == who.user_id)
        with self.db.transaction() as s:
            panels = list(
                s.scalars(paging.page(query, Panel.created_at, Panel.id, limit, 0, after))
            )
            return [(p, *self._counts(s, p.id)) for p in panels]

    @staticmethod
    def _counts(s: Session, panel_id: str) -> tuple[int, int]:
        reviewers = s.scalar(select(func.count()).where(PanelReviewer.panel_id == panel_id))
        votes = s.scalar(select(func.count()).where(PanelVote.panel_id == panel_id))
        return int(reviewers or 0), int(votes or 0)

    def get(self, who: Principal, panel_id: str) -> Panel:
        with self.db.transaction() as s:
            return authz.owned_or_admin(s, Panel, who, panel_id)

    def for_report(self, who: Principal, report_id: str) -> list[Panel]:
        authz.require_admin(who)
        with self.db.transaction() as s:
            query = select(Panel).where(Panel.report_id == report_id).order_by(Panel.created_at)
            return list(s.scalars(query))

    def reviewers(
        self, who: Principal, panel_id: str, limit: int = 1000, after: paging.After | None = None
    ) -> list[tuple[PanelReviewer, int]]:
        """The panel's reviewers, oldest first, each with the votes they gave."""
        query = (
            select(PanelReviewer, func.count(PanelVote.id))
            .outerjoin(PanelVote, PanelVote.reviewer_id == PanelReviewer.id)
            .where(PanelReviewer.panel_id == panel_id)
            .group_by(PanelReviewer.id)
        )
        at, id_ = PanelReviewer.created_at, PanelReviewer.id
        with self.db.transaction() as s:
            authz.owned_or_admin(s, Panel, who, panel_id)
            rows = s.execute(paging.page(query, at, id_, limit, 0, after, True)).all()
            return [(reviewer, int(count)) for reviewer, count in rows]

    def add_reviewer(self, who: Principal, panel_id: str, email: str) -> PanelReviewer:
        """Seat an account with the reviewer role (or an admin) on the panel."""
        authz.require_scope(who, "write")
        with self.db.transaction() as s:
            panel = self._open(s, who, panel_id)
            user = s.scalar(select(User).where(User.email == email.strip().lower()))
            if user is None or user.disabled:
                raise NotFound(
                    "no account %(email)s", field="email", params={"email": email.strip()}
                )
            if not authz.may_review(user.role):
                raise Invalid(
                    "%(email)s is a %(role)s; an admin gives it the reviewer role first",
                    field="email",
                    params={"email": user.email, "role": user.role},
                )
            if s.scalar(
                select(PanelReviewer).where(
                    PanelReviewer.panel_id == panel.id, PanelReviewer.user_id == user.id
                )
            ):
                raise Conflict(
                    "%(email)s already reviews this panel",
                    field="email",
                    params={"email": user.email},
                )
            reviewer = PanelReviewer(panel_id=panel.id, name=user.email, user_id=user.id)
            s.add(reviewer)
            s.flush()
            return reviewer

    def invite(
        self, who: Principal, panel_id: str, name: str, days: int = 14
    ) -> tuple[PanelReviewer, str]:
        """A new invitation link's reviewer and its secret (shown once; kept as a hash)."""
        authz.require_scope(who, "write")
        low, high = INVITATION_DAYS
        if not low <= days <= high:
            raise Invalid(
                "an invitation lasts %(low)s to %(high)s days",
                field="days",
                params={"low": low, "high": high},
            )
        name = name.strip()[:100] or "invited reviewer"
        token = secrets.token_urlsafe(32)
        with self.db.transaction() as s:
            panel = self._open(s, who, panel_id)
            reviewer = PanelReviewer(
                panel_id=panel.id,
                name=name,
                token_hash=token_hash(token),
                expires_at=utcnow() + timedelta(days=days),
            )
            s.add(reviewer)
            s.flush()
            return reviewer, token

    def link(self, token: str) -> str:
        return f"{self.settings.resolved_public_url}/review/{token}"

    def revoke(self, who: Principal, panel_id: str, reviewer_id: str) -> PanelReviewer:
        """The reviewer's link (or seat) stops working; votes already given stay."""
        authz.require_scope(who, "write")
        with self.db.transaction() as s:
            authz.owned_or_admin(s, Panel, who, panel_id)
            reviewer = s.get(PanelReviewer, reviewer_id)
            if reviewer is None or reviewer.panel_id != panel_id:
                raise NotFound(
                    "no reviewer %(reviewer_id)s on this panel",
                    field="reviewer_id",
                    params={"reviewer_id": reviewer_id},
                )
            reviewer.revoked_at = reviewer.revoked_at or utcnow()
            return reviewer

    def close(self, who: Principal, panel_id: str) -> Panel:
        """No more votes; the results stay."""
        authz.require_scope(who, "write")
        with self.db.transaction() as s:
            panel = authz.owned_or_admin(s, Panel, who, panel_id)
            panel.closed_at = panel.closed_at or utcnow()
            return panel

    def _open(self, s: Session, who: Principal, panel_id: str) -> Panel:
        panel = authz.owned_or_admin(s, Panel, who, panel_id)
        if panel.closed_at is not None:
            raise Conflict("this panel is closed", field="panel_id")
        return panel

    def results(self, who: Principal, panel_id: str) -> dict[str, Any]:
        with self.db.transaction() as s:
            panel = authz.owned_or_admin(s, Panel, who, panel_id)
            votes = list(s.scalars(select(PanelVote).where(PanelVote.panel_id == panel.id)))
            return panel_results.summarise(panel.kind, panel.criteria, panel.items, votes)

    def csv(self, who: Principal, panel_id: str) -> str:
        with self.db.transaction() as s:
            panel = authz.owned_or_admin(s, Panel, who, panel_id)
            votes = list(s.scalars(select(PanelVote).where(PanelVote.panel_id == panel.id)))
            names = {
                r.id: r.name
                for r in s.scalars(select(PanelReviewer).where(PanelReviewer.panel_id == panel.id))
            }
            return panel_results.to_csv(panel.criteria, panel.items, votes, names)

    # -- the reviewer's side -----------------------------------------------------------

    def seat_by_token(self, token: str) -> Seat:
        """The seat an invitation link opens; refused when expired or revoked."""
        with self.db.transaction() as s:
            reviewer = s.scalar(
                select(PanelReviewer).where(PanelReviewer.token_hash == token_hash(token[:100]))
            )
            if reviewer is None:
                raise NotFound("this review link is not known; ask for a new one", "token")
            return self._seat(s, reviewer)

    def seat_for(self, who: Principal, panel_id: str) -> Seat:
        """A signed-in reviewer's seat at a panel they were given."""
        with self.db.transaction() as s:
            reviewer = s.scalar(
                select(PanelReviewer).where(
                    PanelReviewer.panel_id == panel_id, PanelReviewer.user_id == who.user_id
                )
            )
            if reviewer is None:
                raise NotFound(
                    "no panel %(panel)s for you to review",
                    field="panel_id",
                    params={"panel": panel_id},
                )
            return self._seat(s, reviewer)

    def assigned(self, who: Principal) -> list[tuple[Panel, int]]:
        """The panels a signed-in account reviews (not revoked), with the votes it gave."""
        with self.db.transaction() as s:
            rows = s.execute(
                select(Panel, PanelReviewer.id)
                .join(PanelReviewer, PanelReviewer.panel_id == Panel.id)
                .where(PanelReviewer.user_id == who.user_id, PanelReviewer.revoked_at.is_(None))
                .order_by(Panel.created_at.desc())
            ).all()
            return [
                (
                    panel,
                    int(s.scalar(select(func.count()).where(PanelVote.reviewer_id == rid)) or 0),
                )
                for panel, rid in rows
            ]

    @staticmethod
    def _seat(s: Session, reviewer: PanelReviewer) -> Seat:
        _check_seat(reviewer)
        panel = s.get(Panel, reviewer.panel_id)
        assert panel is not None
        # The reviewer's own order and sides, the same every time they come back.
        rng = np.random.default_rng(int(reviewer.id, 16))
        order = [panel.items[i] for i in rng.permutation(len(panel.items))]
        swapped = [bool(x) for x in rng.integers(0, 2, len(order))]
        return Seat(reviewer, panel, order, swapped)

    def showing(self, seat: Seat) -> Showing:
        """The first item in the reviewer's order they have not judged yet."""
        with self.db.transaction() as s:
            mine = select(PanelVote.item_id).where(PanelVote.reviewer_id == seat.reviewer.id)
            voted = set(s.scalars(mine))
        for number, item in enumerate(seat.order):
            if item.id not in voted:
                return Showing(seat, number, len(seat.order), len(voted), item)
        return Showing(seat, len(seat.order), len(seat.order), len(voted), None)

    def picture(self, seat: Seat, number: int, place: str) -> tuple[str, Path]:
        """A picture of the reviewer's item `number`: "left", "right", or "only"."""
        if not 0 <= number < len(seat.order):
            raise NotFound("no item %(number)s", field="number", params={"number": number + 1})
        item, swapped = seat.order[number], seat.swapped[number]
        if place == "only" and item.b_sha256 is None:
            return item.a_mime, self.artifacts.staged(item.a_sha256)
        if place not in ("left", "right") or item.b_sha256 is None or item.b_mime is None:
            raise NotFound(
                "no %(place)s picture for item %(number)s",
                field="place",
                params={"place": place, "number": number + 1},
            )
        side_b = (place == "left") == swapped
        if side_b:
            return item.b_mime, self.artifacts.staged(item.b_sha256)
        return item.a_mime, self.artifacts.staged(item.a_sha256)

    def vote(self, seat: Seat, number: int, answers: dict[str, str]) -> PanelVote:
        """Record the reviewer's judgement of their item `number`: for each criterion a
        rating "1"–"5" (rate) or "left"/"right" (ab). Once per item: a second vote for it,
        from any tab, is a conflict."""
        if not 0 <= number < len(seat.order):
            raise NotFound("no item %(number)s", field="number", params={"number": number + 1})
        item, swapped = seat.order[number], seat.swapped[number]
        recorded: dict[str, Any] = {}
        for criterion in seat.panel.criteria:
            given = str(answers.get(criterion["key"], "")).strip()
            if seat.panel.kind == "rate":
                if given not in {str(v) for v in SCALE}:
                    raise Invalid(
                        "rate “%(criterion)s” from 1 to 5",
                        criterion["key"],
                        params={"criterion": criterion["title"]},
                    )
                recorded[criterion["key"]] = int(given)
            else:
                if given not in ("left", "right"):
                    raise Invalid(
                        "choose left or right for “%(criterion)s”",
                        "answers",
                        params={"criterion": criterion["title"]},
                    )
                recorded[criterion["key"]] = "b" if (given == "left") == swapped else "a"
        try:
            with self.db.transaction() as s:
                if s.scalar(
                    select(PanelVote.id).where(
                        PanelVote.reviewer_id == seat.reviewer.id, PanelVote.item_id == item.id
                    )
                ):
                    raise Conflict("you have already judged this item", field="number")
                reviewer = s.get(PanelReviewer, seat.reviewer.id)
                panel = s.get(Panel, seat.panel.id)
                if reviewer is None or panel is None:
                    raise NotFound("this panel is gone", field="panel_id")
                _check_seat(reviewer)  # revoked or expired since the page was shown
                if panel.closed_at is not None:
                    raise Conflict("this panel is closed; thank you", field="panel_id")
                vote = PanelVote(
                    panel_id=seat.panel.id,
                    item_id=item.id,
                    reviewer_id=seat.reviewer.id,
                    answers=recorded,
                    swapped=swapped and item.b_sha256 is not None,
                    created_at=utcnow(),
                )
                s.add(vote)
                s.flush()
                return vote
        except IntegrityError:  # the same item from another tab, at the same moment
            raise Conflict("you have already judged this item", field="number") from None


def expired(reviewer: PanelReviewer, now: datetime | None = None) -> bool:
    return reviewer.expires_at is not None and reviewer.expires_at <= (now or utcnow())


def _check_seat(reviewer: PanelReviewer) -> None:
    if reviewer.revoked_at is not None:
        raise Forbidden("this review link was revoked by the panel's owner", field="token")
    if expired(reviewer):
        assert reviewer.expires_at is not None
        when = reviewer.expires_at.strftime("%Y-%m-%d %H:%M UTC")
        raise Forbidden(
            "this review link expired on %(when)s", field="token", params={"when": when}
        )
