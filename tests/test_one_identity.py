"""One identity for every node of a studio (issue 17): a node with no keys, or other
keys, refuses to start once the database records the studio's root, rather than make a
second root; `atelier keys export` and `import` move the keys, after which the node's
works chain to the same root."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import tests.support.picture_engine  # noqa: F401 - registers test.picture
from atelier.cli import main
from atelier.provenance.keys import KeyProblem, KeyStore, fingerprint
from atelier.settings import Settings, get_settings
from atelier.studio import Studio
from atelier.studio.runner import Worker
from tests.support.accounts import admin_of
from tests.support.settings import make_settings

PASSPHRASE = "the studio's passphrase"


def node(tmp_path: Path, name: str, db_url: str, **overrides: object) -> Settings:
    """A node of the studio: a data folder of its own, the studio's database."""
    values: dict[str, object] = {"key_passphrase": PASSPHRASE, **overrides}
    return make_settings(tmp_path / name, db_url, **values)


def cli(settings: Settings, *args: str, passphrase: str | None = PASSPHRASE, **kw: str) -> Result:
    env = {
        "ATELIER_DATA_DIR": str(settings.data_dir),
        "ATELIER_DATABASE_URL": settings.resolved_database_url,
        "ATELIER_KEY_PASSPHRASE": passphrase,
        "ATELIER_ADMIN_PASSWORD": "admin password 1",
        "ATELIER_WORKERS": "0",
    }
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(main, list(args), env=env, **kw)
    finally:
        get_settings.cache_clear()


@pytest.fixture
def first(tmp_path: Path, db_url: str) -> Iterator[Studio]:
    studio = Studio(node(tmp_path, "first", db_url))
    studio.prepare()
    yield studio
    studio.close()


def test_a_second_node_refuses_without_the_keys_and_after_importing_them_seals_to_the_root(
    tmp_path: Path, db_url: str, first: Studio
) -> None:
    second = Studio(node(tmp_path, "second", db_url))
    with pytest.raises(KeyProblem) as refused:
        second.prepare()
    said = str(refused.value)
    assert "this studio already has a signing root" in said
    assert "ATELIER_KEYS_DIR" in said and "atelier keys import FILE" in said
    assert not second.provenance.has_keys()  # no second root was made
    made = cli(second.settings, "keys", "init")
    assert made.exit_code == 1 and "refusing to make a second root" in made.output
    assert not second.provenance.has_keys()

    bundle = tmp_path / "keys.bundle"
    exported = cli(first.settings, "keys", "export", str(bundle))
    assert exported.exit_code == 0, exported.output
    assert bundle.stat().st_mode & 0o777 == 0o600
    assert b"PRIVATE KEY" not in bundle.read_bytes() and b"CERTIFICATE" not in bundle.read_bytes()
    wrong = cli(second.settings, "keys", "import", str(bundle), passphrase="not it")
    assert wrong.exit_code == 1 and "cannot decrypt the keys bundle" in wrong.output
    imported = cli(second.settings, "keys", "import", str(bundle))
    assert imported.exit_code == 0, imported.output

    second.prepare()
    root = first.provenance.identity().root
    assert second.provenance.identity().root == root
    admin = admin_of(second)
    job, _ = second.jobs.submit(admin, "test.picture", {"width": 32, "height": 24}, seed=5)
    assert Worker(second).run_one()
    done = second.jobs.get(admin, job.id)
    assert done.status == "succeeded", done.error
    _, path = second.works.file(admin, done.works[0].id, None)
    report = first.provenance.verify(path.read_bytes())  # checked by the first node
    assert report.ok, report.as_dict()
    checks = {c.name: c.ok for c in report.checks}
    assert checks["signer"] is True and checks["log inclusion"] is True
    assert second.provenance.origin() == first.provenance.origin()  # one log, one root
    assert fingerprint(root) == first.provenance.recorded_root().fingerprint  # type: ignore[union-attr]
    second.close()


def test_a_node_with_another_roots_keys_refuses_and_nodes_given_the_keys_start(
    tmp_path: Path, db_url: str, first: Studio
) -> None:
    other = node(tmp_path, "other", db_url)
    KeyStore(other.resolved_keys_dir, PASSPHRASE).create("es256")
    with pytest.raises(KeyProblem, match="are not this studio's"):
        Studio(other).prepare()

    root = first.provenance.identity().root
    shared = node(tmp_path, "shared", db_url, keys_dir=first.provenance.keys_dir)
    pointed = Studio(shared)
    pointed.prepare()  # ATELIER_KEYS_DIR: the studio's keys, nothing imported
    assert pointed.provenance.identity().root == root
    pointed.close()

    bundle = first.provenance.export_keys().decode()
    given = Studio(node(tmp_path, "given", db_url, keys_bundle=bundle))
    given.prepare()  # ATELIER_KEYS_BUNDLE: installed into its empty keys folder
    assert given.provenance.has_keys() and given.provenance.identity().root == root
    given.close()


def test_import_asks_for_the_passphrase_when_none_is_set_and_keeps_it(
    tmp_path: Path, db_url: str, first: Studio
) -> None:
    bundle = tmp_path / "keys.bundle"
    assert cli(first.settings, "keys", "export", str(bundle)).exit_code == 0
    third = node(tmp_path, "third", db_url, key_passphrase=None)

    imported = cli(third, "keys", "import", str(bundle), passphrase=None, input=f"{PASSPHRASE}\n")

    assert imported.exit_code == 0, imported.output
    assert (third.data_dir / "key-passphrase").read_text() == PASSPHRASE
    studio = Studio(third)
    studio.prepare()
    assert studio.provenance.identity().root == first.provenance.identity().root
    studio.close()
