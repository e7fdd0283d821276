"""The `atelier` command (click's CliRunner, settings from ATELIER_* variables)."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select

from atelier.settings import get_settings
from atelier.store.db import Database
from atelier.store.models import Job, Upload, User, Work
from atelier.web.app import create_app
from tests.support.cli import ok, run
from tests.support.media import image_bytes, png_text

PW = "a long password"


def database(folder: Path) -> Database:
    return Database(f"sqlite:///{folder / 'atelier.db'}")


def test_create_user_and_key_that_works_against_the_api(data_dir: Path) -> None:
    created = ok("admin", "create-user", "x@y.z", "--password", PW, "--role", "creator")
    assert "created creator x@y.z" in created.stdout and PW not in created.stdout
    db = database(data_dir)
    with db.transaction() as s:
        user = s.scalar(select(User).where(User.email == "x@y.z"))
        assert user is not None and user.role == "creator"
        assert user.password_hash.startswith("$argon2id$")
    db.dispose()

    key = ok("admin", "create-key", "x@y.z").stdout.strip().splitlines()[-1]
    assert key.startswith("atk_")
    with TestClient(create_app(get_settings())) as client:
        me = client.get("/v1/auth/me", headers={"Authorization": f"Bearer {key}"})
        assert me.status_code == 200, me.text
        assert me.json()["email"] == "x@y.z" and me.json()["via"] == "key"
        assert set(me.json()["scopes"]) == {"read", "write"}
        # The server signs in with the password the command set.
        login = client.post("/v1/auth/login", json={"email": "x@y.z", "password": PW})
        assert login.status_code == 200
        assert (
            client.get("/v1/auth/me", headers={"Authorization": "Bearer atk_x_y"}).status_code
            == 401
        )

    read_only = ok("admin", "create-key", "x@y.z", "--scope", "read").stdout.split()[-1]
    with TestClient(create_app(get_settings())) as client:
        headers = {"Authorization": f"Bearer {read_only}"}
        assert client.get("/v1/jobs", headers=headers).status_code == 200
        refused = client.post(
            "/v1/jobs", json={"engine": "test.wait", "params": {}}, headers=headers
        )
        assert refused.status_code == 403


def test_create_user_without_password_generates_one(data_dir: Path) -> None:
    result = ok("admin", "create-user", "gen@y.z")
    password = result.stdout.strip().split("with password: ")[1]
    assert len(password) >= 10
    with TestClient(create_app(get_settings())) as client:
        login = client.post("/v1/auth/login", json={"email": "gen@y.z", "password": password})
        assert login.status_code == 200


def test_create_key_for_unknown_user(data_dir: Path) -> None:
    result = run("admin", "create-key", "nobody@y.z")
    assert result.exit_code != 0 and "no user nobody@y.z" in result.output


def test_engines_lists_stylize(data_dir: Path) -> None:
    result = ok("engines")
    lines = result.stdout.splitlines()
    assert any(line.startswith("image.stylize") and "Stylize" in line for line in lines)
    assert any(line.strip().startswith("max_size:") for line in lines)
    assert any(line.strip().startswith("style_image:") for line in lines)


def test_make_writes_a_png_and_records_job_and_work(data_dir: Path, tmp_path: Path) -> None:
    ok("admin", "create-user", "x@y.z", "--password", PW, "--role", "creator")
    photo = tmp_path / "photo.png"
    photo.write_bytes(image_bytes(128, 96, seed=6))
    out = tmp_path / "out.png"
    result = ok(
        "make",
        "image.stylize",
        "--set",
        f"image=@{photo}",
        "--set",
        "style=5",
        "--set",
        "max_size=96",
        "--seed",
        "3",
        "-o",
        str(out),
        "--as",
        "x@y.z",
    )
    assert str(out) in result.stdout and "seed 3" in result.stdout

    image = Image.open(out)
    assert image.format == "PNG" and image.size == (96, 72)
    source = np.asarray(Image.open(io.BytesIO(photo.read_bytes())).resize((96, 72)), float)
    assert np.abs(np.asarray(image.convert("RGB"), float) - source).mean() > 25
    text = png_text(out)
    record = json.loads(text["atelier"])
    assert record["seed"] == 3 and record["params"]["style"] == 5
    assert "Style: 5" in text["parameters"]

    db = database(data_dir)
    with db.transaction() as s:
        jobs = list(s.scalars(select(Job)))
        works = list(s.scalars(select(Work)))
        uploads = list(s.scalars(select(Upload)))
        owner = s.scalar(select(User).where(User.email == "x@y.z"))
        assert owner is not None
        assert len(jobs) == 1 and jobs[0].status == "succeeded" and jobs[0].seed == 3
        assert jobs[0].engine == "image.stylize" and jobs[0].owner_id == owner.id
        assert jobs[0].params["style"] == 5 and jobs[0].params["max_size"] == 96
        assert len(uploads) == 1 and jobs[0].params["image"] == uploads[0].id
        assert uploads[0].filename == "photo.png"
        assert len(works) == 1 and works[0].job_id == jobs[0].id
        assert works[0].owner_id == owner.id
        assert works[0].sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    db.dispose()


def test_make_with_a_bad_param_names_it_and_makes_no_job(data_dir: Path, tmp_path: Path) -> None:
    photo = tmp_path / "photo.png"
    photo.write_bytes(image_bytes(64, 64))
    out = tmp_path / "out.png"
    result = run(
        "make", "image.stylize", "--set", f"image=@{photo}", "--set", "style=99", "-o", str(out)
    )
    assert result.exit_code != 0
    assert "params.style" in result.output and "Traceback" not in result.output
    unknown = run("make", "image.nope", "-o", str(out))
    assert unknown.exit_code != 0 and "unknown engine" in unknown.output
    malformed = run("make", "image.stylize", "--set", "style", "-o", str(out))
    assert malformed.exit_code != 0 and "KEY=VALUE" in malformed.output
    missing = run("make", "image.stylize", "--set", f"image=@{tmp_path / 'nope.png'}")
    assert missing.exit_code != 0 and "no file" in missing.output
    seed = run("make", "image.stylize", "--seed", "-1")
    assert seed.exit_code != 0 and "--seed" in seed.output
    assert not out.exists()
    db = database(data_dir)
    with db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Job)) == 0
        assert s.scalar(select(func.count()).select_from(Work)) == 0
    db.dispose()
