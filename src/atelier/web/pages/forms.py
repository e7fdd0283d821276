"""Turn an engine's JSON schema into form fields, and a posted form back into params."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class FormField:
    name: str
    label: str
    kind: str  # number | integer | checkbox | file | select | text
    required: bool
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    options: list[Any] | None = None
    accept: str = ""
    help: str = ""


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


def form_fields(schema: dict[str, Any]) -> list[FormField]:
    required = set(schema.get("required", []))
    fields = []
    for name, raw in schema.get("properties", {}).items():
        prop, _nullable = _option(raw)
        kind = {"integer": "integer", "number": "number", "boolean": "checkbox"}.get(
            prop.get("type", ""), "text"
        )
        if prop.get("format") == "upload":
            kind = "file"
        if "enum" in prop:
            kind = "select"
        help_text = prop.get("description", "")
        if kind == "file":  # the page sends a file; the upload id is the API's business
            help_text = help_text.replace(" (upload id)", "")
        fields.append(
            FormField(
                name=name,
                label=_label(name, prop.get("title")),
                kind=kind,
                required=name in required,
                default=prop.get("default"),
                minimum=prop.get("minimum"),
                maximum=prop.get("maximum"),
                options=prop.get("enum"),
                accept=",".join(f"{a}/*" for a in prop.get("accept", [])),
                help=help_text,
            )
        )
    return fields


def params_from_form(fields: list[FormField], form: dict[str, str]) -> dict[str, Any]:
    """Blank optional fields are left out so the engine's defaults apply; types are the
    schema's, and a value that does not convert is passed on for the engine to reject."""
    params: dict[str, Any] = {}
    for field in fields:
        if field.kind == "checkbox":
            params[field.name] = field.name in form
            continue
        value = form.get(field.name, "").strip()
        if value == "":
            continue
        converter = {"integer": int, "number": float}.get(field.kind)
        try:
            params[field.name] = converter(value) if converter else value
        except ValueError:
            params[field.name] = value
    return params
