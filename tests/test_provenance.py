"""Provenance: what Atelier signs, marks and logs, checked by independent readers — the
C2PA SDK's Reader with the studio's root as the only trust anchor, `cryptography` for the
sidecar and the checkpoint signatures, and pymerkle (an RFC 6962 tree) for the log."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import struct
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import c2pa
import numpy as np
import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from fastapi.testclient import TestClient
from PIL import Image, PngImagePlugin
from pymerkle import InmemoryTree
from sqlalchemy import select, update

import tests.support.picture_engine  # noqa: F401 - registers test.picture (quick pictures)
from atelier.cli import main
from atelier.engines.image.encode import embedded_parameters, other_format, png_bytes, png_text
from atelier.provenance import Claim, Provenance, merkle, watermark
from atelier.provenance.keys import KeyProblem, KeyStore
from atelier.provenance.log import sign_note
from atelier.settings import get_settings
from atelier.store.db import Database
from atelier.store.models import AuditEntry, LogCheckpoint, LogEntry, LogNode
from atelier.studio import Studio
from atelier.web.app import create_app
from tests.support.accounts import api_user
from tests.support.api import studio_of, submit, upload, wait_job
from tests.support.media import image_bytes
from tests.support.settings import make_settings

# -- helpers ---------------------------------------------------------------------------


@pytest.fixture
def api(tmp_path: Path, db_url: str) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """An app on SQLite and on PostgreSQL (where the log's appends are row-locked)."""
    with TestClient(create_app(make_settings(tmp_path, db_url, workers=1))) as client:
        yield client, api_user(client, "maker@example.com")


@pytest.fixture
def lite_api(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """An app on SQLite, for what does not depend on the database."""
    with TestClient(create_app(make_settings(tmp_path, workers=1))) as client:
        yield client, api_user(client, "maker@example.com")


def make(client: TestClient, headers: dict[str, str], engine: str, **params: Any) -> dict[str, Any]:
    job = wait_job(client, headers, submit(client, headers, engine, params)["id"])
    assert job["status"] == "succeeded", job
    return client.get(f"/v1/works/{job['work_ids'][0]}", headers=headers).json()  # type: ignore[no-any-return]


def download(
    client: TestClient, headers: dict[str, str], work: dict[str, Any], name: str | None = None
) -> bytes:
    url = work["url"] if name is None else f"/v1/works/{work['id']}/files/{name}"
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response.content


def c2pa_read(data: bytes, root_pem: str) -> tuple[str | None, dict[str, Any]]:
    """The C2PA SDK's own verdict, with only the studio's root trusted."""
    context = c2pa.Context.from_dict(
        {"trust": {"trust_anchors": root_pem}, "verify": {"remote_manifest_fetch": False}}
    )
    with c2pa.Reader(None, io.BytesIO(data), None, context) as reader:
        return reader.get_validation_state(), reader.get_active_manifest() or {}


def changed(data: bytes) -> bytes:
    """One byte changed, in the middle of the file."""
    out = bytearray(data)
    out[len(out) // 2] ^= 0x01
    return bytes(out)


def open_checkpoint(body: dict[str, Any]) -> tuple[int, bytes]:
    """Check a served checkpoint note with the served verifier key, independently:
    C2SP signed-note rules with `cryptography`'s Ed25519."""
    name, key_hash, key = body["log_key"].split("+", 2)
    raw = base64.b64decode(key)
    assert (
        raw[0] == 1 and hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4].hex() == key_hash
    )
    text, _, signatures = body["checkpoint"].partition("\n\n")
    origin, size, root = text.split("\n")
    line = signatures.strip().split(" ")
    assert line[:2] == ["\u2014", name] and origin == name
    blob = base64.b64decode(line[2])
    assert blob[:4].hex() == key_hash
    ed25519.Ed25519PublicKey.from_public_bytes(raw[1:]).verify(blob[4:], (text + "\n").encode())
    return int(size), base64.b64decode(root)


def pymerkle_tree(client: TestClient, size: int) -> InmemoryTree:
    """An independent RFC 6962 tree of the leaves the log serves."""
    tree = InmemoryTree(algorithm="sha256")
    for index in range(size):
        proof = client.get("/v1/log/proof/inclusion", params={"index": index}).json()
        tree.append_entry(proof["leaf"].encode())
    return tree


# -- the Merkle tree against an independent implementation --------------------------------


def test_merkle_roots_and_proofs_match_pymerkle() -> None:
    oracle, tree = InmemoryTree(algorithm="sha256"), merkle.MemoryTree()
    for i in range(70):
        data = f"entry {i}".encode()
        oracle.append_entry(data)
        tree.append(merkle.leaf_hash(data))
    assert merkle.root(tree.node, 0) == hashlib.sha256(b"").digest()
    for n in range(1, 71):
        root = merkle.root(tree.node, n)
        assert root == oracle.get_root(n)
        for i in range(n):
            path = merkle.inclusion_proof(tree.node, i, n)
            assert path == oracle.prove_inclusion(i + 1, n).path[1:]
            assert merkle.verify_inclusion(tree.node(0, i), i, n, path, root)
            assert not merkle.verify_inclusion(tree.node(0, i), i, n, path, changed(root))
        for m in range(1, n + 1):
            proof = merkle.consistency_proof(tree.node, m, n)
            old = oracle.get_root(m)
            assert merkle.verify_consistency(m, n, old, root, proof), (m, n)
            if m < n:
                assert not merkle.verify_consistency(m, n, changed(old), root, proof)
                assert not merkle.verify_consistency(m, n, old, changed(root), proof)
    # A leaf cannot pass for a node: the 0x00 / 0x01 prefixes.
    assert merkle.leaf_hash(b"a" * 64) != merkle.node_hash(b"a" * 32, b"a" * 32)


# -- keys --------------------------------------------------------------------------------


def test_keys_are_a_ca_and_leaves_encrypted_at_rest_and_rotation_keeps_old_certs(
    tmp_path: Path,
) -> None:
    store = KeyStore(tmp_path / "keys", "a passphrase")
    first = store.create("ed25519")
    for leaf in (first.signing_cert, first.log_cert):
        assert leaf.issuer == first.root.subject != leaf.subject
        leaf.verify_directly_issued_by(first.root)
        assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert first.root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    for name in ("root.key", "signing.key", "log.key"):
        assert (tmp_path / "keys" / name).read_bytes().startswith(b"-----BEGIN ENCRYPTED")
    with pytest.raises(KeyProblem, match="ATELIER_KEY_PASSPHRASE"):
        KeyStore(tmp_path / "keys", "wrong").load()
    with pytest.raises(KeyProblem, match="rotate"):
        store.create("es256")

    second = KeyStore(tmp_path / "keys", "a passphrase").rotate()
    assert second.root == first.root and second.signing_cert != first.signing_cert
    assert second.retired_signing == (first.signing_cert,)
    assert second.log_certificates() == [second.log_cert, first.log_cert]


def test_processes_starting_together_make_one_identity(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    database = Database(settings.resolved_database_url)
    database.migrate()  # the database records the root that won
    services = [Provenance(settings, database) for _ in range(4)]
    made: list[bool] = []
    threads = [threading.Thread(target=lambda p=p: made.append(p.prepare())) for p in services]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(made) == [False, False, False, True]
    roots = {p.identity().root for p in services}
    assert len(roots) == 1 and not list(tmp_path.glob("data/.keys-*"))
    database.dispose()


# -- works as made, checked by independent readers ------------------------------------


def test_image_work_is_marked_signed_and_logged(api: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = api
    photo = upload(client, headers, image_bytes(64, 48), name="photo.png")
    work = make(client, headers, "test.picture", image=photo)
    data = download(client, headers, work)
    root_pem = client.get("/v1/provenance/root.pem").text

    # C2PA: valid and trusted with the studio's root as the only anchor.
    state, manifest = c2pa_read(data, root_pem)
    assert state == "Trusted"
    actions = next(a for a in manifest["assertions"] if a["label"] == "c2pa.actions.v2")
    created = actions["data"]["actions"][0]
    assert created["action"] == "c2pa.created"
    assert created["digitalSourceType"].endswith("/compositeWithTrainedAlgorithmicMedia")
    assert created["softwareAgent"]["name"] == "Atelier test.picture"
    assert len(created["parameters"]["ingredients"]) == 1
    assert [(i["title"], i["relationship"]) for i in manifest["ingredients"]] == [
        ("photo.png", "inputTo")
    ]
    ours = next(a for a in manifest["assertions"] if a["label"] == "org.atelier.work")
    assert ours["data"]["work_id"] == work["id"]
    # With no anchor for our root, the same reader does not trust it.
    other = c2pa.Context.from_dict({"verify": {"remote_manifest_fetch": False}})
    with c2pa.Reader(None, io.BytesIO(data), None, other) as reader:
        assert reader.get_validation_state() != "Trusted"
    # One changed byte: invalid.
    assert c2pa_read(changed(data), root_pem)[0] == "Invalid"

    # The watermark carries the work's id, and the work says so.
    assert watermark.detect(data) == work["id"][:12]
    assert work["provenance"]["manifest"] == "c2pa"
    assert work["provenance"]["watermark"] == work["id"][:12]

    # The log: the signed checkpoint, and the inclusion proof an RFC 6962 tree agrees with.
    size, root = open_checkpoint(client.get("/v1/log/checkpoint").json())
    proof = client.get(
        "/v1/log/proof/inclusion", params={"sha256": hashlib.sha256(data).hexdigest()}
    ).json()
    assert proof["index"] == work["provenance"]["log_index"] and proof["size"] == size
    leaf = json.loads(proof["leaf"])
    assert (leaf["work"], leaf["sha256"]) == (work["id"], hashlib.sha256(data).hexdigest())
    oracle = pymerkle_tree(client, size)
    assert oracle.get_root() == root
    path = [bytes.fromhex(p) for p in proof["path"]]
    assert path == oracle.prove_inclusion(proof["index"] + 1, size).path[1:]

    # The public verify endpoint: all checks pass; one changed byte fails them.
    report = client.post("/v1/verify", files={"file": ("w.png", data)}).json()
    assert report["ok"], report
    names = {c["name"]: c["ok"] for c in report["checks"]}
    assert names == {
        "manifest": True,
        "signer": True,
        "log inclusion": True,
        "log consistency": True,
        "watermark": True,
    }
    bad = client.post("/v1/verify", files={"file": ("w.png", changed(data))}).json()
    assert not bad["ok"]
    assert {c["name"]: c["ok"] for c in bad["checks"]}["log inclusion"] is False


def test_stripped_copy_is_traced_by_its_watermark(
    lite_api: tuple[TestClient, dict[str, str]],
) -> None:
    client, headers = lite_api
    work = make(client, headers, "test.picture", width=400, height=320)
    data = download(client, headers, work)
    # Re-encoded as JPEG: the manifest is gone, the bytes differ, the mark remains.
    buffer = io.BytesIO()
    Image.open(io.BytesIO(data)).convert("RGB").save(buffer, "JPEG", quality=90)
    report = client.post("/v1/verify", files={"file": ("copy.jpg", buffer.getvalue())}).json()
    checks = {c["name"]: c for c in report["checks"]}
    assert not report["ok"]
    assert checks["manifest"]["ok"] is False and checks["log inclusion"]["ok"] is False
    assert work["id"] in checks["watermark"]["detail"]
    assert report["work_id"] == work["id"]


def test_text_work_gets_a_signed_sidecar(lite_api: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = lite_api
    work = make(client, headers, "test.wait")
    text = download(client, headers, work)
    names = {f["name"]: f["role"] for f in work["files"]}
    assert names == {
        "result.txt": "primary",
        "result.txt.manifest.json": "manifest",
        "excerpt.txt": "preview",  # what visitors get (docs/previews.md)
    }
    sidecar = download(client, headers, work, "result.txt.manifest.json")

    # A plain JWS: check it with `cryptography` alone.
    document = json.loads(sidecar)
    pad = lambda s: base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))  # noqa: E731
    header, payload = json.loads(pad(document["protected"])), json.loads(pad(document["payload"]))
    leaf, root = (x509.load_der_x509_certificate(base64.b64decode(c)) for c in header["x5c"])
    served_root = x509.load_pem_x509_certificate(client.get("/v1/provenance/root.pem").content)
    assert root == served_root
    leaf.verify_directly_issued_by(served_root)
    signature = pad(document["signature"])
    public = leaf.public_key()
    assert header["alg"] == "ES256" and isinstance(public, ec.EllipticCurvePublicKey)
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    signed = f"{document['protected']}.{document['payload']}".encode()
    public.verify(encode_dss_signature(r, s), signed, ec.ECDSA(hashes.SHA256()))
    assert payload["asset"] == {
        "name": "result.txt",
        "alg": "sha256",
        "hash": hashlib.sha256(text).hexdigest(),
    }
    created = payload["assertions"][0]["data"]["actions"][0]
    assert created["digitalSourceType"].endswith("/trainedAlgorithmicMedia")
    assert work["provenance"]["manifest"] == "sidecar"

    both = {"file": ("result.txt", text), "manifest": ("m.json", sidecar)}
    assert client.post("/v1/verify", files=both).json()["ok"]
    tampered = {"file": ("result.txt", text + b"!"), "manifest": ("m.json", sidecar)}
    report = client.post("/v1/verify", files=tampered).json()
    assert {c["name"]: c["ok"] for c in report["checks"]}["manifest"] is False


def test_a_pictures_other_format_is_signed_logged_and_carries_its_mark(
    lite_api: tuple[TestClient, dict[str, str]],
) -> None:
    client, headers = lite_api
    root_pem = client.get("/v1/provenance/root.pem").text
    work = make(client, headers, "test.picture", width=400, height=320)
    files = {f["name"]: (f["role"], f["mime"]) for f in work["files"]}
    assert files["picture.jpg"] == ("rendition", "image/jpeg")
    png, jpeg = download(client, headers, work), download(client, headers, work, "picture.jpg")
    with Image.open(io.BytesIO(png)) as a, Image.open(io.BytesIO(jpeg)) as b:
        assert (b.format, b.size) == ("JPEG", a.size)
        assert np.abs(np.asarray(a, float) - np.asarray(b.convert("RGB"), float)).mean() < 3
    assert c2pa_read(jpeg, root_pem)[0] == "Trusted"
    assert watermark.detect(jpeg) == work["id"][:12]  # the PNG's mark, not embedded again
    entry = next(e for e in work["provenance"]["entries"] if e["file"] == "picture.jpg")
    assert (entry["manifest"], entry["watermark"]) == ("c2pa", work["id"][:12])
    report = client.post("/v1/verify", files={"file": ("w.jpg", jpeg)}).json()
    assert report["ok"] and report["work_id"] == work["id"], report

    # A JPEG gets its PNG.
    work = make(client, headers, "test.picture", width=64, height=48, format="jpeg")
    files = {f["name"]: (f["role"], f["mime"]) for f in work["files"]}
    assert files["picture.png"] == ("rendition", "image/png")


def test_other_format_flattens_transparency_keeps_the_recipe_and_skips_animations() -> None:
    see_through = Image.new("RGBA", (32, 24), (255, 0, 0, 0))
    buffer = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", "a red square\nSeed: 7")
    see_through.save(buffer, format="PNG", pnginfo=info)
    copy = other_format("art.png", "image/png", buffer.getvalue())
    assert copy is not None and (copy.name, copy.mime) == ("art.jpg", "image/jpeg")
    with Image.open(io.BytesIO(copy.data)) as image:
        assert image.getpixel((5, 5)) == (255, 255, 255)  # on white, not black
    assert embedded_parameters(copy.data)[0] == "a red square\nSeed: 7"
    frames = [Image.new("RGB", (16, 16), c) for c in ("red", "blue")]
    animated = io.BytesIO()
    frames[0].save(animated, format="WEBP", save_all=True, append_images=frames[1:])
    assert other_format("morph.webp", "image/webp", animated.getvalue()) is None


def test_png_bytes_keeps_every_pixel_and_text_chunk_in_every_mode() -> None:
    """fpng writes RGB and RGBA, Pillow the rest; either way the pixels read back the same
    and the text chunks are those Pillow's PngInfo writes (iTXt where a value is not
    Latin-1), before the image data, so a reader finds them without decoding it."""
    rng = np.random.default_rng(3)
    pixels = rng.integers(0, 256, (37, 53, 4), dtype=np.uint8)
    text = {"parameters": "a fox, Steps: 4\nSeed: 9", "atelier": '{"prompt":"雪中的狐狸"}'}
    for mode in ("RGB", "RGBA", "L", "LA", "P"):
        picture = Image.fromarray(pixels).convert(mode)
        data = png_bytes(picture, text)
        with Image.open(io.BytesIO(data)) as back:
            assert back.info["parameters"] == text["parameters"]  # found before IDAT
            back.load()
            assert back.mode == mode and back.text == text
            assert np.array_equal(np.asarray(back), np.asarray(picture))
        assert data.index(b"tEXt") < data.index(b"iTXt") < data.index(b"IDAT")
    # the fast writer is the one used where it can be: its stream is not Pillow's
    rgb = Image.fromarray(pixels).convert("RGB")
    pillow = io.BytesIO()
    rgb.save(pillow, format="PNG", compress_level=1)
    assert png_bytes(rgb, {}) != pillow.getvalue()


def test_png_text_reads_every_kind_of_text_chunk_without_decoding() -> None:
    """A PNG's recipe is read from its chunks (sealing reads it for the JPEG copy): tEXt,
    zTXt and compressed or plain iTXt, before or after the image data, as Pillow reads
    them; a bomb of a zTXt chunk and a truncated chunk are skipped, not unpacked."""
    info = PngImagePlugin.PngInfo()
    info.add_text("plain", "a fox")
    info.add_text("packed", "a fox in the snow " * 40, zip=True)  # zTXt
    info.add_text("wide", "雪中的狐狸 " * 40, zip=True)  # compressed iTXt
    info.add_itxt("itxt", "plain iTXt", lang="en", tkey="plain")
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG", pnginfo=info)
    data = out.getvalue()
    with Image.open(io.BytesIO(data)) as image:
        assert png_text(data) == image.text and len(image.text) == 4
    # after the image data
    end = data.rindex(b"IEND") - 4
    late = png_bytes(Image.new("RGB", (1, 1)), {"late": "after the pixels"})[33:]
    late = late[: late.index(b"IDAT") - 4]  # the text chunk alone
    moved = data[:end] + late + data[end:]
    assert png_text(moved)["late"] == "after the pixels"
    bomb = zlib.compress(b"a" * (4 << 20))
    body = b"bomb\0\0" + bomb
    chunk = (
        struct.pack(">I", len(body))
        + b"zTXt"
        + body
        + struct.pack(">I", zlib.crc32(b"zTXt" + body))
    )
    assert "bomb" not in png_text(data[:33] + chunk + data[33:])
    assert png_text(data[:40]) == {}  # cut short inside a chunk


def test_audio_and_jpeg_are_signed(lite_api: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = lite_api
    root_pem = client.get("/v1/provenance/root.pem").text
    for fmt, mime in (("wav", "audio/wav"), ("jpeg", "image/jpeg")):
        work = make(client, headers, "test.picture", format=fmt)
        data = download(client, headers, work)
        state, manifest = c2pa_read(data, root_pem)
        assert (state, work["mime"]) == ("Trusted", mime)
        created = manifest["assertions"][0]["data"]["actions"][0]
        assert created["digitalSourceType"].endswith("/trainedAlgorithmicMedia")


# -- the log: concurrency, consistency, tampering ------------------------------------------


def test_concurrent_appends_keep_the_log_gapless_and_consistent(
    tmp_path: Path, db_url: str
) -> None:
    studio = Studio(make_settings(tmp_path, db_url))
    studio.prepare()
    try:
        claim = Claim("0" * 32, "t", "test.wait", [])
        sealed = studio.provenance.seal(claim, [("a.txt", "text/plain", b"a")])
        errors: list[BaseException] = []

        def append(worker: int) -> None:
            try:
                for n in range(5):
                    with studio.db.transaction() as s:
                        studio.provenance.record(s, [(f"{worker:02d}{n:030d}", sealed)])
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=append, args=(w,)) for w in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        with studio.db.transaction() as s:
            indexes = list(s.scalars(select(LogEntry.idx).order_by(LogEntry.idx)))
        assert indexes == list(range(40))
        assert studio.provenance.audit_log() == []
        for size in (1, 7, 16, 33):
            proof = studio.provenance.consistency(size, 40)
            with studio.db.transaction() as s:
                log = studio.provenance.log()
                old, new = log.checkpoint(s, size), log.checkpoint(s, 40)
            assert old is not None and new is not None
            path = [bytes.fromhex(p) for p in proof["path"]]
            assert merkle.verify_consistency(size, 40, old.root, new.root, path)
    finally:
        studio.close()


def test_a_tampered_log_is_detected(api: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = api
    studio = studio_of(client)
    first = make(client, headers, "test.wait")
    kept = client.get("/v1/log/checkpoint").json()["checkpoint"]  # a client keeps this
    second = make(client, headers, "test.wait")
    text = download(client, headers, second)
    size, root = open_checkpoint(client.get("/v1/log/checkpoint").json())
    old_size, old_root = int(kept.split("\n")[1]), base64.b64decode(kept.split("\n")[2])
    assert old_size < size
    consistency = client.get(
        "/v1/log/proof/consistency", params={"first": old_size, "second": size}
    ).json()
    path = [bytes.fromhex(p) for p in consistency["path"]]
    assert merkle.verify_consistency(old_size, size, old_root, root, path)
    assert studio.provenance.audit_log() == []

    # 1. An entry's leaf edited in place: the stored tree and checkpoints no longer match.
    index = first["provenance"]["log_index"]
    with studio.db.transaction() as s:
        s.execute(update(LogEntry).where(LogEntry.idx == index).values(leaf='{"forged": true}'))
    problems = studio.provenance.audit_log()
    assert any(f"entry {index}" in p for p in problems), problems

    # 2. History rewritten by someone holding the keys: every node recomputed and every
    #    checkpoint re-signed. Only a checkpoint a client kept from before shows it.
    identity, origin = studio.provenance.identity(), studio.provenance.origin()
    tree = merkle.MemoryTree()
    with studio.db.transaction() as s:
        for row in s.scalars(select(LogEntry).order_by(LogEntry.idx)):
            for level, idx, digest in tree.append(merkle.leaf_hash(row.leaf.encode())):
                s.execute(
                    update(LogNode)
                    .where(LogNode.level == level, LogNode.idx == idx)
                    .values(hash=digest.hex())
                )
        for point in s.scalars(select(LogCheckpoint)):
            forged = merkle.root(tree.node, point.size)
            point.root_hash = forged.hex()
            point.note = sign_note(origin, point.size, forged, identity.log_key)
    assert studio.provenance.audit_log() == []  # self-consistent again
    sidecar = download(client, headers, second, "result.txt.manifest.json")
    report = studio.provenance.verify(text, sidecar, kept)
    checks = {c.name: c.ok for c in report.checks}
    assert checks["log inclusion"] is True  # the forged log is self-consistent…
    assert checks["log consistency"] is False  # …but does not extend what a client kept
    assert not report.ok


# -- rotation, the CLI and the page -------------------------------------------------------


def test_rotation_keeps_old_works_verifying_and_cli_verify_exit_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "data"
    monkeypatch.setenv("ATELIER_DATA_DIR", str(folder))
    monkeypatch.setenv("ATELIER_ADMIN_PASSWORD", "admin password 1")
    monkeypatch.setenv("ATELIER_KEY_PASSPHRASE", "the test passphrase")
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        assert runner.invoke(main, ["keys", "init", "--alg", "ed25519"]).exit_code == 0
        out = tmp_path / "old.png"
        made = runner.invoke(main, ["make", "test.picture", "--seed", "1", "-o", str(out)])
        assert made.exit_code == 0, made.output
        rotated = runner.invoke(main, ["keys", "rotate"])
        assert rotated.exit_code == 0, rotated.output
        assert {"keys.created", "keys.rotated"} <= set(_audit_actions(folder))

        result = runner.invoke(main, ["verify", str(out)])
        assert result.exit_code == 0, result.output
        assert "✓ signer" in result.output and "✓ log inclusion" in result.output
        bad = tmp_path / "bad.png"
        bad.write_bytes(changed(out.read_bytes()))
        result = runner.invoke(main, ["verify", str(bad)])
        assert result.exit_code == 1 and "✗ manifest" in result.output
        assert runner.invoke(main, ["log", "audit"]).exit_code == 0
    finally:
        get_settings.cache_clear()


def _audit_actions(folder: Path) -> list[str]:
    db = Database(f"sqlite:///{folder / 'atelier.db'}")
    try:
        with db.transaction() as s:
            return list(s.scalars(select(AuditEntry.action)))
    finally:
        db.dispose()


def test_verify_page_shows_each_verdict(lite_api: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = lite_api
    page = client.get("/verify")
    assert page.status_code == 200 and "Verify a file" in page.text
    work = make(client, headers, "test.picture")
    data = download(client, headers, work)
    shown = client.post("/verify", files={"file": ("w.png", data)})
    assert shown.status_code == 200
    assert "Every check passed." in shown.text and shown.text.count("verdict pass") == 5
    missing = client.post("/verify", data={"checkpoint": ""})
    assert missing.status_code == 422 and "Choose a file" in missing.text
