"""A licence grant as signed bytes and as a printable certificate (PDF).

The studio signs the canonical JSON of a grant (sorted keys, no spaces, UTF-8): anyone
holding the grant's record can rebuild the same bytes and check the signature. The PDF
prints with documents.py's fonts, so names and titles in Chinese print too.
"""

from __future__ import annotations

import json
from typing import Any

from atelier.commerce import money
from atelier.commerce.documents import new_pdf
from atelier.commerce.market_models import LicenceGrant


def _time(value: Any) -> str:
    return value.isoformat(timespec="seconds") + "Z"


def record(grant: LicenceGrant) -> dict[str, Any]:
    """What the signature covers: everything that defines the licence, nothing mutable
    (not its status or the signature itself)."""
    return {
        "v": 1,
        "licence": grant.id,
        "order": grant.order_id,
        "licensee": {"id": grant.licensee_id, "name": grant.licensee_name},
        "licensor": {"id": grant.licensor_id, "name": grant.licensor_name},
        "work": {"id": grant.work_id, "sha256": grant.work_sha256, "title": grant.work_title},
        "offer": grant.offer_kind,
        "terms": grant.terms,
        "price": grant.price,
        "currency": grant.currency,
        "territory": grant.territory,
        "attribution": grant.attribution,
        "granted_at": _time(grant.granted_at),
        "policy": grant.policy,
    }


def canonical(grant: LicenceGrant) -> bytes:
    return json.dumps(
        record(grant), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def pdf(grant: LicenceGrant, verify_url: str) -> bytes:
    """A one-page certificate: parties, work and hash, terms, attribution, signature."""
    doc = new_pdf(f"Licence certificate {grant.id}")
    doc.add_page()
    doc.set_font("DejaVu", "B", 18)
    doc.cell(0, 12, "Licence certificate", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", "", 10)
    doc.cell(0, 6, f"Licence {grant.id}", new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)
    terms = grant.terms
    copies = terms.get("max_copies")
    rows = [
        ("Licence", str(terms.get("title", grant.offer_kind))),
        ("Status", grant.status),
        ("Licensee", grant.licensee_name),
        ("Licensor", grant.licensor_name),
        ("Work", f"{grant.work_title or 'untitled'} ({grant.work_id})"),
        ("Work SHA-256", grant.work_sha256),
        ("Price", money.text(grant.price, grant.currency)),
        ("Granted", _time(grant.granted_at)),
        ("Territory", grant.territory),
        ("Copies", "unlimited" if copies is None else f"up to {copies:,}"),
        ("Commercial use", "yes" if terms.get("commercial") else "no"),
        ("Merchandise for resale", "yes" if terms.get("merchandise") else "no"),
        ("Exclusive", "yes" if terms.get("exclusive") else "no"),
        ("Credit the creator", "required" if terms.get("attribution") else "not required"),
    ]
    if terms.get("licence_url"):
        rows.append(("Legal code", str(terms["licence_url"])))
    for label, value in rows:
        doc.set_font("DejaVu", "B", 10)
        doc.cell(50, 7, label)
        doc.set_font("DejaVu", "", 10)
        doc.multi_cell(0, 7, value, new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)
    doc.multi_cell(0, 6, str(terms.get("summary", "")), new_x="LMARGIN", new_y="NEXT")
    if grant.attribution:
        doc.ln(2)
        doc.set_font("DejaVu", "B", 10)
        doc.cell(0, 7, "The work includes", new_x="LMARGIN", new_y="NEXT")
        doc.set_font("DejaVu", "", 9)
        for source in grant.attribution:
            doc.multi_cell(
                0, 5, f"{source['name']}: {source['licence']}", new_x="LMARGIN", new_y="NEXT"
            )
    doc.ln(4)
    doc.set_font("DejaVu", "", 8)
    signature = grant.signature or {}
    doc.multi_cell(
        0,
        4,
        f"Signed by the studio ({signature.get('alg', 'unsigned')}): "
        f"{signature.get('signature', 'not signed yet')}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.multi_cell(0, 4, f"Verify at {verify_url}", new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())
