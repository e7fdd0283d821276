"""The studio's own refusals in Chinese: a reader of the Chinese interface who signs up with
a bad address, asks for an API key without scopes, sets a job's parameter out of range or
opens a missing work reads why in Chinese, while the API's problem documents stay English;
and every message a module raises as a constant is in the zh_CN catalogue, translated, and
none is built at run time (an f-string the catalogue cannot hold)."""

from __future__ import annotations

import ast
import re
from html import unescape
from pathlib import Path

from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from limits import parse

import tests.support.picture_engine  # noqa: F401 - registers test.picture (quick pictures)
from atelier.web import error_texts, i18n
from atelier.web.app import create_app
from atelier.web.ratelimit import too_many
from tests.support.accounts import add_user, api_user, sign_in
from tests.support.settings import make_settings
from tests.support.shown import ZH, english_left

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "src" / "atelier"
# Where the studio's refusals come from: accounts, the studio's rooms, commerce, the web.
COVERED = ("accounts", "studio", "commerce", "web", "errors.py")
# The test's own data, shown as given, and the test engine's English title.
DATA = ("Picture (test)", "not-an-address", "Lin", "lin@example.com")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def form_token(page: str) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "the page has no form token"
    return token[1]


def english_words(message: str, data: tuple[str, ...] = ()) -> list[str]:
    """Latin words of three letters or more left in a message once its data is taken out."""
    for known in data:
        message = message.replace(known, "")
    return LATIN_WORD.findall(message)


def test_a_refused_sign_up_says_why_in_chinese(client: TestClient) -> None:
    browser = TestClient(client.app, headers=ZH)
    token = form_token(browser.get("/signup").text)
    form = {
        "display_name": "Lin",
        "email": "not-an-address",
        "password": "violet kettles hum at dawn",
        "csrf_token": token,
    }
    refused = browser.post("/signup", data=form)
    assert refused.status_code == 422
    assert "不是电子邮件地址" in refused.text
    assert "not an e-mail address" not in refused.text
    assert english_left(refused.text, DATA) == []

    long_name = browser.post(
        "/signup", data={**form, "email": "lin@example.com", "display_name": "林" * 300}
    )
    assert long_name.status_code == 422
    assert re.search(r"显示名称最多 \d+ 个字符", long_name.text), long_name.text


def test_a_rate_limit_says_the_limit_and_the_wait_in_chinese(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, limit_sign_up="2/hour"))
    with TestClient(app, headers=ZH) as browser:
        token = form_token(browser.get("/signup").text)
        form = {"display_name": "Lin", "password": "violet kettles hum at dawn"}
        for i in range(2):
            signed = {**form, "email": f"lin{i}@example.com", "csrf_token": token}
            assert browser.post("/signup", data=signed, follow_redirects=False).status_code == 303
        refused = browser.post("/signup", data={**signed, "email": "lin9@example.com"})
        assert refused.status_code == 429
        said = re.search(r'<p role="alert">([^<]*)</p>', refused.text)
        assert said, refused.text
        assert re.fullmatch(
            r"来自此地址的注册过多（每 1 小时最多 2 次）；请在 \d+ 分钟后重试。", said[1]
        )
    # The API and the logs read it as they always have.
    english = too_many("sign_up", "address", parse("2/hour"), 3420)
    assert english.detail == (
        "too many sign-ups from this address (at most 2 per 1 hour); try again in 57 minutes"
    )
    assert too_many("votes", "account", parse("5/minute"), 30).detail == (
        "too many votes from this account (at most 5 per 1 minute); try again in 30 seconds"
    )


def test_an_api_key_without_scopes_is_refused_in_chinese(client: TestClient) -> None:
    add_user(client.app.state.studio, "lin@example.com")  # type: ignore[attr-defined]
    browser = TestClient(client.app, headers=ZH)
    token = sign_in(browser, "lin@example.com")["X-CSRF-Token"]
    refused = browser.post("/account/keys", data={"name": "laptop", "csrf_token": token})
    assert refused.status_code == 422
    assert "权限范围必须是由 read, write 组成的非空列表" in unescape(refused.text)
    assert "scopes must be" not in refused.text


def test_a_job_parameter_out_of_range_is_marked_in_chinese(client: TestClient) -> None:
    add_user(client.app.state.studio, "lin@example.com")  # type: ignore[attr-defined]
    browser = TestClient(client.app, headers=ZH)
    token = sign_in(browser, "lin@example.com")["X-CSRF-Token"]
    form = {"width": "5000", "height": "256", "format": "png", "csrf_token": token}
    page = browser.post("/create/test.picture", data=form)
    assert page.status_code == 422
    field = re.search(r'<small class="error" id="e-width">([^<]*)</small>', page.text)
    assert field, page.text
    assert field[1] == "输入应小于或等于 1024"
    assert "Input should be" not in page.text
    # The cost line the form asks for as it is filled in says it the same way.
    line = browser.get("/create/test.picture/estimate", params={"width": "5000"})
    assert line.status_code == 422
    assert line.json()["error"] == "width: 输入应小于或等于 1024"
    # The API reads the same refusal in English, whatever the client's language.
    headers = {**api_user(client, "lin-api@example.com"), **ZH}
    body = {"engine": "test.picture", "params": {"width": 5000}}
    problem = client.post("/v1/jobs", json=body, headers=headers)
    assert problem.status_code == 422
    assert "Input should be less than or equal to 1024" in problem.json()["detail"]


def test_a_missing_job_is_named_in_chinese_and_the_api_stays_english(
    client: TestClient,
) -> None:
    add_user(client.app.state.studio, "lin@example.com")  # type: ignore[attr-defined]
    browser = TestClient(client.app, headers={**ZH, "accept": "text/html"})
    token = sign_in(browser, "lin@example.com")["X-CSRF-Token"]
    missing = "0" * 32
    page = browser.post(f"/jobs/{missing}/again", data={"csrf_token": token})
    assert page.status_code == 404
    assert f"没有任务 {missing}" in page.text  # the kind of thing said in Chinese too
    assert english_left(page.text, DATA) == []
    headers = {**api_user(client, "lin-api@example.com"), **ZH}
    problem = client.get(f"/v1/works/{missing}", headers=headers)
    assert problem.status_code == 404
    assert problem.json()["detail"] == f"no work {missing}"


def test_the_studio_s_refusals_are_translated_with_their_values() -> None:
    """Messages a reader meets most, filled in as a page shows them."""
    token = i18n._current.set("zh_CN")
    try:
        for message, params, chinese in (
            ("no work %(work_id)s", {"work_id": "w1"}, "没有作品 w1"),
            ("no %(label)s %(object_id)s", {"label": "作品", "object_id": "w1"}, "没有作品 w1"),
            (
                "this job costs up to %(needed)s credits and your balance is %(balance)s: "
                "%(missing)s short; buy a credit pack or change plan",
                {"needed": 30, "balance": 10, "missing": 20},
                "此任务最多花费 30 积分，你的余额为 10：还差 20；请购买积分包或更换套餐",
            ),
            (
                "the %(name)s plan allows %(concurrency)s jobs queued or running at once; wait "
                "for one to finish",
                {"name": "Trial", "concurrency": 1},
                "Trial 套餐同时最多允许 1 个排队或运行中的任务；请等其中一个完成",
            ),
            ("you cannot buy a licence for your own work", {}, "你不能为自己的作品购买授权"),
            ("file is larger than the limit of %(limit)s bytes", {"limit": "10"}, None),
        ):
            shown = i18n.gettext(message) % params
            assert shown != message % params, message
            assert english_words(shown, ("Trial",)) == [], shown
            if chinese:
                assert shown == chinese
    finally:
        i18n._current.reset(token)


# -- the catalogue ---------------------------------------------------------------------------


def covered_modules() -> list[Path]:
    return sorted(
        path
        for name in COVERED
        for path in (
            (SOURCES / name).rglob("*.py") if (SOURCES / name).is_dir() else [SOURCES / name]
        )
    )


def raised_messages() -> list[tuple[str, int, ast.expr]]:
    """Each message argument of an error the covered modules construct: where, and what."""
    found = []
    for path in covered_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in error_texts.RAISED:
                continue
            place = error_texts.RAISED[name]
            for argument in node.args[place : place + 1]:
                found.append((str(path.relative_to(ROOT)), node.lineno, argument))
    return found


def test_no_error_message_is_built_at_run_time() -> None:
    """An f-string cannot be looked up in the catalogue: a message is a constant with
    %(name)s places and params (the English detail is the same)."""
    built = [
        f"{where}:{line}"
        for where, line, argument in raised_messages()
        if any(isinstance(part, ast.JoinedStr) for part in forms(argument))
    ]
    assert built == []


def forms(argument: ast.expr) -> list[ast.expr]:
    """What a message argument may be: itself, or either side of `a if c else b` (a message
    joined from others', as a parameter check's detail, is not a message of its own)."""
    if isinstance(argument, ast.IfExp):
        return forms(argument.body) + forms(argument.orelse)
    return [argument]


def test_every_constant_error_message_is_translated_into_chinese() -> None:
    with i18n.catalogue_path("zh_CN").open("rb") as po:
        chinese = read_po(po, locale="zh_CN")
    messages = {
        message for path in covered_modules() for _, message in error_texts.raised(path.read_text())
    }
    assert len(messages) > 240  # accounts, jobs, uploads, works, credits, market, licences…
    untranslated = sorted(
        message
        for message in messages
        if (found := chinese.get(message)) is None or not found.string or found.fuzzy
    )
    assert untranslated == []
