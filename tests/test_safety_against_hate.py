"""Prompts that speak against hate were refused as hate: "stop asian hate rally poster"
answered 422, as did 8 of 16 such look-alikes of stop 30 and 6 of 13 new ones (EN and
ZH), because the learned layers put them beside the hateful prompts they answer. Where
only those layers saw hate and the rest of the prompt is not hateful without its words
against hate, the work is made and held for review instead; a hateful prompt that borrows
the words is still refused. The refusals below each fail before (safety/against.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from atelier.engines.base import Artifact, Creation
from atelier.safety import against
from atelier.safety.categories import CATEGORIES
from atelier.safety.findings import Finding
from atelier.safety.policy import decide
from atelier.safety.text import LAYERS, Signals, TextScreen
from atelier.settings import Settings
from atelier.store.models import Screening, Work
from atelier.studio import Studio
from tests.support.accounts import add_user
from tests.support.settings import make_settings

DEFAULTS = {c.name: c.default for c in CATEGORIES}


def verdict(screen: TextScreen, text: str) -> tuple[str, list[Finding]]:
    findings = screen.screen({"params.prompt": text})
    return decide(findings, DEFAULTS).action, findings


@pytest.mark.parametrize(
    "text",
    [
        "stop asian hate rally poster",
        "a poster against racism: all people are equal",
        "anti-racism march with signs saying black lives matter",
        "end racism now, protest sign held by a crowd",
        "a flyer: no to islamophobia, muslims are our neighbours",
        "停止仇恨亚裔的海报",
        "一张宣传人人平等的海报，不同肤色的人手拉手",
    ],
)
def test_a_prompt_against_hate_is_never_refused(screen: TextScreen, text: str) -> None:
    """Passed, or, where the learned layers see hate in it, made and held for review (the
    tuned encoder passes some that the linear classifier held: "muslims are our
    neighbours")."""
    action, findings = verdict(screen, text)
    assert action in ("allow", "flag")
    for hate in (f for f in findings if f.category == "hate"):
        assert hate.review and hate.layer in ("semantic", "classifier")
        assert "but it says" in hate.evidence


def test_hate_only_the_learned_layer_sees_beside_words_against_it_is_for_review(
    screen: TextScreen,
) -> None:
    """Whichever prompts the learned layer holds today, the route holds: its hate, in a
    prompt that speaks against hate and is not hateful without those words, is reviewed."""
    signals = screen.read("a flyer: no to islamophobia, muslims are our neighbours")
    signals.classes = {**signals.classes, "hate": 1.0}
    [hate] = [f for f in screen.findings("params.prompt", signals) if f.category == "hate"]
    assert hate.layer == "classifier" and hate.review
    assert "but it says 'no to islamophobia'" in hate.evidence
    assert decide([hate], DEFAULTS).action == "flag"


@pytest.mark.parametrize(
    ("rest", "nothing"),
    [
        ("a '  are  ' banner", True),
        ("  poster", True),
        (" a bold protest sign with hand lettering", True),
        (" 的海报", True),
        ("一张 的宣传画", True),
        (" : gas them", False),
        ("  🔫", False),
        (" poster for 1488", False),
        (" ，但河南人都是骗子", False),
        ("  poster, kill the jews", False),
    ],
)
def test_what_a_sign_says_besides_its_words_against_hate(rest: str, nothing: bool) -> None:
    assert against.says_nothing(rest) is nothing


def test_a_sign_that_says_nothing_else_is_reviewed_whatever_its_remainder_reads(
    screen: TextScreen, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'a 'trans rights are human rights' banner' was refused: its remainder, "a ' are '
    banner", read as hate 0.72 to the encoder trained with train21. A remainder of function
    words and what names the sign is not read at all; here every text reads as hate."""
    read = screen.read

    def all_hate(text: str, layers: tuple[str, ...] = LAYERS) -> Signals:
        signals = read(text, layers)
        signals.classes = {**signals.classes, "hate": 1.0}
        return signals

    monkeypatch.setattr(screen, "read", all_hate)
    action, findings = verdict(screen, "a 'trans rights are human rights' banner")
    assert action == "flag" and [(f.category, f.review) for f in findings] == [("hate", True)]
    action, findings = verdict(screen, "stop hate: gas them")
    assert action == "block"


@pytest.mark.parametrize(
    "text",
    [
        "stop asian hate: asians are vermin, poster",
        "unity poster: the jews control the media",
        "a diversity poster showing black people as apes",
        "equality means deporting all muslims, poster",
        "end racism by sending every immigrant back, poster",
        "a poster against racism that calls gay people diseased",
        "平等？穆斯林都是恐怖分子的海报",
    ],
)
def test_a_hateful_prompt_borrowing_those_words_is_still_refused(
    screen: TextScreen, text: str
) -> None:
    action, findings = verdict(screen, text)
    assert action == "block" and not any(f.review for f in findings)


def test_a_finding_held_for_review_is_held_in_any_category_it_falls_in() -> None:
    held = Finding("hate", "classifier", "params.prompt", 0.9, "learned hate prompts", True)
    plain = Finding("hate", "classifier", "params.prompt", 0.9, "learned hate prompts")
    assert decide([held], DEFAULTS).action == "flag"
    assert decide([held], {**DEFAULTS, "hate": "allow"}).action == "allow"
    assert decide([plain], DEFAULTS).action == "block"
    violence = Finding("violence", "blocklist", "params.prompt", 1.0, "gore")
    assert decide([held, violence], {**DEFAULTS, "violence": "block"}).action == "block"


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    """conftest's studio, on each database (db_url)."""
    return make_settings(tmp_path, db_url)


def test_the_poster_is_made_and_waits_for_review(
    studio: Studio, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The route through the studio, whichever prompts the learned layer holds today (as
    above, its hate signal is set on the whole prompt, not on the prompt without its words
    against hate: each retraining moves where this prompt scores)."""
    screen = studio.safety.text
    read = screen.read

    def hate_learned(text: str, layers: tuple[str, ...] = LAYERS) -> Signals:
        signals = read(text, layers)
        if text == "stop asian hate rally poster":
            signals.classes = {**signals.classes, "hate": 1.0}
        return signals

    monkeypatch.setattr(screen, "read", hate_learned)
    owner = add_user(studio, "maker@example.com")
    job, _ = studio.jobs.submit(owner, "image.compose", {"prompt": "stop asian hate rally poster"})
    with studio.db.transaction() as s:
        screening = s.get(Screening, job.id)
        assert screening is not None
        assert [(f["category"], f["review"]) for f in screening.findings] == [("hate", True)]
    claimed = studio.jobs.claim("w1")
    assert claimed is not None and claimed.job_id == job.id
    creation = Creation(files=[Artifact("result.txt", "text/plain", b"ok\n")], title="made")
    assert studio.jobs.finish(claimed.job_id, "w1", [creation], 0.1)
    with studio.db.transaction() as s:
        work = s.scalars(select(Work).where(Work.job_id == job.id)).one()
        assert work.review_status == "in_review"
