"""Words the pages show that the studio's data defines, for the catalogue: a Babel
extraction method (see babel.cfg) that gives every built-in engine's title and
description and its create form's labels, hints and empty gallery choices (as
web/pages/forms.py makes them), and every licence offer's title and summary
(commerce/offers.py), so `pybabel extract` puts them in the catalogue beside the
templates' own and pages show them translated (`| tr`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from atelier.commerce.offers import CATALOGUE
from atelier.engines import registry
from atelier.web.pages.forms import form_fields


def texts() -> dict[str, str]:
    """Each text once, in the order they are defined, with where it comes from."""
    found: dict[str, str] = {}
    own = [e for e in registry.classes() if e.__module__.startswith("atelier.")]  # no plug-ins
    for engine in own:
        words = [engine.medium.capitalize(), engine.title, engine.description]
        for field in form_fields(engine.Params.model_json_schema()):
            words += [field.label, field.help, field.none]
        for word in words:
            if word:
                found.setdefault(word, f"engine {engine.name}")
    for offer in CATALOGUE:
        for word in (offer.title, offer.summary):
            found.setdefault(word, f"licence offer {offer.kind}")
    return found


def extract(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel's extraction interface; the file it is given (the registry) is not read."""
    for text, source in texts().items():
        yield 1, "gettext", text, [source]
