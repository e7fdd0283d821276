"""Content Credentials: C2PA manifests signed with `c2pa-python`, embedded in the file
for every format the C2PA SDK can carry (PNG, JPEG, WebP, WAV, MP3, SVG…), and a signed
sidecar for the rest (C2PA cannot embed in text/plain, MIDI or MusicXML).

The sidecar is a JWS (RFC 7515, flattened JSON) whose payload holds the same assertions
as an embedded manifest plus the file's SHA-256, and whose `x5c` header carries the
signing certificate and root: any JOSE library can check it against the studio's root.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import c2pa
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

import atelier
from atelier.provenance.keys import Identity, issued_by

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
SIDECAR_TYPE = "atelier-manifest+jws"
WORK_ASSERTION = "org.atelier.work"


@dataclass(frozen=True)
class Ingredient:
    """An input a work was made from (a user's upload): cited, and hashed, by the claim."""

    param: str
    title: str
    mime: str
    path: Path


@dataclass(frozen=True)
class Claim:
    """What a manifest says about a work."""

    work_id: str
    title: str
    engine: str
    models: list[dict[str, Any]]
    inputs: list[Ingredient] = field(default_factory=list)

    @property
    def source_type(self) -> str:
        """A user's upload in the mix makes it a composite (IPTC digital source types)."""
        kind = "compositeWithTrainedAlgorithmicMedia" if self.inputs else "trainedAlgorithmicMedia"
        return IPTC + kind

    def assertions(self) -> list[dict[str, Any]]:
        action: dict[str, Any] = {
            "action": "c2pa.created",
            "digitalSourceType": self.source_type,
            "softwareAgent": {"name": f"Atelier {self.engine}", "version": atelier.__version__},
        }
        if self.inputs:
            action["parameters"] = {"ingredientIds": [f"input.{i.param}" for i in self.inputs]}
        models = [
            {key: m[key] for key in ("name", "version", "licence", "kind") if key in m}
            for m in self.models
        ]
        return [
            {"label": "c2pa.actions.v2", "data": {"actions": [action]}},
            {
                "label": WORK_ASSERTION,
                "data": {"work_id": self.work_id, "engine": self.engine, "models": models},
            },
        ]


@cache
def embeddable() -> frozenset[str]:
    return frozenset(m for m in c2pa.Builder.get_supported_mime_types() if "/" in m)


def _generator() -> list[dict[str, str]]:
    return [{"name": "Atelier", "version": atelier.__version__}]


def sign_embedded(identity: Identity, claim: Claim, data: bytes, mime: str) -> tuple[bytes, bytes]:
    """The file with its manifest embedded, and the manifest store's bytes."""
    definition = {
        "claim_generator_info": _generator(),
        "title": claim.title or claim.work_id,
        "format": mime,
        "assertions": claim.assertions(),
    }
    context = c2pa.Context.from_dict(
        {
            "builder": {"thumbnail": {"enabled": False}},
            "verify": {"verify_after_sign": False, "remote_manifest_fetch": False},
        }
    )
    alg = c2pa.C2paSigningAlg.ES256 if identity.alg == "es256" else c2pa.C2paSigningAlg.ED25519
    info = c2pa.C2paSignerInfo(alg, identity.chain_pem(), identity.signing_key_pem(), None)
    with (
        c2pa.Builder(definition, context=context) as builder,
        c2pa.Signer.from_info(info) as signer,
    ):
        for item in claim.inputs:
            with item.path.open("rb") as stream:
                builder.add_ingredient(
                    {
                        "title": item.title,
                        "relationship": "inputTo",
                        "label": f"input.{item.param}",
                    },
                    item.mime,
                    stream,
                )
        out = io.BytesIO()
        store = builder.sign(signer, mime, io.BytesIO(data), out)
    return out.getvalue(), store


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_sidecar(identity: Identity, claim: Claim, data: bytes, mime: str, name: str) -> bytes:
    """A signed sidecar manifest for a file C2PA cannot carry."""
    payload = {
        "claim_generator_info": _generator(),
        "title": claim.title or claim.work_id,
        "format": mime,
        "asset": {"name": name, "alg": "sha256", "hash": hashlib.sha256(data).hexdigest()},
        "assertions": claim.assertions(),
        "ingredients": [
            {
                "title": item.title,
                "format": item.mime,
                "relationship": "inputTo",
                "label": f"input.{item.param}",
                "sha256": hashlib.sha256(item.path.read_bytes()).hexdigest(),
            }
            for item in claim.inputs
        ],
    }
    chain = [identity.signing_cert, identity.root]
    header = {
        "alg": "ES256" if identity.alg == "es256" else "EdDSA",
        "typ": SIDECAR_TYPE,
        "x5c": [
            base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in chain
        ],
    }
    protected = _b64(json.dumps(header, separators=(",", ":")).encode())
    body = _b64(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode())
    signing_input = f"{protected}.{body}".encode()
    key = identity.signing_key
    if isinstance(key, ec.EllipticCurvePrivateKey):
        r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    else:
        signature = key.sign(signing_input)
    document = {"protected": protected, "payload": body, "signature": _b64(signature)}
    return (json.dumps(document, indent=2) + "\n").encode()


@dataclass
class ManifestReport:
    """What a manifest check found. `valid`: the manifest and the file agree; `trusted`:
    its signer chains to one of the given roots."""

    kind: str  # c2pa | sidecar | none
    valid: bool = False
    trusted: bool = False
    signer: str = ""
    problems: list[str] = field(default_factory=list)
    work_id: str | None = None
    source_type: str | None = None
    ingredients: int = 0
    manifest_sha256: str | None = None


def read_embedded(data: bytes, roots: list[x509.Certificate]) -> ManifestReport:
    """Validate an embedded C2PA manifest with the C2PA SDK, the roots as trust anchors."""
    anchors = "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in roots)
    context = c2pa.Context.from_dict(
        {
            "trust": {"trust_anchors": anchors},
            "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False},
        }
    )
    try:
        reader = c2pa.Reader.try_create(None, io.BytesIO(data), None, context)
    except c2pa.C2paError.NotSupported:  # a format C2PA does not embed in (text, MIDI)
        reader = None
    except c2pa.C2paError as exc:
        return ManifestReport("c2pa", problems=[f"the C2PA manifest cannot be read: {exc}"])
    if reader is None:
        return ManifestReport("none", problems=["no C2PA manifest in the file"])
    with reader:
        state = reader.get_validation_state() or ""
        results = (reader.get_validation_results() or {}).get("activeManifest", {})
        manifest = reader.get_active_manifest() or {}
    report = ManifestReport(
        "c2pa",
        valid=state in ("Valid", "Trusted"),
        trusted=state == "Trusted",
        problems=[f"{f['code']}: {f.get('explanation', '')}" for f in results.get("failure", [])],
        ingredients=len(manifest.get("ingredients", [])),
    )
    info = manifest.get("signature_info", {})
    report.signer = f"{info.get('common_name', '?')} ({info.get('alg', '?')})"
    _read_assertions(report, manifest.get("assertions", []))
    return report


def _read_assertions(report: ManifestReport, assertions: list[dict[str, Any]]) -> None:
    for assertion in assertions:
        data = assertion.get("data", {})
        if assertion.get("label", "").startswith("c2pa.actions"):
            for action in data.get("actions", []):
                if action.get("action") == "c2pa.created":
                    report.source_type = action.get("digitalSourceType")
        elif assertion.get("label") == WORK_ASSERTION:
            report.work_id = data.get("work_id")


def read_sidecar(sidecar: bytes, data: bytes, roots: list[x509.Certificate]) -> ManifestReport:
    """Check a sidecar manifest: its signature, its chain to a root, and the file's hash."""
    report = ManifestReport("sidecar", manifest_sha256=hashlib.sha256(sidecar).hexdigest())
    try:
        document = json.loads(sidecar)
        header = json.loads(_unb64(document["protected"]))
        payload = json.loads(_unb64(document["payload"]))
        signature = _unb64(document["signature"])
        chain = [x509.load_der_x509_certificate(base64.b64decode(c)) for c in header["x5c"]]
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        report.problems.append(f"not a sidecar manifest: {exc}")
        return report
    leaf = chain[0]
    report.signer = f"{leaf.subject.rfc4514_string()} ({header.get('alg')})"
    signing_input = f"{document['protected']}.{document['payload']}".encode()
    public = leaf.public_key()
    try:
        if header.get("alg") == "ES256" and isinstance(public, ec.EllipticCurvePublicKey):
            r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            public.verify(encode_dss_signature(r, s), signing_input, ec.ECDSA(hashes.SHA256()))
        elif header.get("alg") == "EdDSA" and isinstance(public, ed25519.Ed25519PublicKey):
            public.verify(signature, signing_input)
        else:
            raise InvalidSignature()
    except InvalidSignature:
        report.problems.append("the sidecar's signature does not verify")
        return report
    asset = payload.get("asset", {})
    if asset.get("hash") != hashlib.sha256(data).hexdigest():
        report.problems.append("the file's SHA-256 is not the one the sidecar signed")
    report.valid = not report.problems
    report.trusted = issued_by(leaf, roots) is not None
    if not report.trusted:
        report.problems.append("the sidecar's signer is not issued by the studio's root")
    report.ingredients = len(payload.get("ingredients", []))
    _read_assertions(report, payload.get("assertions", []))
    return report
