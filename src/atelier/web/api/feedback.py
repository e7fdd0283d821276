"""Feedback on works: a viewer's thumbs up or down with an optional note (one per user
and work, changed by sending another), and the admins' tally per engine and model."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from atelier.accounts.authz import Principal
from atelier.studio import Studio
from atelier.studio.feedback import Tally
from atelier.web.deps import get_studio, optional_principal, principal

router = APIRouter(tags=["feedback"])


class FeedbackIn(BaseModel):
    vote: Literal["up", "down"]
    note: str = Field("", max_length=1000)


class MyVote(BaseModel):
    vote: Literal["up", "down"]
    note: str
    updated_at: str


class TallyOut(BaseModel):
    work_id: str
    up: int
    down: int
    mine: MyVote | None = Field(description="The caller's own vote, if any.")


class WeekOut(BaseModel):
    engine: str
    model: str
    week: str = Field(description="The Monday that starts the week (UTC).")
    up: int
    down: int
    share_up: float
    ci: list[float] = Field(description="95 % Wilson interval of the share of ups.")
    notes: list[str] = Field(description="The latest notes, newest first (at most 5).")


def tally_out(work_id: str, tally: Tally) -> TallyOut:
    mine = None
    if tally.mine is not None:
        mine = MyVote(
            vote="up" if tally.mine.vote > 0 else "down",
            note=tally.mine.note,
            updated_at=tally.mine.updated_at.isoformat() + "Z",
        )
    return TallyOut(work_id=work_id, up=tally.up, down=tally.down, mine=mine)


@router.get("/works/{work_id}/feedback")
def get_feedback(
    work_id: str,
    who: Principal | None = Depends(optional_principal),
    studio: Studio = Depends(get_studio),
) -> TallyOut:
    """The work's ups and downs, and the caller's own vote."""
    return tally_out(work_id, studio.feedback.tally(who, work_id))


@router.put("/works/{work_id}/feedback")
def put_feedback(
    work_id: str,
    body: FeedbackIn,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> TallyOut:
    """Rate a work you may see; a second PUT changes your vote."""
    studio.feedback.vote(who, work_id, body.vote, body.note)
    return tally_out(work_id, studio.feedback.tally(who, work_id))


@router.delete("/works/{work_id}/feedback")
def delete_feedback(
    work_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> TallyOut:
    """Withdraw your vote."""
    studio.feedback.withdraw(who, work_id)
    return tally_out(work_id, studio.feedback.tally(who, work_id))


@router.get("/admin/feedback")
def feedback_summary(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    engine: str | None = Query(None, max_length=100),
    since: datetime | None = Query(None, description="From this time (UTC)."),
) -> list[WeekOut]:
    """Per engine, model and week: ups, downs, the share of ups and the latest notes."""
    return [WeekOut.model_validate(row) for row in studio.feedback.summary(who, engine, since)]
