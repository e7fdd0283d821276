"""The licence offers a creator may list a work under: what each allows, and its price limits.

The catalogue follows what stock libraries sell (Standard up to 500,000 copies without
merchandise for resale; Extended for large runs and merchandise; an exclusive buyout) and
the Creative Commons licences a creator may give away. Terms are copied into each order,
so a later change here never alters a licence already sold.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from atelier.commerce import money

# A paid offer costs 1 to 100,000 units of the currency: below one it costs more to
# process than it earns.
MIN_PRICE_UNITS, MAX_PRICE_UNITS = 1, 100_000
STANDARD_COPIES = 500_000


@dataclass(frozen=True)
class Offer:
    kind: str
    title: str
    summary: str
    commercial: bool  # needs a commercially clean lineage and a plan with commercial use
    free: bool  # claimed without an invoice, at price 0
    exclusive: bool  # a buyout: the work leaves the market when it is sold
    max_copies: int | None  # None: unlimited
    merchandise: bool  # may be printed on goods for resale
    attribution: bool  # the licensee must credit the creator
    licence_url: str | None  # a public licence's legal code

    def terms(self, territory: str = "worldwide") -> dict[str, Any]:
        """What an order freezes: these terms and the territory."""
        return {**asdict(self), "territory": territory}


CATALOGUE: tuple[Offer, ...] = (
    Offer(
        kind="personal",
        title="Personal",
        summary="Private, non-commercial use: prints for yourself, wallpapers, gifts.",
        commercial=False,
        free=False,
        exclusive=False,
        max_copies=100,
        merchandise=False,
        attribution=False,
        licence_url=None,
    ),
    Offer(
        kind="standard",
        title="Standard commercial",
        summary="Commercial use in advertising, packaging, web and print up to 500,000 copies; "
        "no merchandise for resale.",
        commercial=True,
        free=False,
        exclusive=False,
        max_copies=STANDARD_COPIES,
        merchandise=False,
        attribution=False,
        licence_url=None,
    ),
    Offer(
        kind="extended",
        title="Extended commercial",
        summary="Commercial use without a copy limit, including merchandise for resale "
        "(posters, T-shirts, mugs).",
        commercial=True,
        free=False,
        exclusive=False,
        max_copies=None,
        merchandise=True,
        attribution=False,
        licence_url=None,
    ),
    Offer(
        kind="exclusive",
        title="Exclusive buyout",
        summary="Everything Extended allows, and the work leaves the market: nobody else can "
        "license it afterwards (licences sold before stay valid).",
        commercial=True,
        free=False,
        exclusive=True,
        max_copies=None,
        merchandise=True,
        attribution=False,
        licence_url=None,
    ),
    Offer(
        kind="cc0",
        title="CC0 1.0 (public domain dedication)",
        summary="Free for any use, commercial too, without credit.",
        commercial=True,
        free=True,
        exclusive=False,
        max_copies=None,
        merchandise=True,
        attribution=False,
        licence_url="https://creativecommons.org/publicdomain/zero/1.0/",
    ),
    Offer(
        kind="cc-by",
        title="CC BY 4.0",
        summary="Free for any use, commercial too, crediting the creator.",
        commercial=True,
        free=True,
        exclusive=False,
        max_copies=None,
        merchandise=True,
        attribution=True,
        licence_url="https://creativecommons.org/licenses/by/4.0/",
    ),
    Offer(
        kind="cc-by-nc",
        title="CC BY-NC 4.0",
        summary="Free for non-commercial use, crediting the creator.",
        commercial=False,
        free=True,
        exclusive=False,
        max_copies=None,
        merchandise=False,
        attribution=True,
        licence_url="https://creativecommons.org/licenses/by-nc/4.0/",
    ),
)
OFFERS: dict[str, Offer] = {offer.kind: offer for offer in CATALOGUE}
KINDS: tuple[str, ...] = tuple(OFFERS)


def price_range(currency: str) -> tuple[int, int]:
    """The lowest and highest price of a paid offer, in the currency's minor units."""
    return money.minor(MIN_PRICE_UNITS, currency), money.minor(MAX_PRICE_UNITS, currency)


def commission(price: int, percent: int) -> int:
    """The studio's part of a sale, rounded half up to the cent; the creator gets the rest."""
    return (price * percent + 50) // 100
