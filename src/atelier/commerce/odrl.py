"""A licence's machine-readable terms as a W3C ODRL 2.2 Agreement (JSON-LD).

The assigner is the creator, the assignee the buyer, the target the work by its SHA-256;
permissions, prohibitions, duties and constraints come from the offer's frozen terms.
Actions and left operands are from the ODRL Common Vocabulary.
"""

from __future__ import annotations

from typing import Any

CONTEXT = [
    "http://www.w3.org/ns/odrl.jsonld",
    {"dct": "http://purl.org/dc/terms/", "vcard": "http://www.w3.org/2006/vcard/ns#"},
]
WORLDWIDE = "worldwide"


def _constraint(left: str, operator: str, right: Any) -> dict[str, Any]:
    return {"leftOperand": left, "operator": operator, "rightOperand": right}


def _party(user_id: str, name: str) -> dict[str, Any]:
    return {"@type": "Party", "uid": f"urn:atelier:user:{user_id}", "vcard:fn": name}


def policy(
    licence_id: str,
    licensor: tuple[str, str],
    licensee: tuple[str, str],
    work_id: str,
    work_sha256: str,
    work_title: str,
    terms: dict[str, Any],
) -> dict[str, Any]:
    """The Agreement for one grant; `licensor` and `licensee` are (user id, name)."""
    target = f"urn:sha256:{work_sha256}"
    territory = terms.get("territory", WORLDWIDE)
    constraints = [] if territory == WORLDWIDE else [_constraint("spatial", "eq", territory)]

    def permission(action: str, *more: dict[str, Any]) -> dict[str, Any]:
        rule: dict[str, Any] = {"target": target, "action": action}
        if constraints or more:
            rule["constraint"] = [*constraints, *more]
        if terms.get("attribution"):
            rule["duty"] = [
                {"action": "attribute", "target": target, "attributedParty": licensor[1]}
            ]
        return rule

    copies = terms.get("max_copies")
    copy_limit = [] if copies is None else [_constraint("count", "lteq", copies)]
    permissions = [
        permission("use"),
        permission("display"),
        permission("reproduce", *copy_limit),
        permission("distribute", *copy_limit),
    ]
    prohibitions: list[dict[str, Any]] = []
    if terms.get("commercial"):
        permissions += [permission("modify"), permission("commercialize")]
    else:
        prohibitions.append({"target": target, "action": "commercialize"})
    if terms.get("merchandise"):
        permissions.append(permission("sell"))
    else:
        prohibitions.append(
            {
                "target": target,
                "action": "sell",
                "constraint": [_constraint("purpose", "eq", "merchandise for resale")],
            }
        )
    if terms.get("exclusive"):
        permissions.append(permission("grantUse"))
    elif not terms.get("free"):
        prohibitions.append({"target": target, "action": "grantUse"})
    body: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Agreement",
        "uid": f"urn:atelier:licence:{licence_id}",
        "profile": "urn:atelier:odrl-profile:1",
        "dct:title": f"{terms.get('title', terms.get('kind', 'Licence'))}: {work_title}",
        "assigner": _party(*licensor),
        "assignee": _party(*licensee),
        "target": {"@type": "Asset", "uid": target, "dct:identifier": work_id},
        "permission": permissions,
    }
    if prohibitions:
        body["prohibition"] = prohibitions
    if terms.get("licence_url"):
        body["dct:license"] = terms["licence_url"]
    return body
