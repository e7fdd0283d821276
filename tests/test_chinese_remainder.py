"""What was left English on Chinese pages, now said in Chinese: zxcvbn's advice on a weak
password, the safety screen's refusal of a prompt, a starting plan's name inside a plan's
refusal and "for 4 variants" inside a credit refusal; the API's problem documents stay
English. zxcvbn's every sentence and the screen's every category are in the catalogue."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import zxcvbn
from babel.messages.extract import extract_python
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from sqlalchemy import update

import tests.support.picture_engine  # noqa: F401 - registers test.picture (quick pictures)
from atelier.accounts import passwords
from atelier.accounts.passwords import WeakPassword
from atelier.commerce.models import Plan
from atelier.errors import NotEnoughCredits
from atelier.safety import policy
from atelier.studio import variants
from atelier.web import i18n, words
from tests.support.accounts import add_user, api_user, sign_in
from tests.support.shown import ZH

WEAK = "abcabcabcabc"  # zxcvbn: a repeat, scored 0
BLOCKED = "heil hitler"  # hate: refused by default
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def shown_at(page: str, field: str) -> str:
    """The message a form shows at one of its fields."""
    found = re.search(rf'<small class="error" id="e-{field}">([^<]*)</small>', page)
    assert found, page
    return found[1]


def zh_browser(client: TestClient, email: str) -> tuple[TestClient, str]:
    """A browser reading Chinese, signed in as a new creator; with its form token."""
    add_user(client.app.state.studio, email)  # type: ignore[attr-defined]
    browser = TestClient(client.app, headers=ZH)
    return browser, sign_in(browser, email)["X-CSRF-Token"]


def test_zxcvbn_s_advice_on_a_weak_password_is_in_chinese(client: TestClient) -> None:
    browser = TestClient(client.app, headers=ZH)
    token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/signup").text)
    assert token
    form = {"display_name": "Lin", "email": "lin@example.com", "password": WEAK}
    refused = browser.post("/signup", data={**form, "csrf_token": token[1]})
    assert refused.status_code == 422
    said = shown_at(refused.text, "password")
    assert said.startswith("密码太容易被猜到。像“abcabcabc”这样的重复只比“abc”稍难猜一点。")
    assert "再加一两个词。不常见的词更好。" in said
    assert [w for w in LATIN_WORD.findall(said) if w not in ("abc", "abcabcabc")] == []
    # The API and the logs read it as zxcvbn wrote it.
    with pytest.raises(WeakPassword) as english:
        passwords.check(WEAK)
    assert str(english.value) == (
        'password is too easy to guess. Repeats like "abcabcabc" are only slightly harder to '
        'guess than "abc". Add another word or two. Uncommon words are better. Avoid repeated '
        "words and characters."
    )


def test_the_safety_screen_s_refusal_of_a_prompt_is_in_chinese(client: TestClient) -> None:
    browser, token = zh_browser(client, "lin@example.com")
    refused = browser.post("/create/image.compose", data={"prompt": BLOCKED, "csrf_token": token})
    assert refused.status_code == 422
    assert shown_at(refused.text, "prompt") == (
        "params.prompt 要求生成针对某一人群的仇恨内容，本工作室不制作此类内容；请换一种说法"
    )
    headers = {**api_user(client, "lin-api@example.com"), **ZH}
    body = {"engine": "image.compose", "params": {"prompt": BLOCKED}}
    problem = client.post("/v1/jobs", json=body, headers=headers)
    assert problem.status_code == 422
    assert problem.json()["detail"] == (
        "params.prompt asks for hateful content about a group of people, which this studio "
        "doesn't make; please rephrase it"
    )


def test_a_starting_plan_is_named_in_chinese_in_its_refusal(client: TestClient) -> None:
    studio = client.app.state.studio  # type: ignore[attr-defined]
    with studio.db.transaction() as s:
        s.execute(update(Plan).where(Plan.id == "trial").values(max_pixels=100_000))
    browser, token = zh_browser(client, "lin@example.com")
    form = {"width": "512", "height": "512", "format": "png", "csrf_token": token}
    refused = browser.post("/create/test.picture", data=form)
    assert refused.status_code == 422
    assert shown_at(refused.text, "width") == (
        "此任务将生成 262,144 像素的图片；试用版 套餐的图片尺寸上限为 100,000 像素"
    )


def test_a_credit_refusal_for_variants_is_in_chinese() -> None:
    short = NotEnoughCredits(40, 10, variants.cost_for(4))
    assert short.detail == (
        "this job costs up to 40 credits for 4 variants and your balance is 10: 30 short; "
        "buy a credit pack or change plan"
    )
    token = i18n._current.set("zh_CN")
    try:
        assert i18n.shown(short) == (
            "此任务最多花费 40 积分（4 个变体），你的余额为 10：还差 30；请购买积分包或更换套餐"
        )
    finally:
        i18n._current.reset(token)


def chinese_catalogue() -> dict[str, str]:
    with i18n.catalogue_path("zh_CN").open("rb") as po:
        return {m.id: m.string for m in read_po(po, locale="zh_CN") if m.id and not m.fuzzy}


def test_every_sentence_zxcvbn_can_say_is_translated() -> None:
    feedback = Path(zxcvbn.__file__).with_name("feedback.py")
    with feedback.open("rb") as source:
        said = {message for _, _, message, _ in extract_python(source, ["_"], [], {})}
    assert len(said) > 20
    assert said == set(words.PASSWORD_ADVICE)
    chinese = chinese_catalogue()
    assert [s for s in said if not chinese.get(s)] == []


def test_every_refusal_of_the_safety_screen_is_translated() -> None:
    refused = {*policy.MESSAGES.values(), policy.ESCALATED_MESSAGE, policy.READS}
    assert refused == set(words.SAFETY_REFUSALS)
    chinese = chinese_catalogue()
    assert [m for m in [*refused, policy.ASKS_FOR, policy.UNREADABLE] if not chinese.get(m)] == []
