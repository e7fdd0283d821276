"""The studio calls behind the gallery, my works, sign-up and the admin pages: owner
checks on bulk actions, what the gallery may show, search by meaning, exports."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from atelier.accounts import service as accounts
from atelier.accounts.authz import Principal
from atelier.errors import Forbidden, Invalid, NotFound, Unsupported
from atelier.store.models import AuditEntry, User, Work, WorkEmbedding, utcnow
from atelier.studio import Studio
from atelier.studio.runner import Worker
from tests.support.accounts import PASSWORD, add_user
from tests.support.media import image_bytes
from tests.support.settings import make_settings


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Studio]:
    """One studio on SQLite shared by this module's tests (each with users of its own)."""
    studio = Studio(make_settings(tmp_path_factory.mktemp("studio")))
    studio.prepare()
    yield studio
    studio.close()


@pytest.fixture
def both(tmp_path: Path, db_url: str) -> Iterator[Studio]:
    """A studio on each database: for the queries whose SQL differs between them."""
    studio = Studio(make_settings(tmp_path, db_url))
    studio.prepare()
    yield studio
    studio.close()


def made(studio: Studio, who: Principal, title: str, description: str = "") -> Work:
    """A finished work (test.wait) with a title of our choosing."""
    job, _ = studio.jobs.submit(who, "test.wait", {})
    assert Worker(studio).run_one() is True
    work_id = studio.jobs.get(who, job.id).works[0].id
    return studio.works.update(who, work_id, title=title, description=description)


def ids(rows: list[tuple[Work, User]] | list[tuple[Work, User, float]]) -> list[str]:
    return [row[0].id for row in rows]


def test_the_gallery_shows_only_published_works_and_search_finds_by_meaning(
    both: Studio,
) -> None:
    studio = both
    ana, ben = add_user(studio, "ana@example.com"), add_user(studio, "ben@example.com")
    fox = made(studio, ana, "A red fox asleep in the snow", "a quiet winter morning")
    tax = made(studio, ben, "Quarterly tax spreadsheet", "numbers for the accountant")
    hidden = made(studio, ana, "A red fox asleep in the snow, private copy")
    unlisted = made(studio, ana, "A fox in snow, unlisted")
    studio.works.update(ana, unlisted.id, visibility="unlisted")
    assert studio.gallery.wall() == []

    studio.works.update_many(ana, [fox.id], visibility="public")
    studio.works.update_many(ben, [tax.id], visibility="public")
    assert set(ids(studio.gallery.wall())) == {fox.id, tax.id}
    assert hidden.id not in ids(studio.gallery.wall()) and unlisted.id not in ids(
        studio.gallery.wall()
    )
    with studio.db.transaction() as s:
        stored = s.get(WorkEmbedding, fox.id)
        assert stored is not None and "winter morning" in stored.text
        assert len(stored.vector) == 384 * 4
        assert s.get(WorkEmbedding, hidden.id) is None  # never published: never embedded

    found = studio.gallery.search("small orange animal sleeping through winter")
    assert ids(found)[0] == fox.id
    scores = {row[0].id: row[2] for row in found}
    assert scores[fox.id] > scores.get(tax.id, 0.0)
    assert ids(studio.gallery.search("paying taxes"))[0] == tax.id
    assert ids(studio.gallery.similar(fox.id)) in ([], [tax.id])  # never itself
    with pytest.raises(NotFound):
        studio.gallery.similar(hidden.id)

    # A work held by moderation vanishes from the gallery and its search.
    with studio.db.transaction() as s:
        row = s.get(Work, fox.id)
        assert row is not None
        row.review_status = "in_review"
    assert fox.id not in ids(studio.gallery.wall())
    assert fox.id not in ids(studio.gallery.search("a fox asleep in the snow"))
    # Unpublished again: gone as well.
    studio.works.update(ben, tax.id, visibility="private")
    assert studio.gallery.wall() == [] and studio.gallery.search("taxes") == []

    with pytest.raises(Invalid) as bad:
        studio.gallery.search("   ")
    assert bad.value.errors[0][0] == "q"


def test_others_cannot_publish_delete_export_or_reuse_someone_elses_works(
    both: Studio,
) -> None:
    studio = both
    ana, ben = add_user(studio, "ana@example.com"), add_user(studio, "ben@example.com")
    mine = made(studio, ana, "mine")
    theirs = made(studio, ben, "theirs")
    for attempt in (
        lambda: studio.works.update_many(ana, [mine.id, theirs.id], visibility="public"),
        lambda: studio.works.delete(ana, [mine.id, theirs.id]),
        lambda: studio.works.export(ana, [theirs.id]),
        lambda: studio.uploads.from_work(ana, theirs.id),
    ):
        with pytest.raises(NotFound):
            attempt()
    # All or nothing: ana's own work in the refused batch is untouched.
    assert studio.works.get(ana, mine.id)[0].visibility == "private"
    assert ids(studio.gallery.wall()) == []
    assert studio.works.get(ben, theirs.id)[0].title == "theirs"

    with pytest.raises(Invalid):
        studio.works.update_many(ana, [], visibility="public")
    with pytest.raises(Invalid):
        studio.works.update_many(ana, [mine.id], visibility="everyone")

    assert studio.works.delete(ana, [mine.id]) == 1
    with pytest.raises(NotFound):
        studio.works.get(ana, mine.id)
    assert [w.id for w in studio.works.mine(ben)] == [theirs.id]


def test_an_export_holds_each_work_with_its_manifest(studio: Studio) -> None:
    ana = add_user(studio, "eve@example.com")
    first, second = made(studio, ana, "first"), made(studio, ana, "second: in review")
    with studio.db.transaction() as s:
        row = s.get(Work, second.id)
        assert row is not None
        row.review_status = "in_review"
    path = studio.works.export(ana, [first.id, second.id])
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            manifests = {
                n: json.loads(archive.read(n)) for n in names if n.endswith("/manifest.json")
            }
            one = next(m for m in manifests.values() if m["id"] == first.id)
            folder = next(n for n in names if n.endswith("/manifest.json") and first.id[:8] in n)
            primary = folder.replace("manifest.json", "result.txt")
            assert archive.read(primary) == f"seed {one['seed']} work 0\n".encode()
        assert one["engine"] == "test.wait" and one["params"]["seconds"] == 0.0
        assert one["lineage"]["models"] == [] and one["files_withheld"] is False
        assert one["files"][0]["sha256"] == first.sha256
        assert one["log_entries"] and one["log_entries"][0]["sha256"] == first.sha256
        held = next(m for m in manifests.values() if m["id"] == second.id)
        assert held["files_withheld"] is True
        assert not any(n.endswith("result.txt") and second.id[:8] in n for n in names)
    finally:
        path.unlink()


def test_my_works_filter_by_medium_and_date(studio: Studio) -> None:
    ana = add_user(studio, "fay@example.com")
    work = made(studio, ana, "a text")
    assert ids_of(studio.works.mine(ana, medium="text")) == [work.id]
    assert studio.works.mine(ana, medium="image") == []
    now = utcnow()
    assert ids_of(studio.works.mine(ana, since=now - timedelta(hours=1))) == [work.id]
    assert studio.works.mine(ana, until=now - timedelta(hours=1)) == []


def ids_of(works: list[Work]) -> list[str]:
    return [w.id for w in works]


def test_sign_up_makes_a_creator_with_a_handle(studio: Studio) -> None:
    user = studio.accounts.sign_up("Zoe@Example.com", PASSWORD, "  Zoë   Ortiz ")
    assert user is not None
    assert (user.email, user.role, user.display_name) == ("zoe@example.com", "creator", "Zoë Ortiz")
    assert user.handle == "zoe-ortiz"
    again = studio.accounts.sign_up("zoe2@example.com", PASSWORD, "Zoe Ortiz")
    assert again is not None and again.handle == "zoe-ortiz-2"
    # A taken e-mail is no error (that would tell who has an account): no new account.
    assert studio.accounts.sign_up("zoe@example.com", "another strong pass phrase", "Zoe") is None
    for email, password, name, field in (
        ("new@example.com", "short", "Zoe", "password"),
        ("new@example.com", PASSWORD, "   ", "display_name"),
        ("not-an-email", PASSWORD, "Zoe", "email"),
    ):
        with pytest.raises(Invalid) as refused:
            studio.accounts.sign_up(email, password, name)
        assert refused.value.errors[0][0] == field
    with studio.db.transaction() as s:
        assert accounts.find_user(s, "new@example.com") is None

    zoe = accounts.principal_for(user)
    work = made(studio, zoe, "a poem")
    studio.works.update(zoe, work.id, visibility="public")
    creator, works = studio.gallery.creator("zoe-ortiz")
    assert creator.id == user.id and ids(works) == [work.id]
    with pytest.raises(NotFound):
        studio.gallery.creator("nobody-here")


def test_sign_up_can_be_closed(tmp_path: Path) -> None:
    studio = Studio(make_settings(tmp_path, signup_open=False))
    studio.prepare()
    try:
        with pytest.raises(Forbidden):
            studio.accounts.sign_up("zoe@example.com", PASSWORD, "Zoe")
    finally:
        studio.close()


def admin_of(studio: Studio) -> Principal:
    with studio.db.transaction() as s:
        admin_user = accounts.find_user(s, "admin@localhost")
        assert admin_user is not None
        return accounts.principal_for(admin_user)


def test_admins_change_roles_and_disable_users(studio: Studio) -> None:
    admin = admin_of(studio)
    ana = add_user(studio, "dora@example.com")
    with pytest.raises(Forbidden):
        studio.accounts.users(ana)
    with pytest.raises(Forbidden):
        studio.accounts.change_user(ana, ana.user_id, role="admin")

    assert [u.email for u in studio.accounts.users(admin, "DORA")] == ["dora@example.com"]
    changed = studio.accounts.change_user(admin, ana.user_id, role="customer")
    assert changed.role == "customer"
    studio.accounts.change_user(admin, ana.user_id, disabled=True)
    with studio.db.transaction() as s:
        assert accounts.authenticate(s, "dora@example.com", PASSWORD) is None  # disabled
        actions = [e.action for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions[-2:] == ["user.role", "user.disable"]
    with pytest.raises(Invalid) as own:
        studio.accounts.change_user(admin, admin.user_id, disabled=True)
    assert own.value.errors[0][0] == "disabled"
    with pytest.raises(Invalid) as last:
        studio.accounts.change_user(admin, admin.user_id, role="creator")
    assert last.value.errors[0][0] == "role"
    with pytest.raises(NotFound):
        studio.accounts.change_user(admin, "0" * 32, role="creator")


def test_system_status_counts_the_queue(studio: Studio) -> None:
    admin = admin_of(studio)
    before = studio.status.report(admin)["queue"]
    cleo = add_user(studio, "cleo@example.com")
    made(studio, cleo, "done")
    job, _ = studio.jobs.submit(cleo, "test.wait", {"seconds": 1.0})
    status = studio.status.report(admin)
    assert status["queue"]["queued"] == before["queued"] + 1
    assert status["queue"]["succeeded"] == before["succeeded"] + 1
    assert status["database"] == "sqlite"
    assert status["artifacts"]["files"] >= 1 and status["artifacts"]["bytes"] > 0
    engines = {e["name"]: e for e in status["engines"]}
    assert engines["test.wait"]["unavailable"] is None
    assert engines["image.diffusion"]["unavailable"]  # no model folder in the tests
    with pytest.raises(Forbidden):
        studio.status.report(cleo)
    studio.jobs.cancel(cleo, job.id)


def test_estimates_come_before_submitting_and_name_bad_fields(studio: Studio) -> None:
    estimate = studio.engines.estimate("image.stylize", {"max_size": 256})  # no photo needed
    assert estimate["seconds"] > 0 and estimate["credits"] >= 0
    with pytest.raises(Invalid) as bad:
        studio.engines.estimate("image.stylize", {"max_size": 99999})
    assert bad.value.errors[0][0] == "params.max_size"


def test_a_work_used_as_input_becomes_an_upload(studio: Studio) -> None:
    ana = add_user(studio, "gus@example.com")
    text = made(studio, ana, "a text")
    photo = studio.uploads.add(ana, "photo.png", image_bytes(96, 64))
    job, _ = studio.jobs.submit(
        ana, "image.stylize", {"image": photo.id, "style": 2, "max_size": 64}
    )
    assert Worker(studio).run_one() is True
    work = studio.jobs.get(ana, job.id).works[0]
    upload = studio.uploads.from_work(ana, work.id)
    assert (upload.mime, upload.width, upload.height) == ("image/png", 64, 43)
    assert upload.sha256 == work.sha256  # the very file, stored once
    again, _ = studio.jobs.submit(ana, "image.stylize", {"image": upload.id, "max_size": 64})
    assert again.params["image"] == upload.id  # usable as input
    with pytest.raises(Unsupported):  # a text file is no picture
        studio.uploads.from_work(ana, text.id)
