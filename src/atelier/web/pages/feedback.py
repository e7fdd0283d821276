"""A viewer's thumbs up or down on a work's page (one per viewer, changed by voting
again); the rules are the studio's (studio/feedback.py)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from atelier.accounts.authz import Principal
from atelier.errors import StudioError
from atelier.studio import Studio
from atelier.web import i18n, ratelimit
from atelier.web.deps import checked_form, get_studio, page_principal, signed_in

router = APIRouter(include_in_schema=False)


@router.post(
    "/works/{work_id}/feedback", dependencies=[Depends(ratelimit.limit("votes", page_principal))]
)
async def vote(
    work_id: str,
    who: Principal = Depends(signed_in),
    form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    try:
        studio.feedback.vote(
            who, work_id[:32], str(form.get("vote", "")), str(form.get("note", ""))[:2000]
        )
    except StudioError as exc:
        return Response(i18n.shown(exc), status_code=exc.status)
    return RedirectResponse(f"/works/{work_id[:32]}#feedback-title", status_code=303)
