"""The public gallery: which works everyone may see, and search by meaning over them.

A published work's title, prompt and description are embedded once, when it becomes
public (Works.update_many sequences it); a search embeds the query and ranks the public
works' vectors by cosine (unit vectors: a dot product) in numpy."""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from atelier import embeddings
from atelier.accounts import directory
from atelier.errors import Invalid, NotFound
from atelier.store.db import Database
from atelier.store.models import User, Work, WorkEmbedding, utcnow
from atelier.studio.catalogue import Catalogue

# The parameters that say what a work is about (image prompts, text topics).
ABOUT_FIELDS = ("prompt", "topic", "keywords")
TEXT_LIMIT = 2000
MIN_SCORE = 0.2  # below this cosine a work has nothing to do with the query


def shown(work: type[Work] = Work) -> ColumnElement[bool]:
    """Published and not withheld by moderation: what the gallery may show anyone."""
    return and_(
        work.visibility == "public",
        or_(work.review_status.is_(None), work.review_status == "approved"),
    )


def about(title: str, description: str, params: dict[str, Any]) -> str:
    """The text a work is searched by: its title, what it was asked for, its description."""
    parts = [title, description]
    for name in ABOUT_FIELDS:
        value = params.get(name)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if isinstance(value, str):
            parts.append(value)
    return "\n".join(p.strip() for p in parts if p and p.strip())[:TEXT_LIMIT]


def keep_vector(s: Session, work: Work, text: str, vector: bytes) -> None:
    """Store (or replace) the work's vector, in the caller's transaction."""
    row = s.get(WorkEmbedding, work.id)
    if row is None:
        s.add(
            WorkEmbedding(
                work_id=work.id,
                model=embeddings.MODEL_NAME,
                text=text,
                vector=vector,
                created_at=utcnow(),
            )
        )
    else:
        row.model, row.text, row.vector, row.created_at = (
            embeddings.MODEL_NAME,
            text,
            vector,
            utcnow(),
        )


def wall(
    s: Session,
    engines: list[str] | None,
    limit: int,
    offset: int,
    owner_id: str | None = None,
) -> list[tuple[Work, User]]:
    """Published works (of these engines), newest first, each with its creator."""
    query = select(Work, User).join(User, User.id == Work.owner_id).where(shown())
    query = query.where(User.disabled.is_(False))
    if engines is not None:
        query = query.where(Work.engine.in_(engines))
    if owner_id:
        query = query.where(Work.owner_id == owner_id)
    query = query.order_by(Work.updated_at.desc(), Work.id).limit(limit).offset(offset)
    return [(work, user) for work, user in s.execute(query)]


def ranked(
    s: Session, query_vector: np.ndarray, limit: int, exclude: str | None = None
) -> list[tuple[Work, User, float]]:
    """Published works by cosine with `query_vector`, best first, above MIN_SCORE."""
    rows = s.execute(
        select(WorkEmbedding.work_id, WorkEmbedding.vector)
        .join(Work, Work.id == WorkEmbedding.work_id)
        .join(User, User.id == Work.owner_id)
        .where(shown(), User.disabled.is_(False), WorkEmbedding.model == embeddings.MODEL_NAME)
    ).all()
    rows = [row for row in rows if row[0] != exclude]
    if not rows:
        return []
    matrix = np.stack([np.frombuffer(vector, dtype=np.float32) for _, vector in rows])
    scores = matrix @ query_vector.astype(np.float32)
    order = [i for i in np.argsort(-scores) if scores[i] >= MIN_SCORE][:limit]
    found: list[tuple[Work, User, float]] = []
    for i in order:
        work = s.get(Work, rows[i][0])
        assert work is not None
        user = s.get(User, work.owner_id)
        assert user is not None
        found.append((work, user, float(scores[i])))
    return found


def stored_vector(s: Session, work_id: str) -> np.ndarray | None:
    row = s.get(WorkEmbedding, work_id)
    return None if row is None else np.frombuffer(row.vector, dtype=np.float32)


class Gallery:
    """What anyone may see: the wall of published works, search, and creators' pages."""

    def __init__(self, db: Database, engines: Catalogue) -> None:
        self.db = db
        self.engines = engines

    def wall(
        self, medium: str | None = None, limit: int = 48, offset: int = 0
    ) -> list[tuple[Work, User]]:
        """Published works anyone may see (never private, unlisted or held), newest first."""
        with self.db.transaction() as s:
            engines = self.engines.names(medium) if medium else None
            return wall(s, engines, min(limit, 200), offset)

    def examples(self, limit: int = 6) -> list[tuple[Work, User]]:
        """The newest published works that have a preview (a reduced picture, never the
        original): what the landing page shows visitors."""
        with self.db.transaction() as s:
            rows = wall(s, None, limit * 4, 0)
        with_preview = [(w, u) for w, u in rows if any(f.role == "thumbnail" for f in w.files)]
        return with_preview[:limit]

    def search(self, text: str, limit: int = 48) -> list[tuple[Work, User, float]]:
        """Published works ranked by meaning (cosine of sentence vectors) against `text`."""
        text = text.strip()
        if not 1 <= len(text) <= 300:
            raise Invalid("a search is 1 to 300 characters", field="q")
        vector = embeddings.embed([text])[0]
        with self.db.transaction() as s:
            return ranked(s, vector, min(limit, 200))

    def similar(self, work_id: str, limit: int = 12) -> list[tuple[Work, User, float]]:
        """More like this: the published works nearest in meaning to a published work."""
        with self.db.transaction() as s:
            published = s.scalar(select(Work.id).where(Work.id == work_id, shown()))
            vector = stored_vector(s, work_id)
            if published is None or vector is None:
                raise NotFound(
                    "no published work %(work_id)s", field="work_id", params={"work_id": work_id}
                )
            return ranked(s, vector, min(limit, 200), exclude=work_id)

    def creator(
        self, handle: str, limit: int = 48, offset: int = 0
    ) -> tuple[User, list[tuple[Work, User]]]:
        """A creator (by handle) and their published works."""
        with self.db.transaction() as s:
            user = directory.by_handle(s, handle)
            if user is None:
                raise NotFound("no creator %(handle)s", field="handle", params={"handle": handle})
            return user, wall(s, None, min(limit, 200), offset, owner_id=user.id)
