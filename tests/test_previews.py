"""Buyers get files; the public gets previews, for music and text as for pictures: a signed-
out visitor of a listed melody hears a short mono MP3 and sees its first bars, a reader of a
listed text gets its opening words; every original (WAV, MIDI, MusicXML, score, text and
their manifests) is refused them, and downloads for the owner and a licence holder."""

from __future__ import annotations

import hashlib
import io
import re
from typing import Any

import numpy as np
import soundfile
from fastapi.testclient import TestClient

from atelier.engines.music.render import wav_bytes
from atelier.provenance import audiomark, watermark
from atelier.store.models import Work
from atelier.studio import Studio, clipmarks, previews
from tests.support.accounts import admin_of, api_user, sign_in
from tests.support.api import problem_fields, submit, wait_job

PERSONAL = 900
ENGLISH = " ".join(f"word{i}" for i in range(200))


def tone(seconds: float, rate: int = 44_100) -> bytes:
    """A stereo 440 Hz tone as 16-bit WAV."""
    t = np.arange(int(seconds * rate)) / rate
    wave = 0.5 * np.sin(2 * np.pi * 440 * t)
    return wav_bytes(np.round(np.stack([wave, wave], axis=1) * 32767).astype("<i2"), rate)


def heard(data: bytes) -> tuple[Any, np.ndarray]:
    """An audio file's header as libsndfile reads it, and its samples."""
    info = soundfile.info(io.BytesIO(data))
    samples, _ = soundfile.read(io.BytesIO(data), dtype="float64")
    return info, samples


def measures(svg: bytes) -> int:
    """The bars verovio engraved in an SVG score."""
    return len(re.findall(rb'class="measure"', svg))


def test_a_long_recordings_clip_is_30_s_of_mono_mp3_faded_out() -> None:
    info, samples = heard(previews.audio_clip(tone(70)))
    assert (info.format, info.channels, info.samplerate) == ("MP3", 1, 22_050)
    assert 29 <= info.duration <= previews.CLIP_SECONDS
    rate = info.samplerate
    middle = np.sqrt(np.mean(samples[10 * rate : 11 * rate] ** 2))
    last = np.sqrt(np.mean(samples[-rate // 10 :] ** 2))
    assert middle > 0.3 and last < 0.05 * middle  # faded out


def test_a_short_recordings_clip_is_at_most_half_of_it() -> None:
    info, _ = heard(previews.audio_clip(tone(9)))
    assert info.channels == 1 and 4 <= info.duration <= 4.5


def test_an_excerpt_is_the_opening_words_cut_on_a_word() -> None:
    excerpt = previews.text_excerpt(ENGLISH)
    assert excerpt == " ".join(ENGLISH.split()[:60]) + "…"
    short = "one two three four five six seven eight nine ten"
    assert previews.text_excerpt(short) == "one two three four five…"
    lines = "Line one here\nline two here\nline three"
    assert previews.text_excerpt(lines) == "Line one here\nline…"


def test_a_chinese_excerpt_counts_two_characters_a_word() -> None:
    text = "春眠不觉晓处处闻啼鸟" * 30  # 300 characters, no spaces
    excerpt = previews.text_excerpt(text)
    assert excerpt == text[:120] + "…"


def listed(client: TestClient, owner: dict[str, str], engine: str, params: dict[str, Any]) -> dict:
    """A work of `engine`, listed with a Personal offer and published; the owner's view."""
    job = wait_job(client, owner, submit(client, owner, engine, params, seed=3)["id"])
    assert job["status"] == "succeeded", job
    work_id = job["work_ids"][0]
    offer = client.post(
        f"/v1/works/{work_id}/listing", json={"offers": {"personal": PERSONAL}}, headers=owner
    )
    assert offer.status_code in (200, 201), offer.text
    published = client.patch(f"/v1/works/{work_id}", json={"visibility": "public"}, headers=owner)
    assert published.status_code == 200, published.text
    return client.get(f"/v1/works/{work_id}", headers=owner).json()  # type: ignore[no-any-return]


def originals_refused(visitor: TestClient, work: dict[str, Any]) -> None:
    """Every original of the work, and its primary file's own URL, answer 403."""
    names = [f["name"] for f in work["files"] if f["role"] in ("primary", "rendition", "manifest")]
    assert names
    base = f"/v1/works/{work['id']}"
    for url in [f"{base}/file"] + [f"{base}/files/{name}" for name in names]:
        refused = visitor.get(url)
        assert refused.status_code == 403, (url, refused.status_code)
        assert problem_fields(refused) == ["work_id"]


def shown_text(page: str) -> str:
    """The words in a text work's page's text box."""
    found = re.search(r'<div class="text-work" id="work-text">(.*?)</div>', page, re.S)
    assert found is not None, "the page shows no text"
    return found.group(1)


def file_of(work: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in work["files"] if f["name"] == name)


def test_a_listed_melody_plays_its_preview_to_visitors(client: TestClient) -> None:
    studio: Studio = client.app.state.studio  # type: ignore[attr-defined]
    alice = api_user(client, "alice@example.com")
    work = listed(client, alice, "music.compose", {"bars": 8, "model": "clean"})
    visitor = TestClient(client.app)
    originals_refused(visitor, work)

    seen = visitor.get(f"/v1/works/{work['id']}").json()
    assert seen["original"] is False
    assert seen["url"] == f"/v1/works/{work['id']}/files/preview.mp3"
    clip = visitor.get(seen["url"])
    assert clip.status_code == 200 and clip.headers["content-type"] == "audio/mpeg"
    wav = client.get(f"/v1/works/{work['id']}/file", headers=alice)
    assert wav.status_code == 200
    whole, _ = heard(wav.content)
    info, _ = heard(clip.content)
    assert (info.format, info.channels, info.samplerate) == ("MP3", 1, 22_050)
    assert info.duration <= min(previews.CLIP_SECONDS, whole.duration / 2)
    assert len(clip.content) < len(wav.content) / 10

    score_name = next(f["name"] for f in work["files"] if f["mime"] == "image/svg+xml")
    full = client.get(f"/v1/works/{work['id']}/files/{score_name}", headers=alice).content
    shown = visitor.get(f"/v1/works/{work['id']}/files/score-preview.svg")
    assert shown.status_code == 200
    assert measures(full) == 8 and measures(shown.content) == 4

    # The owner downloads every original; a buyer of a licence to it does too, once paid.
    for f in work["files"]:
        got = client.get(f"/v1/works/{work['id']}/files/{f['name']}", headers=alice)
        assert got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == f["sha256"]
    bob = api_user(client, "bob@example.com")
    order = client.post(
        f"/v1/works/{work['id']}/offers/personal/buy", headers={**bob, "Idempotency-Key": "m1"}
    )
    assert order.status_code == 201, order.text
    midi = file_of(work, next(f["name"] for f in work["files"] if f["mime"] == "audio/midi"))
    assert client.get(midi["url"], headers=bob).status_code == 403  # not paid yet
    studio.commerce.mark_paid(admin_of(studio), order.json()["invoice"]["id"], "transfer")
    [licence] = client.get("/v1/licences", headers=bob).json()["items"]
    got = client.get(licence["file"], headers=bob)
    assert got.status_code == 200 and got.content == wav.content
    got = client.get(midi["url"], headers=bob)
    assert got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == midi["sha256"]
    assert client.get(f"/v1/works/{work['id']}", headers=bob).json()["original"] is True

    # Pages: the work page and the gallery card play the clip and show the first bars.
    page = visitor.get(f"/works/{work['id']}").text
    assert f'<audio controls src="/v1/works/{work["id"]}/files/preview.mp3"' in page
    assert f'src="/v1/works/{work["id"]}/files/score-preview.svg"' in page
    for name in (f["name"] for f in work["files"] if f["role"] != "preview"):
        assert f'href="/v1/works/{work["id"]}/files/{name}"' not in page
    gallery = visitor.get("/gallery").text
    assert f'src="/v1/works/{work["id"]}/files/preview.mp3"' in gallery
    assert f'/v1/works/{work["id"]}/file"' not in gallery
    owner = TestClient(client.app)
    sign_in(owner, "alice@example.com")
    owner_page = owner.get(f"/works/{work['id']}").text
    assert f'<audio controls src="/v1/works/{work["id"]}/file"' in owner_page
    assert f'src="/v1/works/{work["id"]}/files/{score_name}"' in owner_page


def test_a_listed_text_shows_visitors_its_opening_words(client: TestClient) -> None:
    alice = api_user(client, "alice@example.com")
    words = [f"lark{i}" for i in range(20)]
    work = listed(client, alice, "test.burst", {"words": words, "hold": 0})
    visitor = TestClient(client.app)
    originals_refused(visitor, work)

    seen = visitor.get(f"/v1/works/{work['id']}").json()
    assert seen["url"] == f"/v1/works/{work['id']}/files/excerpt.txt"
    excerpt = visitor.get(seen["url"])
    assert excerpt.status_code == 200
    assert excerpt.content.decode() == " ".join(words[:10]) + "…"
    full = client.get(f"/v1/works/{work['id']}/file", headers=alice)
    assert full.content.decode() == " ".join(words) + "\n"

    # The page shows the excerpt (test.burst's recipe, published with the work, is the
    # text itself: only the text's own box is looked at).
    assert shown_text(visitor.get(f"/works/{work['id']}").text) == " ".join(words[:10]) + "…"
    owner = TestClient(client.app)
    sign_in(owner, "alice@example.com")
    assert shown_text(owner.get(f"/works/{work['id']}").text) == " ".join(words) + "\n"


def test_works_stored_before_previews_get_them_made(client: TestClient) -> None:
    studio: Studio = client.app.state.studio  # type: ignore[attr-defined]
    alice = api_user(client, "alice@example.com")
    work = listed(client, alice, "test.burst", {"words": ["an", "old", "text", "work"], "hold": 0})
    with studio.db.transaction() as s:  # as a work stored before previews were made
        for file in s.get(Work, work["id"]).files:  # type: ignore[union-attr]
            if file.role == "preview":
                s.delete(file)
    visitor = TestClient(client.app)
    assert visitor.get(f"/v1/works/{work['id']}").json()["url"] is None
    assert visitor.get(f"/v1/works/{work['id']}/file").status_code == 403

    assert studio.works.add_previews() == 1
    seen = visitor.get(f"/v1/works/{work['id']}").json()
    assert visitor.get(seen["url"]).content == "an old…".encode()
    assert studio.works.add_previews() == 0


def test_clips_made_before_the_audio_mark_get_marked(client: TestClient) -> None:
    studio: Studio = client.app.state.studio  # type: ignore[attr-defined]
    alice = api_user(client, "alice@example.com")
    work = listed(client, alice, "music.compose", {"bars": 8, "model": "clean"})
    wav = client.get(f"/v1/works/{work['id']}/file", headers=alice).content
    unmarked = previews.audio_clip(wav)  # as clips were made before they carried the mark
    old = studio.artifacts.put(unmarked)
    with studio.db.transaction() as s:
        [clip] = [f for f in s.get(Work, work["id"]).files if f.name == "preview.mp3"]  # type: ignore[union-attr]
        marked_digest, clip.sha256, clip.size = clip.sha256, old, len(unmarked)
    studio.works.erase_unneeded({marked_digest})
    visitor = TestClient(client.app)
    url = f"/v1/works/{work['id']}/files/preview.mp3"
    assert audiomark.detect(visitor.get(url).content) is None

    assert clipmarks.mark_clips(studio.works) == 1
    clip = visitor.get(url).content
    assert audiomark.detect(clip) == watermark.short_id(work["id"])
    assert heard(clip)[0].duration == heard(unmarked)[0].duration  # the same excerpt
    assert not studio.artifacts.exists(old)
    assert clipmarks.mark_clips(studio.works) == 0
