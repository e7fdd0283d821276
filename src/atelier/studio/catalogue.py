"""The engines this studio runs, by name and medium, and what one expects to cost."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails, ErrorType, PydanticKnownError

from atelier.engines.base import Budget, Engine, Inputs, Params
from atelier.engines.custom import MODEL_KEY
from atelier.errors import Invalid, Said
from atelier.studio.calibration import Calibration

# What refuses a request by its text: (params, their schema, upload fields) → raises.
Refuse = Callable[[dict[str, Any], dict[str, Any], Iterable[str]], None]
UNSENT = "0" * 32  # an upload's place in an estimate's parameters before it is sent


def params_schema(engine: Engine[Any]) -> dict[str, Any]:
    """The JSON schema of the engine's parameters (read it, never change it)."""
    params: type[BaseModel] = engine.Params
    return _schema(params)


@cache
def _schema(params: type[BaseModel]) -> dict[str, Any]:
    """Built once per parameter class: pydantic takes about a millisecond per schema, and
    every submit, claim and finish reads it."""
    return params.model_json_schema()


def upload_fields(engine: Engine[Any]) -> dict[str, list[str]]:
    """The engine's parameters that name uploads, with the kinds each accepts."""
    params: type[BaseModel] = engine.Params
    return dict(_upload_fields(params))


@cache
def _upload_fields(params: type[BaseModel]) -> dict[str, list[str]]:
    schema = _schema(params)
    fields = {}
    for name, prop in schema.get("properties", {}).items():
        for option in [prop, *prop.get("anyOf", [])]:
            if option.get("format") == "upload":
                fields[name] = option.get("accept", [])
    return fields


def model_fields(engine: Engine[Any]) -> dict[str, list[str]]:
    """The engine's parameters that may name a client's model, with the kinds each takes."""
    schema = params_schema(engine)
    fields = {}
    for name, prop in schema.get("properties", {}).items():
        for option in [prop, *prop.get("anyOf", [])]:
            if MODEL_KEY in option:
                fields[name] = list(option[MODEL_KEY])
    return fields


def dataset_fields(engine: Engine[Any]) -> dict[str, str]:
    """The engine's parameters that name a dataset version, with the medium each takes."""
    schema = params_schema(engine)
    return {
        name: prop.get("medium", "")
        for name, prop in schema.get("properties", {}).items()
        if prop.get("format") == "dataset"
    }


def validated(
    engine: Engine[Any],
    params: dict[str, Any],
    strip_prefix: bool = True,
    refuse: Refuse | None = None,
) -> Params:
    """The engine's parameters checked by its schema; Invalid naming each bad field (once:
    a value that fits none of a field's kinds, a number or a model's id, is one error).
    `refuse` (the safety screen's) is given the unchecked request first, to raise its
    refusal: a request is refused for what it asks, whatever else is wrong with it."""
    try:
        return engine.Params.model_validate(params)
    except ValidationError as exc:
        if refuse is not None:
            refuse(params, params_schema(engine), upload_fields(engine))
        by_field: dict[str, list[str]] = {}
        for e in exc.errors():
            path = [str(p) for p in e["loc"] if not _union_branch(p)]
            # pydantic's prefix says nothing; the estimate has always shown it as is
            message = e["msg"].removeprefix("Value error, ") if strip_prefix else e["msg"]
            by_field.setdefault(".".join(["params", *path]), []).append(_said(e, message))
        errors = [
            (field, messages[0] if len(messages) == 1 else " or ".join(messages))
            for field, messages in by_field.items()
        ]
        raise Invalid("; ".join(f"{f}: {m}" for f, m in errors), errors=errors) from None


def _said(error: ErrorDetails, message: str) -> str:
    """pydantic's message kept in its %(name)s form (its template "Input should be less
    than or equal to {le}" and the values), so a page can say it translated; as it is
    where the template and values do not give the same text (an engine's own check)."""
    try:
        known = PydanticKnownError(cast(ErrorType, error["type"]), error.get("ctx"))
    except (KeyError, TypeError):  # pydantic's custom errors, and known ones without values
        return message
    form = re.sub(r"\{(\w+)\}", r"%(\1)s", known.message_template.replace("%", "%%"))
    values = dict(error.get("ctx", {}))
    # The one value pydantic works out itself: "at least 1 character", "at most 5 characters".
    count = values.get("min_length", values.get("max_length"))
    said = Said(form, {"expected_plural": "" if count == 1 else "s", **values})
    return said if said == message else message


def _union_branch(part: str | int) -> bool:
    """Whether a location part is pydantic's name for a branch of a union (`int`,
    `constrained-str`, `function-after[...]`), not a field name or a list index."""
    if not isinstance(part, str):
        return False
    return part in _BRANCH_NAMES or "[" in part or part.startswith("constrained-")


_BRANCH_NAMES = {"int", "float", "str", "bool", "none", "list", "dict", "literal", "url"}


@dataclass(frozen=True)
class Price:
    """What a job is expected to take here: the engine's estimate of its seconds (its
    rates, fitted on the project's machine), this machine's factor against them
    (calibration.py), and the credits submit holds (the engine's, times the factor)."""

    seconds: float
    factor: float
    credits: float

    @property
    def seconds_here(self) -> float:
        return round(self.seconds * self.factor, 2)


class Catalogue:
    def __init__(self, engines: dict[str, Engine[Any]], calibration: Calibration) -> None:
        self._engines = engines
        self.calibration = calibration

    def all(self) -> list[Engine[Any]]:
        return list(self._engines.values())

    def get(self, name: str) -> Engine[Any]:
        engine = self._engines.get(name)
        if engine is None:
            known = ", ".join(self._engines)
            raise Invalid(
                "unknown engine %(name)s; known engines: %(known)s",
                field="engine",
                params={"name": repr(name), "known": known},
            )
        return engine

    def names(self, medium: str) -> list[str]:
        return [e.name for e in self._engines.values() if e.medium == medium]

    def runnable(self) -> list[str]:
        """The engines this process can run now (their models and packages are here)."""
        return [e.name for e in self._engines.values() if e.available() is None]

    def missing(self, engine_name: str, params: dict[str, Any]) -> list[str]:
        """The required parameters still empty, uploads and datasets aside (an estimate
        does without those): a form not yet complete, rather than a wrong one."""
        engine = self.get(engine_name)
        files = {*upload_fields(engine), *dataset_fields(engine)}
        required = params_schema(engine).get("required", [])
        return [n for n in required if n not in files and params.get(n) in (None, "", [])]

    def estimate(
        self, engine_name: str, params: dict[str, Any], inputs: Inputs | None = None
    ) -> dict[str, float]:
        """Seconds and credits an engine expects for these parameters, before submitting,
        from its budget. Upload and dataset fields may be left out when required or
        measured in `inputs`: an estimate reads parameters and the measures of the uploads
        in `inputs` (by parameter; a typical one for any other), never files. An optional
        one neither given nor measured stays out (a stylize without a style picture, a
        restore without a mask): filling it would judge settings nobody chose."""
        engine = self.get(engine_name)
        filled = dict(params)
        required = set(params_schema(engine).get("required", []))
        for name in [*upload_fields(engine), *dataset_fields(engine)]:
            if not filled.get(name) and (name in required or name in (inputs or {})):
                filled[name] = UNSENT
        params_in = validated(engine, filled, strip_prefix=False)
        price = self.price(engine, params_in, engine.output_budget(params_in, inputs or {}))
        return {"seconds": price.seconds_here, "credits": price.credits}

    def price(self, engine: Engine[Any], params: Params, budget: Budget) -> Price:
        """The engine's estimate for checked parameters and their budget, on this machine."""
        factor = self.calibration.factor(engine.name)
        credits = round(engine.estimate_cost(params, budget) * factor, 2)
        return Price(engine.estimate_seconds(params, budget), factor, credits)
