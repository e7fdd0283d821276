"""What a reader of a page sees or hears, and the English phrases left in it: the Chinese
page tests (tests/test_pages_chinese_*.py) read each page with these. What is left in
Latin letters must be the test's own data (names, e-mails, engine and file names, codes)
or what the page marks as English (lang="en"), never a phrase of the page itself."""

from __future__ import annotations

import re
from html.parser import HTMLParser

ZH = {"accept-language": "zh-CN,zh;q=0.9"}
# Two or more Latin words in a row: an English phrase (a hyphenated name is one word).
PHRASE = re.compile(r"[A-Za-z][A-Za-z'’-]+(?:[ ,;:()/]+[A-Za-z][A-Za-z'’-]+)+")
SKIPPED = {"script", "style", "code", "pre", "option"}  # code, and a select's data values
SHOWN_ATTRIBUTES = ("alt", "title", "placeholder", "aria-label", "data-confirm")


class Shown(HTMLParser):
    """The text a reader sees or hears: text nodes and the attributes read aloud."""

    def __init__(self) -> None:
        super().__init__()
        self.skipping: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED or ("lang", "en") in attrs:  # code, or marked as English
            self.skipping.append(tag)
        self.texts += [value for name, value in attrs if name in SHOWN_ATTRIBUTES and value]

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping and data.strip():
            self.texts.append(data.strip())


def english_left(html: str, data: tuple[str, ...]) -> list[str]:
    """The English phrases of the page once the test's `data` and names are taken out."""
    shown = Shown()
    shown.feed(html)
    left = []
    for text in shown.texts:
        for known in data:
            text = text.replace(known, "")
        # Addresses and paths, e-mails, engine and file names.
        text = re.sub(r"https?://\S+|\B/[\w./-]+|\S+@\S+|\b[\w-]+\.[\w.-]+\b", "", text)
        left += PHRASE.findall(text)
    return left
