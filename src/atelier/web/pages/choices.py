"""Galleries on the create forms: a field picked from a gallery (a style, an instrument)
is a set of radio buttons, each with its sample (a picture of the style on the reference
photo, or a few seconds of the sound), so it works without script; the samples' files,
made on their first request when set-up has not made them (studio/choices.py)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response

from atelier.accounts.authz import Principal
from atelier.engines.galleries import PICTURE, REFERENCE, media_type
from atelier.errors import StudioError
from atelier.studio import Studio
from atelier.web.deps import get_studio, page_principal, signed_in
from atelier.web.i18n import gettext
from atelier.web.pages.common import missing
from atelier.web.pages.forms import FormField

router = APIRouter(include_in_schema=False)
# Samples change only with the code that makes them (their folder is versioned).
KEPT_A_DAY = "public, max-age=86400"


@dataclass(frozen=True)
class Tile:
    """One radio button of a gallery: what it posts, its name, its picture or sound."""

    value: str
    label: str
    picture: str = ""
    sound: str = ""


def sample_url(name: str) -> str:
    return f"/choices/{name}"


def pickers(studio: Studio, who: Principal, fields: list[FormField]) -> dict[str, list[Tile]]:
    """The tiles of each gallery field: the empty choice first (when the field may be
    left empty; shown by the reference picture in an image gallery), the gallery's
    choices, then the caller's own house styles where the field takes them."""
    shown: dict[str, list[Tile]] = {}
    sounds = studio.choices.sounds_problem() is None
    own = [m for m in studio.models.mine(who) if m.kind == "style"] if _takes_styles(fields) else []
    for field in fields:
        if not field.gallery:
            continue
        choices = studio.choices.choices(field.gallery)
        pictures = media_type(choices[0].sample) == PICTURE
        tiles = []
        if field.default is None and not field.required:
            empty = gettext(field.none) if field.none else gettext("None")  # web/data_texts.py
            tiles.append(Tile("", empty, picture=sample_url(REFERENCE) if pictures else ""))
        for choice in choices:
            url = sample_url(choice.sample)
            if pictures:
                tiles.append(Tile(str(choice.value), choice.label, picture=url))
            else:
                tiles.append(Tile(str(choice.value), choice.label, sound=url if sounds else ""))
        if "style" in field.models:
            for model in own:
                label = gettext("%(name)s (your house style)") % {"name": model.name}
                tiles.append(Tile(model.id, label, picture=f"/choices/house-styles/{model.id}"))
        shown[field.name] = tiles
    return shown


def _takes_styles(fields: list[FormField]) -> bool:
    return any(f.gallery and "style" in f.models for f in fields)


@router.get("/choices/house-styles/{model_id}", response_class=FileResponse)
def house_style_sample(
    model_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    studio: Studio = Depends(get_studio),
) -> Response:
    """A house style of the caller's (or shared with them) on the reference picture."""
    try:
        model = studio.models.get(who, model_id[:32])
        if model.kind != "style":
            return missing(request, who, "house style")
        path = studio.choices.house_style(model.weights_sha256)
    except StudioError:
        return missing(request, who, "house style")
    return FileResponse(
        path, media_type=PICTURE, headers={"Cache-Control": "private, max-age=86400"}
    )


@router.get("/choices/{name}", response_class=FileResponse)
def sample(
    name: str,
    request: Request,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    """A gallery's sample: a style's swatch (WebP) or an instrument's or style's sound
    (MP3), the same for everyone."""
    try:
        path, mime = studio.choices.sample(name[:80])
    except StudioError:
        return missing(request, who, "sample")
    return FileResponse(path, media_type=mime, headers={"Cache-Control": KEPT_A_DAY})
