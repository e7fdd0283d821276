"""Turn an engine's JSON schema into form fields, and a posted form back into params.

Every engine's form comes from its schema, with the hints its fields carry as metadata
(engines/base.py): `about` (what the work is about) comes first in a large box, and
`advanced` knobs (samplers, output format…) are folded under "Advanced settings"; a file
picker offers what its upload kinds accept (engines/kinds.py); a field with `choices` is
picked from a gallery of samples (engines/galleries.py, web/pages/choices.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from atelier.engines.custom import MODEL_KEY
from atelier.engines.kinds import accept_attribute

LONG_TEXT = 200  # a string that may be longer than this gets a text box


@dataclass
class FormField:
    name: str
    label: str
    kind: str  # number | integer | checkbox | file | select | text | textarea | list | multi
    required: bool
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    options: list[Any] | None = None
    accept: str = ""
    kinds: tuple[str, ...] = ()  # what an upload may be: image, audio, midi…
    help: str = ""
    advanced: bool = False
    about: bool = False
    mask_for: str = ""  # a mask painted over this other picture field
    step: float | None = None  # the field's `multiple_of`, if it has one
    gallery: str = ""  # picked from this gallery of samples (engines/galleries.py)
    none: str = ""  # what leaving a gallery's field empty means, when it may be
    models: tuple[str, ...] = ()  # kinds of the caller's own models it may name


def _option(prop: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The non-null branch of an optional property, and whether null is allowed."""
    branches = prop.get("anyOf")
    if not branches:
        return prop, False
    real = [b for b in branches if b.get("type") != "null"]
    return (
        {**real[0], **{k: v for k, v in prop.items() if k != "anyOf"}},
        len(real) < len(branches),
    )


def _label(name: str, title: str | None) -> str:
    """A schema's own title, but in sentence case where pydantic merely title-cased the
    field's name ("Max Size" → "Max size")."""
    plain = name.replace("_", " ")
    return plain.capitalize() if title is None or title == plain.title() else title


def _kind(prop: dict[str, Any]) -> str:
    if prop.get("format") == "upload":
        return "file"
    if "enum" in prop:
        return "select"
    if prop.get("type") == "array":
        return "multi" if "enum" in prop.get("items", {}) else "list"
    if prop.get("type") == "string" and prop.get("maxLength", LONG_TEXT + 1) > LONG_TEXT:
        return "textarea"
    return {"integer": "integer", "number": "number", "boolean": "checkbox"}.get(
        prop.get("type", ""), "text"
    )


def form_fields(schema: dict[str, Any]) -> list[FormField]:
    """The fields in the order a person fills them in: about, files, the rest, advanced."""
    required = set(schema.get("required", []))
    fields = []
    for name, raw in schema.get("properties", {}).items():
        prop, _nullable = _option(raw)
        kind = _kind(prop)
        help_text = prop.get("description", "")
        kinds = tuple(prop.get("accept", []))
        if kind == "file":  # the page sends a file; the upload id is the API's business
            help_text = help_text.replace(" (upload id)", "")
        if kind == "list":
            help_text = (help_text + " Separate them with commas.").strip()
        options = prop.get("enum") or prop.get("items", {}).get("enum")
        fields.append(
            FormField(
                name=name,
                label=_label(name, prop.get("title")),
                kind=kind,
                required=name in required,
                default=prop.get("default"),
                minimum=prop.get("minimum"),
                maximum=prop.get("maximum"),
                options=options,
                accept=accept_attribute(kinds),
                kinds=kinds,
                help=help_text,
                advanced=bool(prop.get("advanced")) and name not in required,
                about=bool(prop.get("about")),
                mask_for=prop.get("mask_for", ""),
                step=prop.get("multipleOf"),
                gallery=prop.get("choices", ""),
                none=prop.get("choices_none", ""),
                models=tuple(prop.get(MODEL_KEY, ())),
            )
        )

    def place(field: FormField) -> int:
        if field.about:
            return 0
        return 3 if field.advanced else 1 if field.kind == "file" else 2

    return sorted(fields, key=place)


def _items(text: str) -> list[str]:
    return [item.strip() for item in re.split(r"[,\n]", text) if item.strip()]


def params_from_form(fields: list[FormField], form: dict[str, str]) -> dict[str, Any]:
    """What the person set: a blank optional field, or one still at the default the page
    filled in, is left out, so the engine's default applies and the engine sees it as not
    chosen (a LoRA knob shown on a house-style form is not a LoRA setting). Types are the
    schema's, and a value that does not convert is passed on for the engine to reject.
    A multiple choice arrives joined with commas (see `form_values`)."""
    params: dict[str, Any] = {}
    for field in fields:
        value = _value(field, form)
        if value is not None and value != field.default:
            params[field.name] = value
    return params


def _value(field: FormField, form: dict[str, str]) -> Any:
    """The field's value as its schema types it; None when it is blank."""
    if field.kind == "checkbox":
        return field.name in form
    value = form.get(field.name, "").strip()
    if value == "":
        return None
    if field.kind == "select":  # an option keeps its type (a number stays one)
        return next((o for o in field.options or [] if str(o) == value), value)
    if field.kind in ("list", "multi"):
        return _items(value)
    converter = {"integer": int, "number": float}.get(field.kind)
    try:
        return converter(value) if converter else value
    except ValueError:
        return value


def form_values(fields: list[FormField], form: Any) -> dict[str, str]:
    """A posted form's text values by name; a multiple choice joined with commas."""
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    for field in fields:
        if field.kind == "multi":
            values[field.name] = ",".join(str(v) for v in form.getlist(field.name))
    return values


def values_from_params(fields: list[FormField], params: dict[str, Any]) -> dict[str, str]:
    """A work's parameters as form values, to make it again (uploads left out)."""
    values: dict[str, str] = {}
    for field in fields:
        value = params.get(field.name)
        if value is None or field.kind == "file":
            continue
        if field.kind == "checkbox":
            if value:
                values[field.name] = "on"
        elif isinstance(value, list):
            values[field.name] = ", ".join(str(v) for v in value)
        else:
            values[field.name] = str(value)
    return values
