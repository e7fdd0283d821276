"""Licence grants: made from an order (its frozen terms, the work by its hash, the sources
to credit, the ODRL policy) and signed by the studio in the same transaction, so a grant
is never seen unsigned and reading one never writes; revoked by an admin or by a refund
(the record and its signature stay: verification then says `revoked`, with the reason)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from atelier.commerce import certificates, lineage, odrl
from atelier.commerce.market_models import LicenceGrant, Order
from atelier.errors import Conflict, NotFound
from atelier.store.models import User, Work, utcnow

Signer = Callable[[bytes], dict[str, str]]  # canonical bytes → the studio's signature


def _name(user: User | None) -> str:
    """How a party is named on a licence: never by e-mail."""
    if user is None:
        return "a former user"
    return user.display_name or user.handle


def grant(s: Session, order: Order, sign: Signer) -> LicenceGrant:
    """The licence of an order, with its ODRL policy, signed by the studio."""
    work = s.get(Work, order.work_id)
    if work is None:
        raise NotFound(
            "work %(work_id)s no longer exists", field="work_id", params={"work_id": order.work_id}
        )
    licensee, licensor = s.get(User, order.buyer_id), s.get(User, order.seller_id)
    made = LicenceGrant(
        order_id=order.id,
        licensee_id=order.buyer_id,
        licensor_id=order.seller_id,
        licensee_name=_name(licensee),
        licensor_name=_name(licensor),
        work_id=work.id,
        work_sha256=work.sha256,
        work_title=work.title,
        offer_kind=order.offer_kind,
        terms=order.terms,
        price=order.price,
        currency=order.currency,
        territory=str(order.terms.get("territory", odrl.WORLDWIDE)),
        attribution=lineage.attributions(work.lineage),
        policy={},
        granted_at=utcnow().replace(microsecond=0),
    )
    s.add(made)
    s.flush()  # the id names the policy
    made.policy = odrl.policy(
        made.id,
        (made.licensor_id, made.licensor_name),
        (made.licensee_id, made.licensee_name),
        work.id,
        work.sha256,
        work.title,
        order.terms,
    )
    made.signature = sign(certificates.canonical(made))
    return made


def revoke(grant: LicenceGrant, reason: str) -> LicenceGrant:
    if grant.status == "revoked":
        raise Conflict(
            "licence %(id)s is already revoked", field="licence_id", params={"id": grant.id}
        )
    grant.status, grant.revoked_at, grant.revoked_reason = "revoked", utcnow(), reason
    return grant
