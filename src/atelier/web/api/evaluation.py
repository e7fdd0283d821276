"""Evaluation: kept reports and comparisons started as jobs (admins), and expert panels
(their makers: admins and clients). Reviewers vote on the pages (web/pages/review.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from atelier.accounts.authz import Principal
from atelier.evaluate.models import Panel, PanelReviewer
from atelier.store.paging import After
from atelier.studio import Studio
from atelier.studio.evaluation import Kept
from atelier.studio.panels import ItemSpec, expired
from atelier.web.deps import get_studio, principal
from atelier.web.openapi import content
from atelier.web.paging import Window, window
from atelier.web.schemas.common import Page, Words

router = APIRouter(tags=["evaluation"])


def _time(value: datetime | None) -> str | None:
    return value.isoformat() + "Z" if value else None


# -- shapes ------------------------------------------------------------------------------


class ReportOut(BaseModel):
    id: str
    kind: str
    title: str
    engine: str | None
    labels: dict[str, str]
    spec: dict[str, Any]
    summary: dict[str, Any] = Field(description="Per metric: title, higher_is_better, a, b…")
    origin: str
    created_by: str | None = Field(description="The e-mail of who made it; null: the CLI.")
    created_at: str | None
    finished_at: str | None
    status: str
    progress: float
    error: str | None
    job_id: str | None
    files: str | None = Field(description="Where the report's own pages are (index.html).")


def report_out(kept: Kept) -> ReportOut:
    row = kept.report
    return ReportOut(
        id=row.id,
        kind=row.kind,
        title=row.title,
        engine=row.engine,
        labels={"a": row.label_a, "b": row.label_b},
        spec=row.spec,
        summary=row.summary,
        origin=row.origin,
        created_by=kept.by,
        created_at=_time(row.created_at),
        finished_at=_time(row.finished_at),
        status=kept.status,
        progress=round(kept.progress, 4),
        error=kept.error,
        job_id=row.job_id,
        files=f"/admin/evaluation/reports/{row.id}/files/index.html" if row.sha256 else None,
    )


class ReviewerOut(BaseModel):
    id: str
    name: str
    account: bool = Field(description="A studio account (true) or an invitation link.")
    created_at: str | None
    expires_at: str | None
    revoked_at: str | None
    state: Literal["active", "expired", "revoked"]
    votes: int


def reviewer_out(reviewer: PanelReviewer, votes: int = 0) -> ReviewerOut:
    state: Literal["active", "expired", "revoked"] = (
        "revoked" if reviewer.revoked_at else "expired" if expired(reviewer) else "active"
    )
    return ReviewerOut(
        id=reviewer.id,
        name=reviewer.name,
        account=reviewer.user_id is not None,
        created_at=_time(reviewer.created_at),
        expires_at=_time(reviewer.expires_at),
        revoked_at=_time(reviewer.revoked_at),
        state=state,
        votes=votes,
    )


class InvitationOut(BaseModel):
    reviewer: ReviewerOut
    link: str = Field(description="The invitation link: shown once, stored only as a hash.")


class ItemOut(BaseModel):
    position: int
    brief: str
    a_label: str
    b_label: str | None
    a_work_id: str | None
    b_work_id: str | None


class PanelOut(BaseModel):
    id: str
    title: str
    kind: str
    criteria: list[dict[str, str]]
    instructions: str
    report_id: str | None
    created_at: str | None
    closed_at: str | None
    items: list[ItemOut]


def panel_out(panel: Panel) -> PanelOut:
    return PanelOut(
        id=panel.id,
        title=panel.title,
        kind=panel.kind,
        criteria=panel.criteria,
        instructions=panel.instructions,
        report_id=panel.report_id,
        created_at=_time(panel.created_at),
        closed_at=_time(panel.closed_at),
        items=[
            ItemOut(
                position=i.position,
                brief=i.brief,
                a_label=i.a_label,
                b_label=i.b_label,
                a_work_id=i.a_work_id,
                b_work_id=i.b_work_id,
            )
            for i in panel.items
        ],
    )


class CriterionResult(BaseModel):
    key: str
    title: str
    labels: dict[str, dict[str, Any]] = Field(
        description="Per model: mean, ci, n (rate); wins, comparisons, win_rate, ci (ab)."
    )
    bradley_terry: dict[str, dict[str, Any]] | None = Field(
        None, description="A/B panels: per model its strength, interval and log score."
    )
    alpha: float | None = Field(description="Krippendorff's alpha; null when undefined.")
    alpha_level: str


class ResultsOut(BaseModel):
    items: int
    votes: int
    reviewers: int
    confidence: float
    criteria: list[CriterionResult]


# -- reports (admins) ------------------------------------------------------------------


class SideIn(BaseModel):
    engine: str = Field(max_length=100)
    params: dict[str, Any] = Field(default_factory=dict)
    label: Words = Field(min_length=1, max_length=100)


class ComparisonIn(BaseModel):
    a: SideIn
    b: SideIn
    items: list[dict[str, Any]] | None = Field(None, max_length=100)
    seeds: list[int] = Field([1], min_length=1, max_length=10)


@router.get("/admin/evaluation/reports")
def list_reports(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    kind: Literal["compare", "image"] | None = None,
    engine: str | None = Query(None, max_length=100),
    page: Window = Depends(window()),
) -> Page[ReportOut]:
    """Kept reports, newest first; a comparison still running shows its job's progress."""
    rows = studio.evaluation.reports(who, kind, engine, page.fetch, after=page.after)
    shown, next_url = page.page(rows, lambda k: After(k.report.created_at, k.report.id))
    return Page[ReportOut](items=[report_out(k) for k in shown], next=next_url)


@router.get("/admin/evaluation/reports/{report_id}")
def get_report(
    report_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> ReportOut:
    return report_out(studio.evaluation.report(who, report_id))


@router.post("/admin/evaluation/comparisons", status_code=201)
def start_comparison(
    body: ComparisonIn, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> ReportOut:
    """Compare one engine under two settings as an eval.compare job; the report is kept."""
    row = studio.evaluation.start_comparison(
        who, body.a.model_dump(), body.b.model_dump(), body.items, body.seeds, origin="api"
    )
    return report_out(studio.evaluation.report(who, row.id))


# -- panels --------------------------------------------------------------------------------


class ItemIn(BaseModel):
    a: str = Field(min_length=32, max_length=32, description="A work id.")
    b: str | None = Field(None, min_length=32, max_length=32, description="A/B: the other.")
    a_label: str | None = Field(None, max_length=100, description="Default: engine · models.")
    b_label: str | None = Field(None, max_length=100)


class PanelIn(BaseModel):
    title: Words = Field(min_length=1, max_length=200)
    kind: Literal["ab", "rate"]
    criteria: list[str] | None = Field(None, max_length=6)
    instructions: str = Field("", max_length=2000)
    items: list[ItemIn] | None = Field(None, max_length=200, description="Works to judge.")
    report_id: str | None = Field(
        None, max_length=32, description="Or a kept comparison's pictures (admins)."
    )


class InvitationIn(BaseModel):
    name: str = Field("", max_length=100, description="Whom it is for (the owner's note).")
    days: int = Field(14, ge=1, le=90)


class ReviewerIn(BaseModel):
    email: str = Field(max_length=320, description="An account with the reviewer role.")


@router.post("/panels", status_code=201)
def create_panel(
    body: PanelIn, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> PanelOut:
    """A panel over works (`items`) or over a kept comparison (`report_id`)."""
    if body.report_id is not None:
        panel = studio.panels.from_report(
            who, body.report_id, body.kind, body.title, body.criteria, body.instructions
        )
    else:
        specs = [ItemSpec(i.a, i.b, i.a_label, i.b_label) for i in body.items or []]
        panel = studio.panels.create(
            who, body.title, body.kind, specs, body.criteria, body.instructions
        )
    return panel_out(panel)


@router.get("/panels")
def list_panels(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    page: Window = Depends(window()),
) -> Page[PanelOut]:
    """The panels you made (an admin: all), newest first."""
    rows = [panel for panel, _, _ in studio.panels.listed(who, page.fetch, page.after)]
    shown, next_url = page.page(rows, lambda p: After(p.created_at, p.id))
    return Page[PanelOut](items=[panel_out(p) for p in shown], next=next_url)


@router.get("/panels/{panel_id}")
def get_panel(
    panel_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> PanelOut:
    return panel_out(studio.panels.get(who, panel_id))


@router.post("/panels/{panel_id}/close")
def close_panel(
    panel_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> PanelOut:
    return panel_out(studio.panels.close(who, panel_id))


@router.get("/panels/{panel_id}/reviewers")
def list_reviewers(
    panel_id: str,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    page: Window = Depends(window()),
) -> Page[ReviewerOut]:
    """The panel's reviewers, oldest first, each with the votes they gave."""
    rows = studio.panels.reviewers(who, panel_id, page.fetch, page.after)
    shown, next_url = page.page(rows, lambda row: After(row[0].created_at, row[0].id))
    return Page[ReviewerOut](items=[reviewer_out(r, n) for r, n in shown], next=next_url)


@router.post("/panels/{panel_id}/invitations", status_code=201)
def invite(
    panel_id: str,
    body: InvitationIn,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> InvitationOut:
    """A one-person invitation link that needs no account; it expires after `days`."""
    reviewer, token = studio.panels.invite(who, panel_id, body.name, body.days)
    return InvitationOut(reviewer=reviewer_out(reviewer), link=studio.panels.link(token))


@router.post("/panels/{panel_id}/reviewers", status_code=201)
def add_reviewer(
    panel_id: str,
    body: ReviewerIn,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> ReviewerOut:
    return reviewer_out(studio.panels.add_reviewer(who, panel_id, body.email))


@router.post("/panels/{panel_id}/reviewers/{reviewer_id}/revoke")
def revoke_reviewer(
    panel_id: str,
    reviewer_id: str,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> ReviewerOut:
    """The link or seat stops working at once; the votes given stay."""
    return reviewer_out(studio.panels.revoke(who, panel_id, reviewer_id))


@router.get("/panels/{panel_id}/results")
def panel_results(
    panel_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> ResultsOut:
    return ResultsOut.model_validate(studio.panels.results(who, panel_id))


@router.get(
    "/panels/{panel_id}/results.csv", response_class=Response, responses=content("text/csv")
)
def panel_csv(
    panel_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> Response:
    """Every answer as CSV: item, brief, models, reviewer, criterion, answer, chosen model."""
    return Response(
        studio.panels.csv(who, panel_id),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="panel-{panel_id}.csv"'},
    )
