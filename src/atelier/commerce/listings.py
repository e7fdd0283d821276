"""Listings: a work on the market under the licence offers its rights lineage and its
creator's plan allow, each at a price; withdrawn and listed again at will, until an
exclusive sale takes it off for good. Also the creators' rights affirmations for their
uploads, which lineage needs before it allows commercial offers.

Functions here run inside the caller's transaction (the Market opens it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from atelier.commerce import lineage, money, plans, replay
from atelier.commerce.market_models import LicenceGrant, Listing, ListingOffer, UploadRights
from atelier.commerce.offers import CATALOGUE, KINDS, OFFERS, price_range
from atelier.errors import Conflict, Invalid, NotFound, Word
from atelier.store import paging
from atelier.store.models import Upload, Work, utcnow

# Licences that let their holder sell what they make from the work: the public ones that
# allow commercial use and adaptation (a stock licence does not allow reselling as stock).
ADAPTABLE = tuple(o.kind for o in CATALOGUE if o.free and o.commercial)
AFFIRMATION = (
    "I own this file or have the right to use it, including commercially, in works I sell."
)


@dataclass(frozen=True)
class ListingView:
    """A work's place on the market: its listing (None if never listed) and, for its
    owner, every offer kind allowed or refused with reasons."""

    work: Work
    listing: Listing | None
    verdicts: list[lineage.Verdict]
    commission_percent: int
    currency: str

    @property
    def on_sale(self) -> bool:
        return self.listing is not None and self.listing.state == "listed"


def held(work: Work) -> bool:
    """Withheld by moderation: waiting for review, or rejected."""
    return work.review_status in ("in_review", "rejected")


def owned_work(s: Session, owner_id: str, work_id: str) -> Work:
    work = s.get(Work, work_id)
    if work is None or work.owner_id != owner_id:
        raise NotFound("no work %(work_id)s", field="work_id", params={"work_id": work_id})
    return work


def listing_of(s: Session, work_id: str, lock: bool = False) -> Listing | None:
    query = select(Listing).where(Listing.work_id == work_id)
    return s.scalar(query.with_for_update() if lock else query)


def offer_verdicts(s: Session, work: Work) -> list[lineage.Verdict]:
    """What the work's lineage (its ancestors' included), its owner's affirmations of the
    uploads in it, the licences the owner holds to other creators' works in it, and the
    owner's plan allow."""
    affirmed = set(
        s.scalars(
            select(UploadRights.upload_id).where(
                UploadRights.upload_id.in_(lineage.upload_ids(work.lineage)),
                UploadRights.owner_id == work.owner_id,
            )
        )
    )
    adaptable = set(
        s.scalars(
            select(LicenceGrant.work_id).where(
                LicenceGrant.work_id.in_(lineage.ancestor_ids(work.lineage)),
                LicenceGrant.licensee_id == work.owner_id,
                LicenceGrant.status == "valid",
                LicenceGrant.offer_kind.in_(ADAPTABLE),
            )
        )
    )
    plan = plans.current_plan(s, work.owner_id)
    return lineage.verdicts(
        work.engine,
        work.lineage,
        affirmed,
        plan.name,
        plan.commercial_use,
        work.owner_id,
        adaptable,
    )


def deletion_obstacle(s: Session, work_ids: list[str]) -> Conflict | None:
    """Why these works must stay, if one must, as the refusal to raise: a work on sale,
    reserved, sold or licensed is part of the market's records (its buyers' certificates
    name it)."""
    if not work_ids:
        return None
    listed = s.scalar(
        select(Listing.work_id).where(
            Listing.work_id.in_(work_ids), Listing.state.in_(("listed", "reserved", "sold"))
        )
    )
    if listed is not None:
        return Conflict(
            "work %(work_id)s is on the market or sold; unlist it instead of deleting it",
            field="work_ids",
            params={"work_id": listed},
        )
    licensed = s.scalar(select(LicenceGrant.work_id).where(LicenceGrant.work_id.in_(work_ids)))
    if licensed is not None:
        return Conflict(
            "work %(work_id)s has licences granted; it stays for its licensees",
            field="work_ids",
            params={"work_id": licensed},
        )
    return None


def clean_prices(prices: Mapping[str, int | None], currency: str) -> dict[str, int]:
    """Offer kind → price in minor units, each checked (free offers: 0 or None)."""
    if not prices:
        raise Invalid("choose at least one offer", field="offers")
    clean: dict[str, int] = {}
    low, high = price_range(currency)
    for kind, price in prices.items():
        offer = OFFERS.get(kind)
        if offer is None:
            raise Invalid(
                "unknown offer %(kind)s; offers are %(kinds)s",
                field=f"offers.{kind}",
                params={"kind": repr(kind), "kinds": ", ".join(KINDS)},
            )
        if offer.free:
            if price not in (None, 0):
                raise Invalid(
                    "%(title)s is free: its price is 0",
                    field=f"offers.{kind}",
                    params={"title": offer.title},
                )
            clean[kind] = 0
        elif price is None or not low <= price <= high:
            raise Invalid(
                "%(title)s needs a price of %(least)s to %(most)s "
                "(in minor units: %(low)s to %(high)s)",
                params={
                    "title": offer.title,
                    "least": money.text(low, currency),
                    "most": money.text(high, currency),
                    "low": low,
                    "high": high,
                },
                field=f"offers.{kind}",
            )
        else:
            clean[kind] = price
    return clean


def shown(
    s: Session, viewer_id: str | None, work_id: str
) -> tuple[Work, Listing | None, list[lineage.Verdict]]:
    """The owner sees every offer's verdict; others see the listing of a work on the
    market (NotFound otherwise, so they learn nothing of private works)."""
    work = s.get(Work, work_id)
    listing = listing_of(s, work_id)
    owner = work is not None and viewer_id is not None and work.owner_id == viewer_id
    public = (
        work is not None
        and listing is not None
        and listing.state in ("listed", "reserved")
        and work.visibility != "private"
        and not held(work)
    )
    if work is None or not (owner or public):
        raise NotFound(
            "no listing for work %(work_id)s", field="work_id", params={"work_id": work_id}
        )
    return work, listing, offer_verdicts(s, work) if owner else []


def put(
    s: Session, owner_id: str, work_id: str, clean: dict[str, int]
) -> tuple[Work, Listing, list[lineage.Verdict]]:
    """List the work under these offers (or change them); every refused offer is named."""
    work = owned_work(s, owner_id, work_id)
    if held(work):
        state = "rejected" if work.review_status == "rejected" else "in review"
        raise Conflict(
            "work %(work_id)s is %(state)s: it cannot be listed",
            field="work_id",
            params={"work_id": work_id, "state": Word(state)},
        )
    verdicts = {v.kind: v for v in offer_verdicts(s, work)}
    refused = [(k, verdicts[k]) for k in clean if not verdicts[k].allowed]
    if refused:
        errors = [
            (f"offers.{k}", f"{OFFERS[k].title} is not allowed: {'; '.join(v.reasons)}")
            for k, v in refused
        ]
        raise Invalid("; ".join(m for _, m in errors), errors=errors)
    listing = _listing_for(s, owner_id, work_id)
    if listing.state in ("reserved", "sold"):
        raise Conflict(
            "this work was sold exclusively and has left the market"
            if listing.state == "sold"
            else "an exclusive order is waiting for payment; try again later",
            field="work_id",
        )
    listing.state, listing.updated_at = "listed", utcnow()
    # An offer kept is changed in place: replacing it by a new row of the same kind would
    # insert before the old row is deleted and break the listing's one-row-per-kind rule.
    kept = {row.kind: row for row in listing.offers}
    rows = []
    for kind in sorted(clean, key=KINDS.index):
        row = kept.get(kind) or ListingOffer(kind=kind)
        row.position, row.price = KINDS.index(kind), clean[kind]
        rows.append(row)
    listing.offers = rows
    if work.visibility == "private":
        work.visibility = "public"  # buyers must see what they license
    s.flush()
    return work, listing, list(verdicts.values())


def _listing_for(s: Session, owner_id: str, work_id: str) -> Listing:
    """The work's listing, locked; made (unlisted) if it has none. Two first listings at
    once make one row: the second waits for the first and takes its row."""

    def make() -> Listing:
        listing = Listing(work_id=work_id, owner_id=owner_id, state="unlisted")
        s.add(listing)
        return listing

    listing, _ = replay.once(
        s,
        lambda: listing_of(s, work_id, lock=True),
        make,
        lambda _: True,
        Conflict("work %(work_id)s is being listed", field="work_id", params={"work_id": work_id}),
    )
    return listing


def withdraw(s: Session, owner_id: str, work_id: str) -> tuple[Work, Listing]:
    work = owned_work(s, owner_id, work_id)
    listing = listing_of(s, work_id, lock=True)
    if listing is None or listing.state == "unlisted":
        raise NotFound(
            "work %(work_id)s is not on the market", field="work_id", params={"work_id": work_id}
        )
    if listing.state != "listed":
        raise Conflict(
            "the listing is %(state)s; it cannot be withdrawn now",
            params={"state": Word(listing.state)},
        )
    listing.state, listing.updated_at = "unlisted", utcnow()
    return work, listing


def for_sale(
    s: Session, limit: int, offset: int, after: paging.After | None = None
) -> list[tuple[Listing, Work]]:
    """Works on the market, newest listing first."""
    query = (
        select(Listing, Work)
        .join(Work, Work.id == Listing.work_id)
        .where(
            Listing.state.in_(("listed", "reserved")),
            Work.visibility != "private",
            Work.review_status.is_(None) | (Work.review_status == "approved"),
        )
    )
    rows = s.execute(paging.page(query, Listing.created_at, Listing.id, limit, offset, after))
    return [(listing, work) for listing, work in rows]


def affirm(s: Session, owner_id: str, upload_id: str) -> UploadRights:
    """Record the uploader's statement of rights (once; repeating it is harmless)."""
    upload = s.get(Upload, upload_id)
    if upload is None or upload.owner_id != owner_id:
        raise NotFound(
            "no upload %(upload_id)s", field="upload_id", params={"upload_id": upload_id}
        )

    def make() -> UploadRights:
        rights = UploadRights(upload_id=upload_id, owner_id=owner_id, statement=AFFIRMATION)
        s.add(rights)
        return rights

    rights, _ = replay.once(
        s,
        lambda: s.get(UploadRights, upload_id),
        make,
        lambda _: True,
        Conflict(
            "upload %(upload_id)s is being affirmed",
            field="upload_id",
            params={"upload_id": upload_id},
        ),
    )
    return rights


def rights_of(s: Session, owner_id: str, upload_ids: list[str]) -> dict[str, UploadRights]:
    rows = s.scalars(
        select(UploadRights).where(
            UploadRights.upload_id.in_(upload_ids), UploadRights.owner_id == owner_id
        )
    )
    return {r.upload_id: r for r in rows}
