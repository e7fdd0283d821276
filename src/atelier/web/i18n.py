"""The interface's languages: which one a request is answered in, its gettext catalogue,
and dates, numbers and money as that language writes them.

A request's language is the switch's cookie (set by /language, and at sign-in from the
account's own setting), else the best of the browser's Accept-Language that the studio
speaks, else English. `Negotiate` (an ASGI middleware) decides it once per request and
keeps it in a context variable, so templates, pages and their messages all read it.

Catalogues are Babel's gettext .po files under web/locales/ (docs/languages.md says how
to add one); each is compiled in memory when first used, so there is no .mo file to
build, commit or let go stale. The API's problem documents stay English."""

from __future__ import annotations

import gettext as gnu
from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from atelier.commerce import money
from atelier.errors import Said, Sentences, StudioError, Word

# Code → its own name, as the switch shows it. A code is a Babel locale identifier and the
# name of its folder under LOCALES.
LANGUAGES = {"en": "English", "zh_CN": "简体中文"}
DEFAULT = "en"
COOKIE = "atelier_lang"
COOKIE_AGE = 365 * 24 * 3600
LOCALES = Path(__file__).parent / "locales"
DOMAIN = "messages"
# A browser's primary language subtag → the studio's language for it (zh-TW, zh-HK and
# zh-Hant readers get Simplified Chinese rather than English, the nearer of the two).
_PRIMARY = {code.split("_")[0].lower(): code for code in LANGUAGES}

_current: ContextVar[str] = ContextVar("atelier_language", default=DEFAULT)


def known(code: str | None) -> str | None:
    """The code if the studio speaks it ("zh-CN" and "zh_cn" are read as zh_CN)."""
    if not code:
        return None
    wanted = code.strip().replace("-", "_").lower()
    return next((c for c in LANGUAGES if c.lower() == wanted), None)


def from_header(accept_language: str) -> str | None:
    """The best language of an Accept-Language header that the studio speaks (q-values
    respected, ties in the order given), or None when it speaks none of them."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag.strip().lower()))
    for _, _, tag in sorted(ranked):
        found = known(tag) or _PRIMARY.get(tag.split("-")[0])
        if found:
            return found
    return None


def choose(cookie: str | None, accept_language: str) -> str:
    return known(cookie) or from_header(accept_language) or DEFAULT


def language() -> str:
    """The language of the request being answered (English outside a request)."""
    return _current.get()


def html_lang(code: str) -> str:
    """The code as HTML's lang attribute and BCP 47 write it: zh_CN → zh-CN."""
    return code.replace("_", "-")


def remember(response: Response, code: str, secure: bool) -> None:
    """Keep a chosen language in the switch's cookie (a year; read by pages only)."""
    response.set_cookie(
        COOKIE, code, max_age=COOKIE_AGE, httponly=True, samesite="lax", secure=secure, path="/"
    )


class Negotiate:
    """Sets the request's language for everything that answers it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        code = choose(connection.cookies.get(COOKIE), connection.headers.get("accept-language", ""))
        token = _current.set(code)
        try:
            await self.app(scope, receive, send)
        finally:
            _current.reset(token)


# -- catalogues ----------------------------------------------------------------------------


def catalogue_path(code: str) -> Path:
    return LOCALES / code / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(code: str) -> gnu.NullTranslations:
    """The language's catalogue, compiled from its .po (fuzzy entries left out, as
    `pybabel compile` leaves them). English is the source language: no catalogue."""
    if code == DEFAULT:
        return gnu.NullTranslations()
    path = catalogue_path(code)
    if not path.is_file():
        raise RuntimeError(f"the {code} catalogue {path} is missing (see docs/languages.md)")
    with path.open("rb") as po:
        catalog = read_po(po, locale=code, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gnu.GNUTranslations(compiled)


def gettext(message: str) -> str:
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: float) -> str:
    """gettext's plural forms count whole things; a fraction (4.5 credits) reads as many."""
    count = n if isinstance(n, int) else 1 if n == 1 else 2
    return translations(language()).ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """A message whose word means something else elsewhere ("Key": an API key, a music key)."""
    return translations(language()).pgettext(context, message)


def shown(error: StudioError) -> str:
    """A service's error in the reader's language: its message translated where the
    catalogue has it (web/words.py lists those the pages commonly show), then filled in."""
    text = gettext(error.message)
    return text % said(error.params) if error.params else text


def said(params: dict[str, object]) -> dict[str, object]:
    """A message's values, those that are the interface's own words translated."""
    return {k: shown_value(v) for k, v in params.items()}


def shown_value(given: object) -> object:
    """A value of a message in the reader's language: a word of the interface
    (errors.Word), a message of its own (errors.Said: "for 4 variants"), or sentences
    (errors.Sentences) each translated; anything else as it is."""
    if isinstance(given, Word):
        return gettext(given)
    if isinstance(given, Said):
        return gettext(given.message) % said(given.params)
    if isinstance(given, Sentences):
        return joined([gettext(part) for part in given.parts])
    return given


def joined(sentences: list[str]) -> str:
    """Sentences one after the other: a space after one that ends in a Latin full stop,
    none after a Chinese one ("。"), as each language writes them."""
    text = ""
    for sentence in sentences:
        text += (" " if text and text[-1].isascii() else "") + sentence
    return text


def shown_field(error: StudioError, message: str) -> str:
    """One of the error's field messages in the reader's language: the error's own, one
    that keeps its %(name)s form (errors.Said: a parameter's check), or a plain one."""
    if isinstance(message, Said):
        return gettext(message.message) % said(message.params)
    return shown(error) if message == error.detail else gettext(message)


def shown_errors(error: StudioError) -> dict[str, str]:
    """The error's message for each field it names, in the reader's language."""
    return {field: shown_field(error, message) for field, message in error.errors}


def lazy(message: str) -> str:
    """Marks a message for extraction where it is defined; it is translated where shown
    (with `_()` in a template, or `gettext` in code)."""
    return message


# -- formatting ----------------------------------------------------------------------------


def _locale() -> Locale:
    return Locale.parse(language())


def _moment(value: datetime | date | str) -> datetime | date:
    if isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


def day(value: datetime | date | str | None) -> str:
    """A date as the language writes it: "Dec 3, 2026", "2026年12月3日"."""
    if value is None or value == "":
        return ""
    when = _moment(value)
    return format_date(when.date() if isinstance(when, datetime) else when, "medium", _locale())


def moment(value: datetime | str | None) -> str:
    """A date and time (UTC, as the studio keeps them) as the language writes it."""
    if value is None or value == "":
        return ""
    when = _moment(value)
    if not isinstance(when, datetime):
        return day(when)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return format_datetime(when, "medium", tzinfo=UTC, locale=_locale())


def number(value: int | float) -> str:
    """A count with the language's grouping: 12,345."""
    return format_decimal(value, locale=_locale())


def signed(value: float) -> str:
    """A movement with its sign: +500, -1.37."""
    return ("+" if value >= 0 else "-") + number(abs(value))


def amount(value: int, currency: str) -> str:
    """Money in minor units, as the request's language shows it (commerce/money.py)."""
    return money.text(value, currency, language())
