"""Honest costs: the cost line beside Create answers an estimate for every engine's own
form (its defaults, each choice it offers), on the real size of the files, against the
balance; a balance short of a job is refused with 402 naming the amounts and where to buy."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import update

from atelier.commerce.models import Plan
from atelier.engines.base import Engine
from atelier.store.models import Job
from atelier.studio import Studio
from atelier.studio.catalogue import dataset_fields, params_schema, upload_fields
from atelier.web.app import create_app
from atelier.web.pages.common import MEDIA
from atelier.web.pages.forms import form_fields, params_from_form
from tests.support.accounts import add_user, api_user, sign_in
from tests.support.media import image_bytes
from tests.support.settings import make_settings

WORDS = "a red apple on a wooden table by the window"  # for a required text box


class EngineForm(HTMLParser):
    """The create page's form as a browser would send it: text inputs' values, checked
    boxes and radio buttons, each select's chosen option (else its first), textareas; and
    the options each select or gallery of radio buttons offers (the page's presets)."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.values: list[tuple[str, str]] = []
        self.options: dict[str, list[str]] = {}
        self.required: set[str] = set()
        self._select = ""
        self._selected = False
        self._textarea = ""

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attributes}
        if tag == "form" and "engine-form" in a.get("class", ""):
            self.inside = True
        if not self.inside:
            return
        if "required" in a and a.get("name"):
            self.required.add(a["name"])
        if tag == "input" and a.get("type") == "radio":  # a gallery: its tiles are choices
            self.options.setdefault(a["name"], []).append(a["value"])
            if "checked" in a:
                self.values.append((a["name"], a["value"]))
        elif tag == "input" and a.get("type") not in ("file", "checkbox", "submit"):
            self.values.append((a["name"], a.get("value", "")))
        elif tag == "input" and a.get("type") == "checkbox" and "checked" in a:
            self.values.append((a["name"], a.get("value", "on")))
        elif tag == "select":
            self._select, self._selected = a["name"], False
            self.options[a["name"]] = []
        elif tag == "option" and self._select:
            self.options[self._select].append(a["value"])
            if "selected" in a:
                self.values.append((self._select, a["value"]))
                self._selected = True
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values.append((a["name"], ""))

    def handle_data(self, data: str) -> None:
        if self._textarea:
            name, text = self.values[-1]
            self.values[-1] = (name, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select:
            if not self._selected and self.options[self._select]:
                self.values.append((self._select, self.options[self._select][0]))
            self._select = ""
        elif tag == "textarea":
            self._textarea = ""
        elif tag == "form":
            self.inside = False


def page_form(client: TestClient, engine: str) -> EngineForm:
    page = client.get(f"/create/{engine}")
    assert page.status_code == 200, page.text
    form = EngineForm()
    form.feed(page.text)
    assert form.values, f"no form on /create/{engine}"
    return form


def typed(form: EngineForm, skip: set[str]) -> list[tuple[str, str]]:
    """The form's own values, a required text box left empty filled in as a user would
    (an upload or a dataset in `skip` stays empty: an estimate does without them)."""
    return [
        (name, WORDS if not value and name in form.required - skip - {"seed"} else value)
        for name, value in form.values
        if name != "csrf_token"
    ]


def engine_refuses(engine: Engine[Any], query: list[tuple[str, str]]) -> bool:
    """Whether the engine's own parameters refuse these settings (its files given)."""
    schema = params_schema(engine)
    params = params_from_form(form_fields(schema), dict(query))
    for name in schema.get("required", []):
        if name in {*upload_fields(engine), *dataset_fields(engine)}:
            params[name] = "f" * 32
    try:
        engine.Params.model_validate(params)
    except ValidationError:
        return True
    return False


def with_choice(values: list[tuple[str, str]], name: str, option: str) -> list[tuple[str, str]]:
    return [(n, option if n == name else v) for n, v in values]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app = create_app(make_settings(tmp_path_factory.mktemp("costs")))
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def studio(client: TestClient) -> Studio:
    return client.app.state.studio  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def few_credits(studio: Studio) -> Iterator[int]:
    """New users' Trial grants 20 credits (while the test runs)."""

    def trial_credits(credits: int) -> None:
        with studio.db.transaction() as s:
            s.execute(update(Plan).where(Plan.id == "trial").values(monthly_credits=credits))

    trial_credits(20)
    yield 20
    trial_credits(200)


def test_every_engines_own_form_and_each_choice_it_offers_gets_an_estimate(
    client: TestClient, studio: Studio
) -> None:
    """The page's defaults always get an estimate; each option of each of its choices
    does too, unless the engine itself refuses it with the other defaults (the clean
    music model with a style it was not trained on). eval.compare is left out: its two
    sides are objects only the admins' evaluation page and the API can give."""
    add_user(studio, "forms@example.com")
    sign_in(client, "forms@example.com")
    refused = []
    for engine in studio.engines.all():
        if engine.medium not in MEDIA or engine.available() is not None:
            continue  # a tool this studio cannot run has no form for users (404)
        form = page_form(client, engine.name)
        values = typed(form, {*upload_fields(engine), *dataset_fields(engine)})
        choices = [
            with_choice(values, name, option)
            for name, options in form.options.items()
            for option in options
        ]
        for query in [values, *choices]:
            answer = client.get(f"/create/{engine.name}/estimate", params=query)
            body = answer.json()
            estimated = answer.status_code == 200 and body["text"].startswith("About ")
            if not estimated and (query is values or not engine_refuses(engine, query)):
                refused.append((engine.name, dict(query), body))
    assert refused == [], "\n".join(map(str, refused))
    assert len(studio.engines.names("image")) >= 6  # the page's engines were all seen


def test_the_named_style_and_restores_defaults_get_an_estimate_not_a_false_error(
    client: TestClient, studio: Studio
) -> None:
    add_user(studio, "named@example.com")
    sign_in(client, "named@example.com")
    stylize = client.get("/create/image.stylize/estimate", params={"style": "7"})
    assert stylize.status_code == 200, stylize.text
    assert "style_image" not in stylize.text
    restore = client.get(
        "/create/image.restore/estimate",
        params=typed(page_form(client, "image.restore"), {"image", "mask"}),
    )
    assert restore.status_code == 200, restore.text
    # A chosen mask goes with the inpaint step; without the step it is refused, by name.
    both = {"steps": "inpaint,denoise", "measure-mask": "400x300", "measure-image": "400x300"}
    assert client.get("/create/image.restore/estimate", params=both).status_code == 200
    alone = client.get("/create/image.restore/estimate", params={**both, "steps": "denoise"})
    assert alone.status_code == 422
    assert "inpaint" in alone.json()["error"]


def test_an_empty_required_box_asks_for_it_rather_than_erring(
    client: TestClient, studio: Studio
) -> None:
    add_user(studio, "empty@example.com")
    sign_in(client, "empty@example.com")
    answer = client.get("/create/image.compose/estimate", params={"width": "512"})
    assert answer.status_code == 200
    assert answer.json()["text"] == "Cost shown once Prompt is filled in"


def test_the_estimate_scales_with_the_picture_chosen_or_sent(
    client: TestClient, studio: Studio
) -> None:
    who = add_user(studio, "sizes@example.com")
    sign_in(client, "sizes@example.com")

    def credits(**query: str) -> int:
        answer = client.get("/create/image.upscale/estimate", params=query)
        assert answer.status_code == 200, answer.text
        return float(answer.json()["credits"])

    small = credits(scale="2", model="photo", **{"measure-image": "64x64"})
    large = credits(scale="4", model="photo", **{"measure-image": "768x512"})
    assert small < 10 < 100 < large  # 4,096 pixels in against 393,216
    typical = client.get("/create/image.upscale/estimate", params={"scale": "4"}).json()
    assert "for a typical image" in typical["text"]
    kept = studio.uploads.add(who, "photo.png", image_bytes(64, 64))
    assert credits(scale="2", model="photo", **{"keep-image": kept.id}) == small
    # What submit holds is what the line said.
    job, _ = studio.jobs.submit(who, "image.upscale", {"image": kept.id, "scale": 2})
    studio.jobs.cancel(who, job.id)
    with studio.db.transaction() as s:
        held = s.get(Job, job.id)
        assert held is not None and held.cost_estimate <= small


def test_the_cost_line_warns_before_the_balance_is_short(
    client: TestClient, studio: Studio, few_credits: int
) -> None:
    add_user(studio, "short@example.com")
    sign_in(client, "short@example.com")
    query = {"scale": "2", "model": "photo", "measure-image": "320x320"}
    body = client.get("/create/image.upscale/estimate", params=query).json()
    assert body["balance"] == few_credits and body["credits"] > few_credits
    assert body["short"] == pytest.approx(body["credits"] - few_credits)
    assert f"more than your balance of 20 credits ({body['short']} short)" in body["text"]
    assert body["buy"] == "/account/plans"
    cheap = client.get("/create/image.upscale/estimate", params={**query, "model": "fast"})
    assert cheap.json()["short"] == 0 and cheap.json()["buy"] is None


def test_a_402_problem_names_the_shortfall_and_where_to_buy(
    client: TestClient, studio: Studio, few_credits: int
) -> None:
    headers = api_user(client, "api402@example.com")
    sent = client.post(
        "/v1/uploads",
        headers=headers,
        files={"file": ("photo.png", image_bytes(320, 320), "image/png")},
    )
    assert sent.status_code == 201, sent.text
    job: dict[str, Any] = {
        "engine": "image.upscale",
        "params": {"image": sent.json()["id"], "scale": 2, "model": "photo"},
    }
    refused = client.post("/v1/jobs", headers=headers, json=job)
    assert refused.status_code == 402, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["balance"] == few_credits and problem["needed"] > few_credits
    assert problem["missing"] == problem["needed"] - few_credits
    assert f"your balance is 20: {problem['missing']} short" in problem["detail"]
    assert (problem["buy"], problem["packs"], problem["plans"]) == (
        "/account/plans",
        "/v1/credit-packs",
        "/v1/plans",
    )
    assert client.get(problem["packs"], headers=headers).status_code == 200
    assert client.get(problem["plans"], headers=headers).status_code == 200
