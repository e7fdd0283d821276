"""The studio's signing identity: a root CA, a C2PA signing certificate it issues, and an
Ed25519 log key (also certified by the root) that signs the transparency log's
checkpoints.

C2PA readers reject a bare self-signed signer, hence the root. Private keys are stored
as encrypted PKCS#8, with the password derived from the passphrase by scrypt so that a
stolen data folder without the passphrase is costly to open. Rotation issues a new
signing certificate and log key under the same root and keeps the old certificates (not
their keys) in `retired/`, so everything signed before still verifies.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from atelier.errors import NotReady

Alg = Literal["es256", "ed25519"]
ALGS: tuple[Alg, ...] = ("es256", "ed25519")
SigningKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")
ROOT_YEARS, LEAF_YEARS = 20, 2
SCRYPT_N = 2**15


class KeyProblem(NotReady):
    """A key problem the operator must act on (wrong passphrase, keys missing)."""


@dataclass(frozen=True)
class Identity:
    alg: Alg
    root: x509.Certificate
    signing_cert: x509.Certificate
    signing_key: SigningKey
    log_cert: x509.Certificate
    log_key: ed25519.Ed25519PrivateKey
    retired_signing: tuple[x509.Certificate, ...]
    retired_log: tuple[x509.Certificate, ...]

    def chain_pem(self) -> bytes:
        """The signing certificate followed by the root: what a C2PA manifest carries."""
        return pem(self.signing_cert) + pem(self.root)

    def signing_key_pem(self) -> bytes:
        return self.signing_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def log_certificates(self) -> list[x509.Certificate]:
        """Every log certificate, current first: checkpoints signed by any still verify."""
        return [self.log_cert, *self.retired_log]


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def _new_key(alg: Alg) -> SigningKey:
    return (
        ec.generate_private_key(ec.SECP256R1())
        if alg == "es256"
        else (ed25519.Ed25519PrivateKey.generate())
    )


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Atelier studio"),
        ]
    )


def _usage(sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not sign,
        crl_sign=not sign,
        encipher_only=False,
        decipher_only=False,
    )


def _issue(
    subject: str,
    public_key: ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey,
    issuer: x509.Certificate | None,
    issuer_key: SigningKey,
) -> x509.Certificate:
    """A root (issuer None) or an end-entity certificate in the C2PA signer profile."""
    now = datetime.now(UTC)
    years = ROOT_YEARS if issuer is None else LEAF_YEARS
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer.subject if issuer is not None else _name(subject))
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365 * years))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if issuer is None:
        builder = builder.add_extension(
            x509.BasicConstraints(ca=True, path_length=0), critical=True
        ).add_extension(_usage(sign=False), critical=True)
    else:
        builder = (
            builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
            .add_extension(_usage(sign=True), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING]),
                critical=False,
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                critical=False,
            )
        )
    digest = hashes.SHA256() if isinstance(issuer_key, ec.EllipticCurvePrivateKey) else None
    return builder.sign(issuer_key, digest)


def issued_by(cert: x509.Certificate, anchors: list[x509.Certificate]) -> x509.Certificate | None:
    """The anchor that issued `cert` (checked signature and validity), or None."""
    now = datetime.now(UTC)
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        return None
    for anchor in anchors:
        try:
            cert.verify_directly_issued_by(anchor)
        except (InvalidSignature, ValueError, TypeError):  # not this anchor's, or another kind
            continue
        return anchor
    return None


class KeyStore:
    """The identity's files under `folder`; private keys encrypted with `passphrase`."""

    def __init__(self, folder: Path, passphrase: str) -> None:
        self.folder = folder
        self.passphrase = passphrase
        self._derived: bytes | None = None  # scrypt is slow on purpose: derive once

    @property
    def _meta_path(self) -> Path:
        return self.folder / "keys.json"

    def exists(self) -> bool:
        return self._meta_path.exists()

    def create(self, alg: Alg = "es256") -> Identity:
        """Build the identity in a staging folder, then rename it into place: when two
        processes start at once, one identity wins whole and the other is refused."""
        exists = KeyProblem(f"keys already exist in {self.folder}; use `atelier keys rotate`")
        if self.exists():
            raise exists
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=".keys-", dir=self.folder.parent))  # 0700
        staging = KeyStore(folder, self.passphrase)
        try:
            root_key = _new_key(alg)
            root = _issue("Atelier studio root CA", root_key.public_key(), None, root_key)
            salt = secrets.token_bytes(16)
            staging._write("keys.json", json.dumps({"alg": alg, "salt": salt.hex()}).encode())
            staging._write_key("root.key", root_key)
            staging._write("root.crt", pem(root))
            staging._new_leaves(alg, root, root_key)
            try:
                os.rename(folder, self.folder)
            except OSError:
                if self.exists():
                    raise exists from None
                raise
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        self._derived = staging._derived  # the same passphrase and salt: scrypt once
        return self.load()

    def rotate(self) -> Identity:
        """New signing certificate and log key; the old certificates are kept."""
        old = self.load()
        retired = self.folder / "retired"
        retired.mkdir(exist_ok=True)
        for name, cert in (("signing", old.signing_cert), ("log", old.log_cert)):
            (retired / f"{name}-{cert.serial_number:x}.crt").write_bytes(pem(cert))
        return self._new_leaves(old.alg, old.root, self._read_key("root.key"))

    def load(self) -> Identity:
        if not self.exists():
            raise KeyProblem(f"no keys in {self.folder}; run `atelier keys init`")
        meta = json.loads(self._meta_path.read_text())
        signing_key = self._read_key("signing.key")
        log_key = self._read_key("log.key")
        if not isinstance(log_key, ed25519.Ed25519PrivateKey):
            raise KeyProblem("the log key must be Ed25519")
        return Identity(
            alg=meta["alg"],
            root=self._read_cert("root.crt"),
            signing_cert=self._read_cert("signing.crt"),
            signing_key=signing_key,
            log_cert=self._read_cert("log.crt"),
            log_key=log_key,
            retired_signing=self._retired("signing"),
            retired_log=self._retired("log"),
        )

    def _new_leaves(self, alg: Alg, root: x509.Certificate, root_key: SigningKey) -> Identity:
        signing_key = _new_key(alg)
        log_key = ed25519.Ed25519PrivateKey.generate()
        signing = _issue("Atelier studio signing", signing_key.public_key(), root, root_key)
        log = _issue("Atelier studio transparency log", log_key.public_key(), root, root_key)
        self._write_key("signing.key", signing_key)
        self._write_key("log.key", log_key)
        self._write("signing.crt", pem(signing))
        self._write("log.crt", pem(log))
        return self.load()

    def _retired(self, kind: str) -> tuple[x509.Certificate, ...]:
        paths = sorted((self.folder / "retired").glob(f"{kind}-*.crt"))
        return tuple(x509.load_pem_x509_certificate(p.read_bytes()) for p in paths)

    def _password(self) -> bytes:
        if self._derived is None:
            salt = bytes.fromhex(json.loads(self._meta_path.read_text())["salt"])
            self._derived = (
                hashlib.scrypt(
                    self.passphrase.encode(), salt=salt, n=SCRYPT_N, r=8, p=1, maxmem=1 << 26
                )
                .hex()
                .encode()
            )
        return self._derived

    def _write(self, name: str, data: bytes) -> None:
        """Write whole or not at all (a temp file renamed into place)."""
        target = self.folder / name
        tmp = target.with_name(f".{name}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # a temp file left by a crash keeps its old mode otherwise
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)

    def _write_key(self, name: str, key: SigningKey) -> None:
        self._write(
            name,
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(self._password()),
            ),
        )

    def _read_cert(self, name: str) -> x509.Certificate:
        return x509.load_pem_x509_certificate((self.folder / name).read_bytes())

    def _read_key(self, name: str) -> SigningKey:
        try:
            key = serialization.load_pem_private_key(
                (self.folder / name).read_bytes(), self._password()
            )
        except ValueError:
            raise KeyProblem(
                f"cannot decrypt {self.folder / name}: wrong ATELIER_KEY_PASSPHRASE?"
            ) from None
        if not isinstance(key, ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey):
            raise KeyProblem(f"{name} is not an ES256 or Ed25519 key")
        return key
