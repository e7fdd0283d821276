"""What every page module shares: the templates, `render` (and `render_form` for the
forms used before signing in), and how a work is shown (a text work's words, the engines
it may feed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from atelier.accounts.authz import Principal
from atelier.commerce import money
from atelier.engines.kinds import kind_of
from atelier.errors import StudioError
from atelier.store.models import Work
from atelier.studio import Studio
from atelier.studio.catalogue import params_schema
from atelier.studio.works import input_files
from atelier.web import i18n
from atelier.web.pages import presession
from atelier.web.pages.forms import form_fields

templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")
# Pages speak the request's language (web/i18n.py): {% trans %} and _() from its catalogue.
templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_gettext_callables(  # type: ignore[attr-defined]
    i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext
)
# Every page shows money one way: money(amount, currency) → "EUR 1,234.50" (in the page's
# language); money_plain gives a form field's value ("1234.50"). Dates and counts too:
# `x | day`, `x | moment`, `n | number`, `n | signed` (+1.5, -0.37).
templates.env.globals.update(
    money=i18n.amount,
    money_plain=money.plain,
    language=i18n.language,
    languages=i18n.LANGUAGES,
    html_lang=i18n.html_lang,
)
# `text | tr`: a text that is not in the template (an engine's title, a field's hint) in the
# page's language when the catalogue has it; unlike _() it is escaped and never formatted.
templates.env.filters.update(
    tr=i18n.gettext, day=i18n.day, moment=i18n.moment, number=i18n.number, signed=i18n.signed
)
MEDIA = ("image", "music", "text")
TEXT_PREVIEW_BYTES = 200_000  # text works up to this size are shown on their pages


def render(
    request: Request, name: str, who: Principal | None, status: int = 200, **context: Any
) -> HTMLResponse:
    studio = getattr(request.app.state, "studio", None)  # "warming up" on every page
    warming = studio.warmups.report().warming if studio is not None else []
    return templates.TemplateResponse(
        request, name, {"who": who, "warming": warming, **context}, status_code=status
    )


def render_form(
    request: Request, name: str, who: Principal | None, status: int = 200, **context: Any
) -> HTMLResponse:
    """A page whose form is used before signing in, with its CSRF token (presession)."""
    value = presession.token(request)
    response = render(request, name, who, status, form_token=value, **context)
    presession.keep(request, response, value)
    return response


def missing(
    request: Request, who: Principal | None, what: str, status: int = 404, **context: Any
) -> HTMLResponse:
    """A "No such …" page; `what` is one of web/words.py's THINGS (shown translated)."""
    return render(request, "missing.html", who, status=status, what=i18n.gettext(what), **context)


def text_of(studio: Studio, who: Principal | None, work: dict[str, Any]) -> str | None:
    """A text work's words as this viewer may read them, to show on its page: the whole
    text, or its excerpt for whoever may not have the original (None: not text, held, no
    excerpt, or too long)."""
    if not work["mime"].startswith("text/"):
        return None
    try:
        file, path = studio.works.shown_file(who, work["id"])
    except StudioError:
        return None
    if file.size > TEXT_PREVIEW_BYTES:
        return None
    return path.read_text(encoding="utf-8", errors="replace")


def input_targets(studio: Studio, work: Work) -> list[dict[str, str]]:
    """Engines with an upload field that takes one of the work's files: "use as input"."""
    kinds = {kind_of(f.mime) for f in input_files(work)}
    targets = []
    for engine in studio.engines.all():
        if engine.available() is not None:
            continue
        for field in form_fields(params_schema(engine)):
            if field.kind == "file" and kinds & set(field.kinds) and not field.mask_for:
                label = f"{engine.title}: {field.label}"
                targets.append({"value": f"{engine.name}:{field.name}", "label": label})
    return targets
