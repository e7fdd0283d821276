"""The admin, dataset and expert-panel pages in Chinese: an admin with the Chinese
interface sees every one of them (with a dataset, its cleaned version and a panel of real
works to show) without the templates' English. Each page's visible text, its buttons'
confirmations and its images' descriptions are read; what is left in Latin letters must
be the data the test made (names, e-mails, engine names, codes) or what is marked as
English (an engine's own reason for being unavailable), never a phrase of the page itself."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

import tests.support.picture_engine  # noqa: F401 - registers test.picture (quick pictures)
from atelier.studio import Studio
from atelier.studio.panels import ItemSpec
from tests.support.accounts import add_user, sign_in
from tests.support.media import image_bytes
from tests.support.servers import wait_until
from tests.support.shown import ZH, english_left

pytestmark = pytest.mark.integration
ADMIN = "chief@example.com"
# Phrases every admin page may show that are data, not the page's words.
DATA = ("Harbour sketches", "Gulls at dawn", "A versus B", "test picture", "Trial", "Creator")


def test_admin_dataset_and_panel_pages_show_no_english_phrases(client: TestClient) -> None:
    studio: Studio = client.app.state.studio  # type: ignore[attr-defined]
    chief = add_user(studio, ADMIN, "admin")
    sign_in(client, ADMIN)

    dataset = studio.datasets.create(chief, "Harbour sketches", "image")
    for seed in range(2):
        studio.datasets.add(chief, dataset.id, f"gull-{seed}.png", image_bytes(seed=seed))
    version, _ = studio.datasets.make_version(chief, dataset.id, size=64)

    works = []
    for seed in range(2):
        job, _ = studio.jobs.submit(chief, "test.picture", {"width": 64, "height": 64}, seed=seed)
        done = wait_until(
            lambda job_id=job.id: studio.jobs.get(chief, job_id).status == "succeeded",
            60,
            what="a test picture",
        )
        assert done
        works.append(studio.jobs.get(chief, job.id).works[0].id)
    panel = studio.panels.create(
        chief, "Gulls at dawn", "ab", [ItemSpec(works[0], works[1], "A versus B")]
    )

    pages = [
        "/admin/reviews",
        "/admin/audit",
        "/admin/users",
        "/admin/plans",
        "/admin/invoices",
        "/admin/revenue",
        "/admin/payouts",
        "/admin/evaluation",
        "/admin/status",
        "/datasets",
        f"/datasets/{dataset.id}",
        f"/dataset-versions/{version.id}",
        "/panels",
        f"/panels/{panel.id}",
    ]
    english = {}
    for path in pages:
        page = client.get(path, headers=ZH)
        assert page.status_code == 200, (path, page.text[:500])
        assert '<html lang="zh-CN">' in page.text, path
        left = english_left(page.text, DATA)
        if left:
            english[path] = left
    assert english == {}, "\n".join(f"{path}: {left}" for path, left in english.items())

    # A few of the templates' own sentences, by name: gone in Chinese, there in English.
    for path, english_words, chinese in (
        ("/admin/audit", "Audit log", "审计日志"),
        ("/admin/users", "Save role", "保存角色"),
        (f"/datasets/{dataset.id}", "Make a version", "生成版本"),
        (f"/dataset-versions/{version.id}", "Cleaning", "清洗"),
        (f"/panels/{panel.id}", "Make an invitation link", "生成邀请链接"),
    ):
        assert chinese in client.get(path, headers=ZH).text, path
        assert english_words in client.get(path, headers={"accept-language": "en"}).text, path
