"""Privacy: deleting a work removes its files from the store, except those another record
still needs (an upload of the same bytes, another work's file, a licence), on the local
store and in an S3 bucket alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from atelier.studio import Studio
from tests.conftest import add_user, make_settings, s3_settings
from tests.test_market import stylize_work


@pytest.fixture(params=["local", "s3"])
def each_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Studio]:
    """A studio on each artifact store."""
    if request.param == "local":
        settings = make_settings(tmp_path)
    else:
        settings = s3_settings(tmp_path, request.getfixturevalue("s3_server"))
    studio = Studio(settings)
    studio.prepare()
    yield studio
    studio.close()


def test_deleting_a_work_removes_its_files_unless_still_needed(each_store: Studio) -> None:
    studio = each_store
    ana = add_user(studio, "ana@example.com")
    work = stylize_work(studio, ana, affirm=False)
    kept = studio.uploads.from_work(ana, work.id, ("image",))  # its picture, as an upload
    [photo] = work.lineage["inputs"]
    files = {f.name: f.sha256 for f in work.files}
    assert {"thumbnail.webp"} < set(files) and len(set(files.values())) == len(files)
    assert all(studio.artifacts.exists(d) for d in files.values())

    assert studio.works.delete(ana, [work.id]) == 1
    left = {name for name, digest in files.items() if studio.artifacts.exists(digest)}
    primary = next(f.name for f in work.files if f.role == "primary")
    assert kept.sha256 == files[primary]
    assert left == {primary}  # the upload made from it still needs the picture
    assert studio.artifacts.exists(photo["sha256"])  # the photo it was made from is an upload
    assert studio.uploads.get(ana, kept.id).sha256 == files[primary]
