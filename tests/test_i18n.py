"""The interface in English and Simplified Chinese (web/i18n.py): the language a page is
answered in (the browser's Accept-Language, the switch's cookie, the account's own
setting at sign-in), the zh_CN catalogue against what the sources ask for, dates, counts
and money as each language writes them, and PDFs that print Chinese names and titles."""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import music21
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from music21.musicxml.m21ToXml import GeneralObjectExporter
from pypdf import PdfReader
from sqlalchemy import update

from atelier.commerce import certificates, invoices, money
from atelier.commerce.invoices import Line
from atelier.commerce.market_models import LicenceGrant
from atelier.engines.music.render import to_svg
from atelier.store.models import User
from atelier.studio import Studio
from atelier.web import i18n
from tests.support.accounts import PASSWORD, add_user

ROOT = Path(__file__).resolve().parent.parent
ZH = {"accept-language": "zh-CN,zh;q=0.9,en;q=0.8"}
EN = {"accept-language": "en-GB,en;q=0.9"}


def studio_of(client: TestClient) -> Studio:
    return client.app.state.studio  # type: ignore[attr-defined,no-any-return]


def page_sign_in(client: TestClient, email: str, headers: dict[str, str] | None = None) -> Any:
    """Sign in through the /login form (with its CSRF token), as a browser does."""
    form = client.get("/login", headers=headers).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, "the sign-in form has no CSRF token"
    fields = {"email": email, "password": PASSWORD, "next": "/", "csrf_token": token.group(1)}
    response = client.post("/login", data=fields, headers=headers, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response


def csrf_of(page: str) -> str:
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert token, "the page has no CSRF token"
    return token.group(1)


# -- choosing the language -----------------------------------------------------------------


def test_the_browser_language_chooses_the_page_language(client: TestClient) -> None:
    chinese = client.get("/", headers=ZH)
    assert chinese.status_code == 200
    assert '<html lang="zh-CN">' in chinese.text
    for words in ("你想创作什么？", "画廊", "登录", "注册", "构图", "文字"):
        assert words in chinese.text, words
    assert "What will you make?" not in chinese.text

    english = client.get("/", headers=EN)
    assert '<html lang="en">' in english.text and "What will you make?" in english.text
    assert "你想创作什么？" not in english.text
    # q-values count, not the order; Traditional Chinese readers get Simplified, not English
    preferred = client.get("/signup", headers={"accept-language": "en;q=0.4, zh-CN;q=0.8"})
    assert "创建账户" in preferred.text
    assert "创建账户" in client.get("/signup", headers={"accept-language": "zh-TW"}).text
    assert "Make an account" in client.get("/signup", headers={"accept-language": "fr"}).text


def test_the_switch_sticks_and_unknown_languages_are_refused(client: TestClient) -> None:
    switched = client.post(
        "/language", data={"locale": "zh_CN", "back": "/gallery?medium=image"}, headers=EN
    )
    assert switched.status_code == 200 and switched.url.path == "/gallery"
    assert switched.url.query == b"medium=image"
    assert client.cookies.get(i18n.COOKIE) == "zh_CN"
    # The cookie wins over the browser's language on every page after.
    for path, words in (
        ("/gallery", "搜索画廊"),
        ("/login", "忘记密码？"),
        ("/", "你想创作什么？"),
    ):
        assert words in client.get(path, headers=EN).text, path

    back = client.post("/language", data={"locale": "en", "back": "//evil.example/"})
    assert back.url.path == "/" and back.url.host == "testserver"  # never another site
    assert "What will you make?" in client.get("/", headers=ZH).text

    refused = client.post("/language", data={"locale": "tlh"}, headers={"accept": "text/html"})
    assert refused.status_code == 422
    assert "The studio speaks: English, 简体中文." in refused.text


def test_the_account_language_follows_its_owner_to_another_browser(
    app_settings: Any, client: TestClient
) -> None:
    add_user(studio_of(client), "lin@example.com")
    page_sign_in(client, "lin@example.com", EN)
    account = client.get("/account", headers=EN).text
    assert "Your account" in account
    client.post("/language", data={"locale": "zh_CN", "csrf_token": csrf_of(account)})
    with studio_of(client).db.transaction() as s:
        assert s.query(User).filter_by(email="lin@example.com").one().locale == "zh_CN"

    elsewhere = TestClient(client.app)  # another browser: no cookies, an English browser
    assert "What will you make?" in elsewhere.get("/", headers=EN).text
    signed = page_sign_in(elsewhere, "lin@example.com", EN)
    assert f"{i18n.COOKIE}=zh_CN" in signed.headers["set-cookie"]
    assert "你的账户" in elsewhere.get("/account", headers=EN).text


# -- what pages say in Chinese ---------------------------------------------------------------


def test_error_pages_are_chinese_and_the_api_stays_english(client: TestClient) -> None:
    missing = client.get("/no/such/place", headers={**ZH, "accept": "text/html"})
    assert missing.status_code == 404
    assert "找不到该页面" in missing.text and "/no/such/place 处什么也没有。" in missing.text
    problem = client.get("/v1/works/nothing-here", headers=ZH)
    assert problem.status_code in (401, 404)
    assert problem.headers["content-type"].startswith("application/problem+json")
    assert re.search("[\u4e00-\u9fff]", problem.text) is None


def test_account_dates_counts_and_money_are_written_the_chinese_way(client: TestClient) -> None:
    studio = studio_of(client)
    who = add_user(studio, "wang@example.com")
    with studio.db.transaction() as s:
        s.execute(update(User).where(User.id == who.user_id).values(display_name="王芳"))
    page_sign_in(client, "wang@example.com", ZH)
    account = client.get("/account", headers=ZH).text
    assert re.search(r"试用积分于 \d{4}年\d{1,2}月\d{1,2}日 过期。", account), account
    assert "data-balance>200<" in account and "套餐" in account
    plans = client.get("/account/plans", headers=ZH).text
    assert "套餐与积分" in plans and "购买 500 积分" in plans
    assert "€5.00" in plans and "EUR 5.00" not in plans  # the pack's price, zh_CN style
    english = client.get("/account/plans", headers=EN).text
    assert "EUR 5.00" in english and "Buy 500 credits" in english


def test_formatting_follows_the_language() -> None:
    assert money.text(123450, "EUR") == "EUR 1,234.50"
    assert money.text(123450, "EUR", "zh_CN") == "€1,234.50"
    assert money.text(123450, "CNY", "zh_CN") == "¥1,234.50"
    assert money.text(4900, "JPY", "zh_CN") == "JP¥4,900"
    when = datetime(2026, 12, 3, 9, 5)
    assert i18n.day(when) == "Dec 3, 2026" and i18n.number(12345) == "12,345"
    token = i18n._current.set("zh_CN")
    try:
        assert i18n.day(when) == "2026年12月3日"
        assert i18n.moment("2026-12-03T09:05:00") == "2026年12月3日 09:05:00"
        assert i18n.gettext("Sign in") == "登录"
        assert i18n.ngettext("%(num)d tool", "%(num)d tools", 3) % {"num": 3} == "3 个工具"
    finally:
        i18n._current.reset(token)


# -- the catalogue ---------------------------------------------------------------------------


def extracted() -> Catalog:
    """What the sources ask to be translated now (babel.cfg, as `make translations`)."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    catalog = Catalog()
    keywords = {**DEFAULT_KEYWORDS, "lazy": None}  # pybabel extract -k lazy
    for _file, line, message, comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=keywords
    ):
        catalog.add(message, None, [(_file, line)], auto_comments=comments, context=context)
    return catalog


def test_every_message_of_the_pages_and_engines_is_translated_into_chinese() -> None:
    with i18n.catalogue_path("zh_CN").open("rb") as po:
        chinese = read_po(po, locale="zh_CN")
    wanted = extracted()
    assert len(wanted) > 400  # the templates, the pages' Python and the engines' forms
    untranslated = []
    for message in wanted:
        if not message.id:
            continue
        found = chinese.get(message.id, context=message.context)
        strings = () if found is None else found.string
        strings = (strings,) if isinstance(strings, str) else strings
        if found is None or "fuzzy" in found.flags or not all(strings):
            untranslated.append(message.id)
    assert untranslated == [], "run `make translations` and translate these"
    # Placeholders agree (%(name)s kept, none invented) in every translation.
    assert [(m.id, str(error)) for m, error in chinese.check()] == []
    known = {(m.id, m.context) for m in wanted}
    stale = [m.id for m in chinese if m.id and (m.id, m.context) not in known]
    assert stale == [], "messages no source asks for: run `make translations`"


def test_a_template_message_with_a_placeholder_renders_it_escaped(client: TestClient) -> None:
    """Names put into a translated sentence are escaped like any other value."""
    add_user(studio_of(client), "<b>x</b>@example.com")
    page_sign_in(client, "<b>x</b>@example.com", ZH)
    account = client.get("/account", headers=ZH).text
    assert "已登录：&lt;b&gt;x&lt;/b&gt;@example.com" in account


# -- PDFs ------------------------------------------------------------------------------------


def pdf_text_and_fonts(pdf: bytes) -> tuple[str, set[str]]:
    """The text pypdf reads back, and the names of the fonts embedded (with a font file)."""
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    embedded = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                if "/FontFile2" in descriptor:
                    embedded.add(str(font["/BaseFont"]).split("+")[-1])
    return text, embedded


def test_an_invoice_prints_a_chinese_buyer_and_line(studio: Studio) -> None:
    who = add_user(studio, "zhang@example.com")
    with studio.db.transaction() as s:
        s.execute(update(User).where(User.id == who.user_id).values(display_name="张伟"))
        invoice = invoices.open_invoice(
            s,
            who.user_id,
            [Line("licence", "授权：秋雨中的三只红狐狸（标准商用）", 1, 4900, "licence:x")],
            "zh-invoice",
            "CNY",
        )
    text, fonts = pdf_text_and_fonts(studio.commerce.invoice_pdf(invoice))
    assert "张伟 <zhang@example.com>" in text
    assert "授权：秋雨中的三只红狐狸（标准商用）" in text
    assert "CNY 49.00" in text
    assert {"DejaVuSansBook", "DejaVuSansBold", "WenQuanYiMicroHei"} <= fonts


def test_a_licence_certificate_prints_chinese_names_and_title() -> None:
    grant = LicenceGrant(
        id="c" * 32,
        order_id="o" * 32,
        licensee_id="b" * 32,
        licensor_id="s" * 32,
        licensee_name="李娜",
        licensor_name="陈静工作室",
        work_id="w" * 32,
        work_sha256="ab" * 32,
        work_title="秋雨中的狐狸",
        offer_kind="standard",
        terms={"title": "标准商用授权", "commercial": True, "summary": "可用于商业用途。"},
        price=4900,
        currency="CNY",
        territory="全球",
        attribution=[],
        policy={},
        granted_at=datetime(2026, 12, 3, 9, 5),
        signature={"alg": "Ed25519", "signature": "c2lnbmF0dXJl"},
        status="valid",
    )
    text, fonts = pdf_text_and_fonts(certificates.pdf(grant, "http://studio.example/verify"))
    for words in ("李娜", "陈静工作室", "秋雨中的狐狸", "标准商用授权", "可用于商业用途。", "全球"):
        assert words in text, words
    assert "WenQuanYiMicroHei" in fonts


def test_an_engraved_score_keeps_a_chinese_title() -> None:
    """Verovio writes the title as SVG text: the viewer's browser draws it (any CJK font)."""
    score = music21.stream.Score()
    score.metadata = music21.metadata.Metadata()
    score.metadata.title = "秋雨中的歌"
    part = music21.stream.Part()
    part.append(music21.note.Note("C4", quarterLength=4))
    score.append(part)
    svg = to_svg(GeneralObjectExporter(score).parse()).decode()
    assert re.search(r"<tspan[^>]*>秋雨中的歌</tspan>", svg)
