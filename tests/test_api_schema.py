"""The whole /v1 API against its own OpenAPI document (schemathesis): a few generated
requests per operation, sent to the in-process app as an admin with a read-write key,
answer without a server error and in the shape the document declares (2xx bodies and
every problem+json alike). Also: every /v1 operation declares a response schema for each
of its 2xx and 4xx answers, and has a stable operation id."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from atelier.web.app import create_app
from tests.support.accounts import api_user
from tests.support.settings import make_settings

METHODS = ("get", "post", "put", "patch", "delete")
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    tmp: Path = tmp_path_factory.mktemp("schema")
    hook = f"{sys.executable} {Path(__file__).parent / 'support' / 'mail_hook.py'} {tmp / 'outbox'}"
    settings = make_settings(tmp, workers=0, mail_hook=hook, public_url="http://studio.example")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def admin_key(client: TestClient) -> dict[str, str]:
    return api_user(client, "boss@example.com", "admin", credits=1000)


@pytest.fixture(scope="module")
def api_schema(client: TestClient) -> Any:
    # GET /v1/events streams until its client goes (tests/test_webhooks.py reads it).
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    return schema.include(path_regex="^/v1/").exclude(operation_id="events_stream")


def test_every_operation_answers_as_documented(api_schema: Any, admin_key: dict[str, str]) -> None:
    """Each operation in turn (schemathesis' own pytest loader does not run on pytest 9),
    every failure named by its operation."""
    failures: list[str] = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=3,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def answers(case: Any) -> None:
            case.call_and_validate(headers=admin_key, checks=CHECKS)

        try:
            answers()
        except (Exception, BaseExceptionGroup) as exc:  # shown together below
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert failures == [], "\n\n".join(failures)


def test_every_v1_answer_is_described(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    ids: list[str] = []
    missing: list[str] = []
    for path, operations in document["paths"].items():
        if not path.startswith("/v1/"):
            continue
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            ids.append(operation["operationId"])
            codes = [c for c in operation["responses"] if c[0] in "24"]
            assert any(c.startswith("4") for c in codes), f"{method} {path}: no problems"
            for code in codes:
                content = operation["responses"][code].get("content", {})
                if code == "204":
                    continue
                if not any("schema" in media for media in content.values()):
                    missing.append(f"{method.upper()} {path} {code}")
                if code.startswith("4"):
                    assert list(content) == ["application/problem+json"], (path, code)
    assert missing == []
    assert len(ids) == len(set(ids)), "operation ids repeat"
    assert all("__" not in i and i.isidentifier() for i in ids), ids
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "errors"} <= set(problem["properties"])
