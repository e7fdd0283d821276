"""The signing identity as one encrypted file, to move it to another node of the studio
(`atelier keys export FILE`, `atelier keys import FILE`).

The bundle holds every file of the keys folder (the private keys stay encrypted as they
are there) and is itself encrypted with AES-256-GCM under a key derived by scrypt from
the studio's key passphrase: the node that imports it needs the same passphrase, which
is also what opens the private keys inside.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import shutil
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from atelier.provenance.keys import SCRYPT_N, KeyProblem, KeyStore

FORMAT = "atelier-keys"
VERSION = 1


def _key(passphrase: str, salt: bytes) -> bytes:
    return hashlib.scrypt(
        passphrase.encode(), salt=salt, n=SCRYPT_N, r=8, p=1, maxmem=1 << 26, dklen=32
    )


def export_bundle(folder: Path, passphrase: str) -> bytes:
    """Every file of the keys folder (retired certificates included), encrypted."""
    if not KeyStore(folder, passphrase).exists():
        raise KeyProblem(f"no keys in {folder} to export")
    files = {
        str(path.relative_to(folder)): base64.b64encode(path.read_bytes()).decode()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    plain = json.dumps({"files": files}, sort_keys=True).encode()
    sealed = AESGCM(_key(passphrase, salt)).encrypt(nonce, plain, FORMAT.encode())
    bundle = {
        "format": FORMAT,
        "version": VERSION,
        "kdf": {"name": "scrypt", "n": SCRYPT_N, "r": 8, "p": 1, "salt": salt.hex()},
        "nonce": nonce.hex(),
        "ciphertext": base64.b64encode(sealed).decode(),
    }
    return json.dumps(bundle, indent=1).encode()


def import_bundle(data: bytes, folder: Path, passphrase: str) -> None:
    """Write the bundle's files as the keys folder `folder`, whole or not at all (a
    staging folder renamed into place), after checking that its keys open with
    `passphrase`. Refuses to write over keys that are there."""
    try:
        bundle = json.loads(data)
        if bundle.get("format") != FORMAT or bundle.get("version") != VERSION:
            raise ValueError
        salt = bytes.fromhex(bundle["kdf"]["salt"])
        nonce = bytes.fromhex(bundle["nonce"])
        sealed = base64.b64decode(bundle["ciphertext"], validate=True)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise KeyProblem("not a keys bundle made by `atelier keys export`") from None
    try:
        plain = AESGCM(_key(passphrase, salt)).decrypt(nonce, sealed, FORMAT.encode())
    except InvalidTag:
        raise KeyProblem(
            "cannot decrypt the keys bundle: ATELIER_KEY_PASSPHRASE (or the passphrase typed) "
            "is not the one of the node that exported it"
        ) from None
    if KeyStore(folder, passphrase).exists():
        raise KeyProblem(f"keys already exist in {folder}; move that folder away to import")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".keys-import-", dir=folder.parent))  # 0700
    try:
        for name, encoded in json.loads(plain)["files"].items():
            target = (staging / name).resolve()
            if not target.is_relative_to(staging.resolve()):
                raise KeyProblem(f"the keys bundle names a file outside the folder: {name}")
            target.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(base64.b64decode(encoded))
        KeyStore(staging, passphrase).load()  # the keys open with this passphrase
        try:
            os.rename(staging, folder)
        except OSError:
            if KeyStore(folder, passphrase).exists():
                raise KeyProblem(f"keys already exist in {folder}") from None
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
