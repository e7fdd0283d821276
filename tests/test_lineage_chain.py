"""Rights lineage through every input: a work used as input, or downloaded and uploaded
again (found by hash, C2PA manifest, watermark or melody fingerprint), brings its whole
lineage into what is made from it, along any chain of engines; a non-commercial ancestor
keeps every descendant off commercial offers, and no affirmation overrides it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from music21 import converter
from PIL import Image

from atelier.accounts.authz import Principal
from atelier.commerce import lineage
from atelier.errors import Invalid
from atelier.provenance import watermark
from atelier.store.models import Work
from atelier.studio import Studio
from tests.support.accounts import add_user, upgrade
from tests.support.works import make_work

pytestmark = pytest.mark.slow
COMMERCIAL = {"standard": 4900, "extended": 20_000, "exclusive": 50_000, "cc0": 0}
FULL_MODEL = "music-melody-full"


def allowed(studio: Studio, who: Principal, work: Work) -> set[str]:
    view = studio.market.listing(who, work.id)
    return {v.kind for v in view.verdicts if v.allowed}


def refusal(studio: Studio, who: Principal, work: Work) -> str:
    """The reasons listing the work under the commercial offers is refused with."""
    with pytest.raises(Invalid) as refused:
        studio.market.list_work(who, work.id, COMMERCIAL)
    return refused.value.detail


def affirm_all(studio: Studio, who: Principal, work: Work) -> None:
    """Click "I affirm" on every upload the work's lineage names (its ancestors' too)."""
    for upload_id in lineage.upload_ids(work.lineage):
        studio.market.affirm_upload(who, upload_id)


def melody(studio: Studio, who: Principal, model: str = "full") -> Work:
    """Eight bars: long enough (15 melody shingles) to be recognised by its melody alone."""
    params = {"style": "chorale", "key": "D minor", "meter": "4/4", "bars": 8, "model": model}
    return make_work(studio, who, "music.compose", params)


def file_of(studio: Studio, work: Work, suffix: str) -> bytes:
    file = next(f for f in work.files if f.name.endswith(suffix))
    return studio.artifacts.read(file.sha256)


@pytest.fixture
def creator(studio: Studio) -> Principal:
    who = add_user(studio, "maker@example.com")
    upgrade(studio, who)  # a plan with commercial use: only lineage stands in the way
    return who


def test_melody_used_as_input_to_harmonize_keeps_it_non_commercial(
    studio: Studio, creator: Principal
) -> None:
    tune = melody(studio, creator)
    upload = studio.uploads.from_work(creator, tune.id, ("music",))
    assert [(o["work_id"], o["method"]) for o in upload.origins or []] == [
        (tune.id, "use as input")
    ]
    harmonized = make_work(studio, creator, "music.harmonize", {"melody": upload.id})
    [ancestor] = harmonized.lineage["ancestors"]
    assert ancestor["work_id"] == tune.id and ancestor["engine"] == "music.compose"
    assert FULL_MODEL in {m["name"] for m in ancestor["models"]}
    assert harmonized.lineage["inputs"][0]["works"] == [
        {"work_id": tune.id, "method": "use as input"}
    ]
    affirm_all(studio, creator, harmonized)  # the one click that used to open the market
    assert allowed(studio, creator, harmonized) == {"personal", "cc-by-nc"}
    reasons = refusal(studio, creator, harmonized)
    assert f"it was made from work {tune.id} (music.compose): its model {FULL_MODEL}" in reasons
    assert "music21 corpus: essen" in reasons


def test_clean_melody_through_harmonize_may_be_sold_without_an_affirmation(
    studio: Studio, creator: Principal
) -> None:
    """The control: a chain of commercially clean works is sellable, and an upload the
    studio recognised as the creator's own work needs no affirmation."""
    tune = melody(studio, creator, "clean")
    upload = studio.uploads.from_work(creator, tune.id, ("music",))
    harmonized = make_work(studio, creator, "music.harmonize", {"melody": upload.id})
    assert allowed(studio, creator, harmonized) >= set(COMMERCIAL)
    view = studio.market.list_work(creator, harmonized.id, COMMERCIAL)
    assert view.listing is not None and view.listing.state == "listed"


def test_downloaded_midi_uploaded_again_is_recognised_by_hash_and_by_melody(
    studio: Studio, creator: Principal, tmp_path: Path
) -> None:
    tune = melody(studio, creator)
    midi = file_of(studio, tune, ".mid")
    again = studio.uploads.add(creator, "my tune.mid", midi)
    assert [(o["work_id"], o["method"]) for o in again.origins or []] == [(tune.id, "hash")]
    harmonized = make_work(studio, creator, "music.harmonize", {"melody": again.id})
    affirm_all(studio, creator, harmonized)
    assert allowed(studio, creator, harmonized) == {"personal", "cc-by-nc"}
    assert FULL_MODEL in refusal(studio, creator, harmonized)

    # Transposed up a tone and written out again: other bytes, the same melody.
    source = tmp_path / "tune.mid"
    source.write_bytes(midi)
    moved = tmp_path / "moved.mid"
    converter.parse(source).transpose(2).write("midi", fp=moved)
    changed = studio.uploads.add(creator, "moved.mid", moved.read_bytes())
    assert changed.sha256 != again.sha256
    methods = {o["work_id"]: o["method"] for o in changed.origins or []}
    assert methods[tune.id] == "melody"  # and the harmonization of it, whose top line it is
    assert methods.get(harmonized.id) in (None, "melody")
    detail = next(o["detail"] for o in changed.origins or [] if o["work_id"] == tune.id)
    assert "melody shingles" in detail
    restyled = make_work(
        studio,
        creator,
        "music.restyle",
        {"melody": changed.id, "style": "chorale", "model": "clean"},
    )
    affirm_all(studio, creator, restyled)
    assert allowed(studio, creator, restyled) == {"personal", "cc-by-nc"}


def test_unrelated_melody_is_not_recognised(studio: Studio, creator: Principal) -> None:
    melody(studio, creator)
    tune = (
        b"X:1\nT:Other\nM:3/4\nL:1/8\nK:C\nC2 E2 G2|c4 B2|A2 F2 D2|G6|E2 G2 c2|e4 d2|c2 A2 F2|C6|\n"
    )
    upload = studio.uploads.add(creator, "other.abc", tune)
    assert upload.origins == []


def test_image_work_uploaded_again_by_hash_manifest_and_watermark(
    studio: Studio, creator: Principal
) -> None:
    """A portrait (a non-commercial GAN): its PNG uploaded again is found by hash; a JPEG
    re-encoded from it has other bytes and no manifest, and is found by its watermark.
    Either, stylized and affirmed, stays off the commercial offers."""
    face = make_work(studio, creator, "image.portrait", {"upscaler": "fast", "variants": 1})
    png = file_of(studio, face, ".png")
    again = studio.uploads.add(creator, "face.png", png)
    assert [(o["work_id"], o["method"]) for o in again.origins or []] == [(face.id, "hash")]

    buffer = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").save(buffer, format="JPEG", quality=85)
    jpeg = studio.uploads.add(creator, "face.jpg", buffer.getvalue())
    assert [(o["work_id"], o["method"]) for o in jpeg.origins or []] == [(face.id, "watermark")]
    for upload in (again, jpeg):
        styled = make_work(studio, creator, "image.stylize", {"image": upload.id, "style": 3})
        affirm_all(studio, creator, styled)
        assert allowed(studio, creator, styled) == {"personal", "cc-by-nc"}
        reasons = refusal(studio, creator, styled)
        assert f"it was made from work {face.id} (image.portrait)" in reasons
        assert "DigiFace-1M" in reasons


def test_the_preview_a_visitor_takes_away_is_recognised_by_its_own_watermark(
    studio: Studio, creator: Principal
) -> None:
    """The preview is the copy anyone may download; the original's mark does not survive
    the shrink to 384 px, so the preview carries the work's id in a mark of its own."""
    fox = make_work(
        studio, creator, "image.compose", {"prompt": "a red fox in the snow", "variants": 1}
    )
    preview = file_of(studio, fox, "thumbnail.webp")
    assert Image.open(io.BytesIO(preview)).size == (384, 256)  # from 768 × 512
    assert watermark.detect(preview) == watermark.short_id(fox.id)
    again = studio.uploads.add(creator, "preview.webp", preview)
    assert [(o["work_id"], o["method"]) for o in again.origins or []] == [(fox.id, "hash")]
    buffer = io.BytesIO()  # saved again as a PNG: other bytes, only the mark left
    Image.open(io.BytesIO(preview)).save(buffer, format="PNG")
    taken = studio.uploads.add(creator, "preview.png", buffer.getvalue())
    assert [(o["work_id"], o["method"]) for o in taken.origins or []] == [(fox.id, "watermark")]


def test_png_with_its_manifest_but_changed_pixels_is_found_by_c2pa(
    studio: Studio, creator: Principal
) -> None:
    """Other bytes and no watermark left (a corner cropped, so the mark's grid moves), but
    the studio's signed manifest still travels in the file: it names the work."""
    from atelier.studio import recognition

    face = make_work(studio, creator, "image.portrait", {"upscaler": "fast", "variants": 1})
    png = file_of(studio, face, ".png")
    clues = recognition.read_clues(
        "0" * 64, png, "image/png", None, [studio.provenance.identity().root]
    )
    assert clues.manifest_work == face.id
    with studio.db.transaction() as s:
        found = recognition.origins(s, recognition.Clues("0" * 64, manifest_work=face.id))
    assert [(o["work_id"], o["method"]) for o in found] == [(face.id, "c2pa")]


def test_a_three_step_chain_carries_the_first_works_terms(
    studio: Studio, creator: Principal
) -> None:
    """compose (full model) → harmonize → restyle with the clean model: the last work's
    own models are all commercially clean, and it is still not for sale."""
    tune = melody(studio, creator)
    first = studio.uploads.from_work(creator, tune.id, ("music",))
    harmonized = make_work(studio, creator, "music.harmonize", {"melody": first.id})
    second = studio.uploads.from_work(creator, harmonized.id, ("music",))
    restyled = make_work(
        studio,
        creator,
        "music.restyle",
        {"melody": second.id, "style": "chorale", "model": "clean"},
    )
    assert all(m["commercial_use"] for m in restyled.lineage["models"])
    assert [a["work_id"] for a in restyled.lineage["ancestors"]] == [harmonized.id, tune.id]
    affirm_all(studio, creator, restyled)
    assert allowed(studio, creator, restyled) == {"personal", "cc-by-nc"}
    reasons = refusal(studio, creator, restyled)
    assert f"it was made from work {tune.id} (music.compose): its model {FULL_MODEL}" in reasons


def test_affirmation_cannot_override_and_others_works_need_a_licence() -> None:
    """The rules alone: an ancestor's non-commercial model is an obstacle whatever is
    affirmed; another creator's work needs a CC0/CC BY licence to build on; a deleted
    ancestor's unknown lineage is an obstacle; the creator's own clean ancestor is not."""
    clean = {"name": "m", "licence": "MIT", "commercial_use": True}
    dirty = {"name": "nc", "licence": "CC BY-NC", "commercial_use": False}
    upload = {"param": "image", "upload_id": "u" * 32, "filename": "a.png", "mime": "image/png"}
    recognised = {**upload, "works": [{"work_id": "w1", "method": "watermark"}]}

    def reasons(*ancestors: dict[str, Any], adaptable: tuple[str, ...] = ()) -> list[str]:
        record = {"models": [clean], "inputs": [recognised], "sources": [], "ancestors": ancestors}
        return lineage.commercial_obstacles(
            "image.stylize", record, {"u" * 32, "v" * 32}, "Studio", True, "me", adaptable
        )

    mine = {"work_id": "w1", "owner_id": "me", "engine": "e", "sources": [], "inputs": []}
    assert reasons({**mine, "models": [clean]}) == []
    assert reasons({**mine, "models": [clean, dirty]}) == [
        "it was made from work w1 (e): its model nc is licensed CC BY-NC: no commercial use"
    ]
    theirs = {**mine, "owner_id": "someone", "models": [clean]}
    assert "another creator's work" in reasons(theirs)[0]
    assert reasons(theirs, adaptable=("w1",)) == []
    assert "no commercial use" in reasons({**theirs, "models": [dirty]}, adaptable=("w1",))[0]
    gone = {"work_id": "w1", "owner_id": None, "engine": None, "models": None}
    assert reasons(gone) == [
        "it was made from work w1 (made here): its lineage is unknown "
        "(the work is no longer stored here)"
    ]
    unaffirmed = {**mine, "models": [clean], "inputs": [{**upload, "upload_id": "x" * 32}]}
    assert reasons(unaffirmed) == [
        "it was made from work w1 (e): the file uploaded as image (a.png) has no rights affirmation"
    ]
