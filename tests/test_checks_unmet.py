"""A work whose engine could not meet its own checks is delivered marked, with the
reasons, in the API and on its pages — never as if fine."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.accounts import add_user, sign_in
from tests.support.api import studio_of, submit, wait_job

REASONS = ["keyword missing: nets", "line 3 has 9 syllables, not 4 to 7"]


def test_unmet_checks_are_shown_in_the_api_and_on_the_pages(client: TestClient) -> None:
    add_user(studio_of(client), "maker@example.com")
    headers = sign_in(client, "maker@example.com")
    marked = submit(client, headers, "test.wait", {"unmet": REASONS}, seed=1)
    clean = submit(client, headers, "test.wait", {}, seed=2)
    marked = wait_job(client, headers, marked["id"])
    clean = wait_job(client, headers, clean["id"])
    assert marked["status"] == clean["status"] == "succeeded"

    work = client.get(f"/v1/works/{marked['work_ids'][0]}", headers=headers).json()
    assert work["checks_unmet"] == REASONS
    fine = client.get(f"/v1/works/{clean['work_ids'][0]}", headers=headers).json()
    assert fine["checks_unmet"] == []

    for url in (f"/works/{marked['work_ids'][0]}", f"/jobs/{marked['id']}"):
        page = client.get(url).text
        assert "Checks not met" in page, url
        assert all(reason in page for reason in REASONS), url
    for url in (f"/works/{clean['work_ids'][0]}", f"/jobs/{clean['id']}"):
        assert "Checks not met" not in client.get(url).text, url
