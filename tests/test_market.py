"""The marketplace through the studio: rights lineage (with reasons), the issue's scenario
from trial to payout with the books checked to the cent, the exclusive race on SQLite and
PostgreSQL, reservation expiry, ODRL terms, signed certificates, payouts."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from pypdf import PdfReader
from sqlalchemy import func, null, select, update
from sqlalchemy.exc import IntegrityError

from atelier.accounts.authz import Principal
from atelier.commerce import certificates, ledger, lineage
from atelier.commerce.market_models import LicenceGrant, Listing, Order, UploadRights
from atelier.commerce.models import Invoice, Subscription
from atelier.engines.image.compose.engine import Compose
from atelier.engines.image.portrait import Portrait
from atelier.engines.image.stylize import Stylize
from atelier.errors import Conflict, Forbidden, Invalid, StudioError
from atelier.store.db import MIGRATIONS
from atelier.studio import Studio
from tests.support.accounts import add_user, admin_of, upgrade
from tests.support.media import image_bytes
from tests.support.settings import make_settings
from tests.support.works import make_work, stylize_work

EUR = "EUR"
PERSONAL, STANDARD, EXCLUSIVE = 900, 4900, 50_000


# -- helpers ----------------------------------------------------------------------------------


def balance(studio: Studio, account: str, currency: str = EUR) -> int:
    with studio.db.transaction() as s:
        return ledger.balance(s, account, currency)


def listing_state(studio: Studio, work_id: str) -> str | None:
    with studio.db.transaction() as s:
        return s.scalar(select(Listing.state).where(Listing.work_id == work_id))


def count(studio: Studio, model: Any) -> int:
    with studio.db.transaction() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def both(tmp_path: Path, db_url: str) -> Iterator[Studio]:
    """A studio on each database kind."""
    studio = Studio(make_settings(tmp_path, db_url))
    studio.prepare()
    yield studio
    studio.close()


# -- rights lineage: pure rules with the engines' own model cards ----------------------------


def _cards(engine: Any) -> list[dict[str, Any]]:
    return [vars(card) for card in engine.models]


def test_lineage_refuses_commercial_offers_with_reasons() -> None:
    portrait = {"models": _cards(Portrait), "inputs": [], "sources": []}
    verdicts = {
        v.kind: v for v in lineage.verdicts("image.portrait", portrait, set(), "Studio", True)
    }
    assert {k for k, v in verdicts.items() if v.allowed} == {"personal", "cc-by-nc"}
    reasons = " | ".join(verdicts["standard"].reasons)
    assert "image.portrait's data set DigiFace-1M" in reasons
    assert "non-commercial research use only" in reasons
    assert verdicts["exclusive"].reasons == verdicts["standard"].reasons

    upload = {"param": "image", "upload_id": "u" * 32, "filename": "style.png", "mime": "image/png"}
    stylized = {"models": _cards(Stylize), "inputs": [upload], "sources": []}
    refused = lineage.verdicts("image.stylize", stylized, set(), "Creator", True)
    assert [r for v in refused for r in v.reasons if v.kind == "standard"] == [
        "the file you uploaded as image (style.png) has no rights affirmation"
    ]
    allowed = lineage.verdicts("image.stylize", stylized, {"u" * 32}, "Creator", True)
    assert all(v.allowed for v in allowed)

    trial = lineage.verdicts("image.stylize", stylized, {"u" * 32}, "Trial", False)
    assert {r for v in trial for r in v.reasons} == {"your plan (Trial) has no commercial use"}
    assert {v.kind for v in trial if v.allowed} == {"personal", "cc-by-nc"}

    no_record = lineage.verdicts("test.wait", {}, set(), "Studio", True)
    assert "no recorded lineage" in no_record[1].reasons[0]

    clipart = {
        "models": _cards(Compose),
        "inputs": [],
        "sources": [
            {"name": "pear", "path": "/x/pear.svg", "licence": "CC0-1.0", "commercial_use": True}
        ],
    }
    assert all(v.allowed for v in lineage.verdicts("image.compose", clipart, set(), "Studio", True))
    assert lineage.attributions(clipart) == [{"name": "pear", "licence": "CC0-1.0"}]


def test_real_works_listing_refusals(studio: Studio) -> None:
    """A portrait (non-commercial GAN), an unaffirmed upload and a Trial plan each keep
    commercial offers off the market, with the reason naming the field and the cause."""
    creator = add_user(studio, "maker@example.com")
    portrait = make_work(studio, creator, "image.portrait", {"upscaler": "fast", "variants": 1})
    # On Trial, even the personal licence is fine, the commercial ones are not.
    with pytest.raises(Invalid) as refused:
        studio.market.list_work(creator, portrait.id, {"standard": STANDARD})
    assert refused.value.errors[0][0] == "offers.standard"
    assert "DigiFace-1M" in refused.value.detail
    assert "your plan (Trial) has no commercial use" in refused.value.detail
    assert count(studio, Listing) == 0  # nothing half-written

    upgrade(studio, creator)
    view = studio.market.list_work(creator, portrait.id, {"personal": PERSONAL, "cc-by-nc": 0})
    assert view.listing is not None
    assert [o.kind for o in view.listing.offers] == ["personal", "cc-by-nc"]
    assert view.work.visibility == "public"
    standard = next(v for v in view.verdicts if v.kind == "standard")
    assert not standard.allowed and "plan" not in " ".join(standard.reasons)

    styled = stylize_work(studio, creator, affirm=False)
    with pytest.raises(Invalid, match="has no rights affirmation"):
        studio.market.list_work(creator, styled.id, {"extended": 20_000})
    upload_id = styled.lineage["inputs"][0]["upload_id"]
    studio.market.affirm_upload(creator, upload_id)
    listed = studio.market.list_work(creator, styled.id, {"extended": 20_000})
    assert listed.listing is not None and listed.listing.state == "listed"

    other = add_user(studio, "other@example.com")
    with pytest.raises(StudioError):
        studio.market.affirm_upload(other, upload_id)  # not theirs: NotFound
    with studio.db.transaction() as s:  # the paid month runs out: back on Trial
        s.execute(
            update(Subscription)
            .where(Subscription.user_id == creator.user_id)
            .values(period_end=Subscription.period_start)
        )
    with pytest.raises(Conflict, match="can no longer sell Extended commercial"):
        studio.market.buy(other, styled.id, "extended")
    assert count(studio, Order) == 0
    with pytest.raises(Forbidden):
        studio.market.buy(creator, styled.id, "extended")  # one's own work
    with pytest.raises(Invalid, match="needs a price"):
        studio.market.list_work(creator, styled.id, {"extended": 5})
    with pytest.raises(Invalid, match="unknown offer"):
        studio.market.list_work(creator, styled.id, {"rent": 100})


# -- the scenario: trial → … → payout, the books to the cent ------------------------


def test_scenario_trial_to_payout(studio: Studio) -> None:
    settings, admin = studio.settings, admin_of(studio)
    creator = add_user(studio, "creator@example.com")
    buyer, rival = add_user(studio, "buyer@example.com"), add_user(studio, "rival@example.com")

    before = studio.commerce.account(creator).balance
    work = make_work(
        studio,
        creator,
        "image.compose",
        {"prompt": "a red apple on a table", "width": 512, "height": 512, "variants": 1},
    )
    settled = balance(studio, "studio:usage", ledger.CREDITS)  # this job's measured cost
    assert settled > 0  # in the ledger's hundredths of a credit
    assert studio.commerce.account(creator).balance == pytest.approx(before - settled / 100)

    with pytest.raises(Invalid, match=r"your plan \(Trial\)"):
        studio.market.list_work(creator, work.id, {"standard": STANDARD})
    plan_invoice = upgrade(studio, creator)
    studio.market.list_work(
        creator, work.id, {"personal": PERSONAL, "standard": STANDARD, "exclusive": EXCLUSIVE}
    )
    assert [v.work.id for v in studio.market.on_market()] == [work.id]

    standard, new = studio.market.buy(buyer, work.id, "standard", "buy-1")
    assert new and standard.price == STANDARD and standard.commission == 980
    replay, again = studio.market.buy(buyer, work.id, "standard", "buy-1")
    assert (replay.id, again) == (standard.id, False)
    with pytest.raises(Conflict):
        studio.market.buy(buyer, work.id, "personal", "buy-1")  # same key, other purchase

    exclusive, _ = studio.market.buy(rival, work.id, "exclusive", "rival-1")
    assert listing_state(studio, work.id) == "reserved"
    with pytest.raises(Conflict, match="waiting for payment"):
        studio.market.buy(buyer, work.id, "personal")

    for order in (standard, exclusive):
        assert order.invoice_id is not None
        studio.commerce.mark_paid(admin, order.invoice_id, "bank transfer")
        studio.commerce.mark_paid(admin, order.invoice_id, "replayed")  # pays once

    # The work left the market; the earlier Standard licence stays valid.
    assert studio.market.on_market() == []
    assert listing_state(studio, work.id) == "sold"
    assert studio.works.get(creator, work.id)[0].visibility == "unlisted"
    with pytest.raises(StudioError):
        studio.market.buy(buyer, work.id, "personal")
    with pytest.raises(Conflict, match="on the market or sold"):
        studio.works.delete(creator, [work.id])  # its buyers' licences name it
    standard_licence = studio.licences.mine(buyer)[0]
    assert (standard_licence.offer_kind, standard_licence.price) == ("standard", STANDARD)
    assert studio.licences.verify(standard_licence.id)[0] == "valid"
    clipart = [a["name"] for a in standard_licence.attribution]
    assert clipart and clipart == [src["name"] for src in work.lineage["sources"]]
    assert all(a["licence"].startswith("CC0") for a in standard_licence.attribution)

    # The books: the creator's statement, the admin's revenue view, invoices and ledger.
    share = STANDARD + EXCLUSIVE - (980 + 10_000)
    statement = studio.market.statement(creator)
    assert (statement.sales, statement.commission) == (STANDARD + EXCLUSIVE, 980 + 10_000)
    assert statement.earned == statement.balance == share
    assert statement.balance == balance(studio, f"user:{creator.user_id}:earnings")
    revenue = studio.commerce.revenue(admin)
    assert (
        revenue.by_kind["commission"]
        == 980 + 10_000
        == balance(studio, "studio:revenue:commission")
    )
    assert revenue.by_creator == {"creator@example.com": 980 + 10_000}
    assert revenue.by_kind["subscriptions"] == plan_invoice.total
    with studio.db.transaction() as s:
        paid = s.scalars(select(Invoice).where(Invoice.status == "paid")).all()
        received = -ledger.balance(s, "external:payments", EUR)
        books = ledger.totals(s, EUR)
    assert sum(i.total for i in paid) == received == plan_invoice.total + STANDARD + EXCLUSIVE
    assert sum(books.values()) == 0

    # Payouts: at least the minimum, at most what is free; marked paid by an admin.
    with pytest.raises(Invalid, match="at least"):
        studio.market.request_payout(creator, settings.market_min_payout - 1)
    with pytest.raises(Invalid, match="at most"):
        studio.market.request_payout(creator, share + 1)
    payout = studio.market.request_payout(creator, share - 1000)
    assert studio.market.available(creator) == 1000
    with pytest.raises(Forbidden):
        studio.market.mark_payout_paid(creator, payout.id)
    assert [p.id for p, _ in studio.market.payouts(admin)] == [payout.id]
    studio.market.mark_payout_paid(admin, payout.id, "SEPA 42")
    with pytest.raises(Conflict):
        studio.market.mark_payout_paid(admin, payout.id)
    final = studio.market.statement(creator)
    assert (final.paid_out, final.balance) == (share - 1000, 1000)
    assert final.balance == balance(studio, f"user:{creator.user_id}:earnings")
    assert balance(studio, "external:payouts") == share - 1000
    rows = final.csv().splitlines()
    assert rows[-1].endswith(f"{STANDARD + EXCLUSIVE},{980 + 10_000},1000")
    assert [line.kind for line in final.lines] == ["sale", "sale", "payout"]


# -- the exclusive race, on both databases ---------------------------------------------------


def test_exclusive_race_one_winner(both: Studio) -> None:
    studio = both
    creator = add_user(studio, "seller@example.com")
    upgrade(studio, creator)
    work = stylize_work(studio, creator, affirm=True)
    studio.market.list_work(creator, work.id, {"exclusive": EXCLUSIVE, "standard": STANDARD})
    buyers = [add_user(studio, f"buyer{i}@example.com") for i in range(4)]
    invoices_before = count(studio, Invoice)
    barrier = threading.Barrier(len(buyers))
    results: list[Order | StudioError] = []

    def race(who: Principal) -> None:
        barrier.wait()
        try:
            results.append(studio.market.buy(who, work.id, "exclusive")[0])
        except StudioError as exc:
            results.append(exc)

    threads = [threading.Thread(target=race, args=(b,)) for b in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    won = [r for r in results if isinstance(r, Order)]
    lost = [r for r in results if isinstance(r, StudioError)]
    assert len(won) == 1 and len(lost) == 3
    assert all(isinstance(e, Conflict) for e in lost)
    assert count(studio, Invoice) == invoices_before + 1
    assert count(studio, Order) == 1
    with studio.db.transaction() as s:
        listing = s.scalar(select(Listing).where(Listing.work_id == work.id))
        assert listing is not None and listing.state == "reserved"
        assert listing.reserved_order_id == won[0].id

    # The reservation runs out unpaid: its invoice is voided, the work is back on sale,
    # and paying the stale invoice is refused.
    with studio.db.transaction() as s:
        s.execute(update(Order).where(Order.id == won[0].id).values(expires_at=Order.created_at))
    assert studio.market.listing(None, work.id).on_sale
    winner = next(b for b in buyers if b.user_id == won[0].buyer_id)
    order, invoice = studio.market.order(winner, won[0].id)
    assert order.status == "expired" and invoice is not None and invoice.status == "void"
    with pytest.raises(Conflict):
        studio.commerce.mark_paid(admin_of(studio), invoice.id, "too late")
    assert balance(studio, f"user:{creator.user_id}:earnings") == 0
    second, _ = studio.market.buy(next(b for b in buyers if b is not winner), work.id, "exclusive")
    assert second.status == "open"


# -- ODRL, certificates and their signatures -----------------------------------------------------


def test_odrl_certificate_and_signature(studio: Studio) -> None:
    creator, buyer = add_user(studio, "artist@example.com"), add_user(studio, "agency@example.com")
    upgrade(studio, creator)
    work = stylize_work(studio, creator, affirm=True)
    studio.market.list_work(
        creator, work.id, {"standard": STANDARD, "personal": PERSONAL, "cc-by": 0}
    )
    order, _ = studio.market.buy(buyer, work.id, "standard")
    assert order.invoice_id is not None
    studio.commerce.mark_paid(admin_of(studio), order.invoice_id, "bank transfer")
    grant = studio.licences.get(buyer, studio.market.licence_of_order(buyer, order.id).id)

    policy = grant.policy
    assert policy["@type"] == "Agreement" and policy["uid"] == f"urn:atelier:licence:{grant.id}"
    assert policy["assigner"]["uid"] == f"urn:atelier:user:{creator.user_id}"
    assert policy["assignee"]["uid"] == f"urn:atelier:user:{buyer.user_id}"
    assert policy["target"]["uid"] == f"urn:sha256:{work.sha256}"
    actions = {p["action"]: p for p in policy["permission"]}
    assert {"use", "reproduce", "distribute", "modify", "commercialize"} <= set(actions)
    assert actions["reproduce"]["constraint"] == [
        {"leftOperand": "count", "operator": "lteq", "rightOperand": 500_000}
    ]
    assert {p["action"] for p in policy["prohibition"]} == {"sell", "grantUse"}

    free, _ = studio.market.buy(buyer, work.id, "cc-by")
    assert free.status == "free" and free.invoice_id is None
    cc = studio.market.licence_of_order(buyer, free.id)
    assert cc.price == 0 and cc.policy["dct:license"].endswith("/by/4.0/")
    assert cc.policy["permission"][0]["duty"][0]["action"] == "attribute"

    # The signature covers the record: it verifies, and fails once the record is altered.
    assert grant.signature is not None
    assert studio.licences.verify(grant.id)[0] == "valid"
    with studio.db.transaction() as s:
        s.execute(update(LicenceGrant).where(LicenceGrant.id == grant.id).values(price=1))
    verdict, _, checks = studio.licences.verify(grant.id)
    assert verdict == "invalid" and "does not match" in checks[0]
    with studio.db.transaction() as s:
        s.execute(update(LicenceGrant).where(LicenceGrant.id == grant.id).values(price=STANDARD))
    assert studio.licences.verify(grant.id)[0] == "valid"
    studio.market.revoke(admin_of(studio), grant.id, "chargeback")
    assert studio.licences.verify(grant.id)[0] == "revoked"
    assert studio.licences.verify("0" * 32)[0] == "not found"

    text = "".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(certificates.pdf(grant, "http://x/verify"))).pages
    )
    assert "Standard commercial" in text and work.sha256 in text.replace("\n", "")
    assert "EUR 49.00" in text


# -- one Idempotency-Key from many threads: one order, one invoice --------------------------


def test_one_key_from_many_threads_is_one_order_and_one_invoice(both: Studio) -> None:
    studio = both
    creator, buyer = add_user(studio, "seller@example.com"), add_user(studio, "buyer@example.com")
    upgrade(studio, creator)
    work = stylize_work(studio, creator, affirm=True)
    studio.market.list_work(creator, work.id, {"standard": STANDARD})
    invoices_before = count(studio, Invoice)
    start = threading.Barrier(8)

    def buy(_: int) -> tuple[str, bool]:
        start.wait()
        order, new = studio.market.buy(buyer, work.id, "standard", "same-key")
        return order.id, new

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(buy, range(8)))
    assert len({order_id for order_id, _ in answers}) == 1
    assert sorted(new for _, new in answers) == [False] * 7 + [True]
    assert count(studio, Order) == 1 and count(studio, Invoice) == invoices_before + 1
    packs = {studio.commerce.buy_pack(buyer, "pack-500", "pack-key").id for _ in range(3)}
    assert len(packs) == 1


# -- licences are signed when granted; reading or verifying one never writes -----------------


def test_licences_are_signed_when_granted_and_reading_never_writes(studio: Studio) -> None:
    creator, buyer = add_user(studio, "artist@example.com"), add_user(studio, "agency@example.com")
    upgrade(studio, creator)
    work = stylize_work(studio, creator, affirm=True)
    studio.market.list_work(creator, work.id, {"standard": STANDARD, "cc-by": 0})
    order, _ = studio.market.buy(buyer, work.id, "standard")
    free, _ = studio.market.buy(buyer, work.id, "cc-by")
    assert order.invoice_id is not None
    studio.commerce.mark_paid(admin_of(studio), order.invoice_id, "bank transfer")

    def stored() -> dict[str, Any]:
        with studio.db.transaction() as s:
            return {g.order_id: g.signature for g in s.scalars(select(LicenceGrant))}

    signatures = stored()  # nobody has looked at either licence yet
    assert set(signatures) == {order.id, free.id} and all(signatures.values())
    for grant_id in [g.id for g in studio.licences.mine(buyer)]:
        assert studio.licences.verify(grant_id)[0] == "valid"

    # A grant left unsigned (made before signing at grant): verifying it says so and
    # writes nothing; the studio signs it when it next starts.
    with studio.db.transaction() as s:
        s.execute(
            update(LicenceGrant).where(LicenceGrant.order_id == free.id).values(signature=null())
        )
    grant_id = studio.market.licence_of_order(buyer, free.id).id
    verdict, _, checks = studio.licences.verify(grant_id)
    assert verdict == "invalid" and "does not match" in checks[0]
    assert stored()[free.id] is None
    studio.prepare()
    assert stored()[free.id] is not None and studio.licences.verify(grant_id)[0] == "valid"


# -- first listings and affirmations racing: one row each, never a 500 ----------------------


def test_racing_first_listings_and_affirmations_make_one_row_each(both: Studio) -> None:
    studio = both
    creator = add_user(studio, "seller@example.com")
    upgrade(studio, creator)
    upload = studio.uploads.add(creator, "photo.png", image_bytes(96, 64))
    work = make_work(studio, creator, "image.stylize", {"image": upload.id, "style": 3})
    start = threading.Barrier(6)

    def affirm_and_list(i: int) -> str:
        start.wait()
        studio.market.affirm_upload(creator, upload.id)
        view = studio.market.list_work(creator, work.id, {"standard": STANDARD + i})
        assert view.listing is not None
        return view.listing.id

    with ThreadPoolExecutor(6) as pool:
        listing_ids = set(pool.map(affirm_and_list, range(6)))
    assert len(listing_ids) == 1 and count(studio, Listing) == 1
    assert count(studio, UploadRights) == 1
    view = studio.market.listing(creator, work.id)
    assert view.listing is not None and len(view.listing.offers) == 1


# -- migration 0006: duplicate live orders from before the constraint are resolved ---------


def test_migration_resolves_duplicate_orders_then_adds_the_constraint(both: Studio) -> None:
    studio = both
    creator, buyer = add_user(studio, "seller@example.com"), add_user(studio, "buyer@example.com")
    upgrade(studio, creator)
    work = stylize_work(studio, creator, affirm=True)
    studio.market.list_work(creator, work.id, {"standard": STANDARD, "personal": PERSONAL})
    standard, _ = studio.market.buy(buyer, work.id, "standard")
    personal, _ = studio.market.buy(buyer, work.id, "personal")
    assert personal.invoice_id is not None
    studio.commerce.mark_paid(admin_of(studio), personal.invoice_id, "bank transfer")

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = studio.db.engine
    command.downgrade(config, "0005_market")  # as it was: nothing stopped a second order
    table = Order.__table__
    later = standard.created_at + timedelta(seconds=1)
    with studio.db.transaction() as s:
        for original, copy in ((standard.id, "dup-open"), (personal.id, "dup-paid")):
            row = dict(s.execute(select(table).where(table.c.id == original)).mappings().one())
            s.execute(table.insert().values({**row, "id": copy, "created_at": later}))
    command.upgrade(config, "heads")

    with studio.db.transaction() as s:
        statuses = dict(s.execute(select(Order.id, Order.status)).all())
    assert statuses == {
        standard.id: "open",
        "dup-open": "void",
        personal.id: "paid",
        "dup-paid": "duplicate",
    }
    with pytest.raises(Conflict, match=f"you already have order {standard.id}"):
        studio.market.buy(buyer, work.id, "standard")
    with studio.db.transaction() as s:  # the database itself now refuses a second one
        row = dict(s.execute(select(table).where(table.c.id == standard.id)).mappings().one())
    with pytest.raises(IntegrityError), studio.db.transaction() as s:
        s.execute(table.insert().values({**row, "id": "dup-again", "idempotency_key": None}))
