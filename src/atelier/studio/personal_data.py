"""A user's own data: all of it as one zip they can take away (GET /v1/me/export: the
account, API keys (never their secrets), uploads with their files, works with their files,
subscriptions, invoices, the ledger transactions that touch the user's accounts, orders
and licences (bought and sold), payouts and rights affirmations), and closing the account
(DELETE /v1/me): erased except what the law and buyers need."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, delete, inspect, or_, select
from sqlalchemy.orm import Session

from atelier.accounts import authz
from atelier.accounts.authz import Principal
from atelier.accounts.service import password_matches
from atelier.commerce.market_models import LicenceGrant, Listing, Order, Payout, UploadRights
from atelier.commerce.models import Invoice, LedgerEntry, LedgerTransaction, Subscription
from atelier.errors import Conflict, Forbidden, Invalid
from atelier.safety import audit
from atelier.settings import Settings
from atelier.store.artifacts import ArtifactStore
from atelier.store.db import Database
from atelier.store.models import (
    ApiKey,
    Base,
    Job,
    LoginSession,
    PasswordReset,
    Upload,
    User,
    Work,
    new_handle,
    new_id,
)
from atelier.store.outbox import EventStream, OutboxEvent, WebhookEndpoint
from atelier.studio.works import Works

SECRETS = {"password_hash", "key_hash", "signature", "secret"}  # never leave the studio


def row(obj: Base) -> dict[str, Any]:
    """A record's columns as JSON values, its secrets left out."""
    out: dict[str, Any] = {}
    for column in inspect(obj).mapper.column_attrs:
        if column.key in SECRETS:
            continue
        value = getattr(obj, column.key)
        out[column.key] = value.isoformat() + "Z" if isinstance(value, datetime) else value
    return out


class PersonalData:
    def __init__(
        self, settings: Settings, db: Database, artifacts: ArtifactStore, works: Works
    ) -> None:
        self.settings = settings
        self.db = db
        self.artifacts = artifacts
        self.works = works

    def export(self, who: Principal) -> Path:
        """The zip in the scratch folder; the caller deletes it."""
        with self.db.transaction() as s:
            tables = self._records(s, who.user_id)
            works = list(s.scalars(select(Work).where(Work.owner_id == who.user_id)))
            uploads = list(s.scalars(select(Upload).where(Upload.owner_id == who.user_id)))
        self.settings.scratch_dir.mkdir(parents=True, exist_ok=True)
        target = self.settings.scratch_dir / f"my-data-{new_id()}.zip"
        try:
            with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
                for name, rows in tables.items():
                    archive.writestr(f"{name}.json", json.dumps(rows, indent=2, default=str))
                for upload in uploads:
                    staged = self.artifacts.staged(upload.sha256)
                    archive.write(staged, f"uploads/{upload.id}-{Path(upload.filename).name}")
                self.works.write_works(archive, works, "works/")
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        return target

    def close(self, who: Principal, password: str) -> None:
        """Close the account, after its password once more. Erased: API keys, sessions,
        webhook endpoints, events, uploads, works and jobs, and their files, except works
        that a sale names (their buyers' licences and downloads need them: they stay,
        private and off the market);
        the e-mail, name and password are replaced, so it can never sign in again. Kept, as
        the law and buyers need: invoices, the ledger, orders, licences and payouts, under
        the anonymised account. A paid plan ends at its period's end."""
        authz.require_scope(who, "write")
        if who.via == "key":
            raise Forbidden("an account is closed from a signed-in session, not with a key")
        with self.db.transaction() as s:
            user = s.get(User, who.user_id)
            assert user is not None
            if not password_matches(user, password):
                raise Invalid("the password is not this account's", field="password")
            if authz.is_admin(who):
                raise Conflict("an admin account cannot be closed; another admin demotes it first")
            sold = set(s.scalars(select(Order.work_id).where(Order.seller_id == user.id)))
            sold |= set(
                s.scalars(select(LicenceGrant.work_id).where(LicenceGrant.licensor_id == user.id))
            )
            digests: set[str] = set()
            for work in s.scalars(select(Work).where(Work.owner_id == user.id)):
                if work.id in sold:
                    work.visibility = "private"
                    listing = s.scalar(select(Listing).where(Listing.work_id == work.id))
                    if listing is not None and listing.state == "listed":
                        listing.state = "unlisted"
                else:
                    digests |= {f.sha256 for f in work.files}
                    s.delete(work)
            s.flush()
            for job in s.scalars(select(Job).where(Job.owner_id == user.id)):
                if not job.works:
                    s.delete(job)
            for upload in s.scalars(select(Upload).where(Upload.owner_id == user.id)):
                digests.add(upload.sha256)
                s.delete(upload)
            for model in (ApiKey, LoginSession, PasswordReset):
                s.execute(delete(model).where(model.user_id == user.id))
            for owned in (WebhookEndpoint, OutboxEvent, EventStream):  # events out, and where
                s.execute(delete(owned).where(owned.owner_id == user.id))
            for sub in s.scalars(select(Subscription).where(Subscription.user_id == user.id)):
                sub.cancel_at_period_end = True
            user.email = f"closed-{user.id}@closed.invalid"
            user.password_hash, user.display_name = "closed", None
            user.handle, user.disabled = new_handle(), True
            audit.record(s, user.id, "user.close", f"user:{user.id}", {})
        self.works.erase_unneeded(digests)

    def _records(self, s: Session, user_id: str) -> dict[str, Any]:
        user = s.get(User, user_id)
        assert user is not None  # a signed-in principal's user exists
        transactions = s.scalars(
            select(LedgerTransaction)
            .where(
                or_(
                    LedgerTransaction.user_id == user_id,
                    LedgerTransaction.id.in_(
                        select(LedgerEntry.transaction_id).where(
                            LedgerEntry.account.startswith(f"user:{user_id}:", autoescape=True)
                        )
                    ),
                )
            )
            .order_by(LedgerTransaction.created_at)
        )
        invoices = s.scalars(select(Invoice).where(Invoice.user_id == user_id))
        mine = or_(LicenceGrant.licensee_id == user_id, LicenceGrant.licensor_id == user_id)
        return {
            "account": row(user),
            "api_keys": _rows(s, select(ApiKey).where(ApiKey.user_id == user_id)),
            "uploads": _rows(s, select(Upload).where(Upload.owner_id == user_id)),
            "subscriptions": _rows(s, select(Subscription).where(Subscription.user_id == user_id)),
            "invoices": [{**row(i), "lines": [row(line) for line in i.lines]} for i in invoices],
            "ledger": [{**row(t), "entries": [row(e) for e in t.entries]} for t in transactions],
            "orders": _rows(
                s, select(Order).where(or_(Order.buyer_id == user_id, Order.seller_id == user_id))
            ),
            "licences": _rows(s, select(LicenceGrant).where(mine)),
            "payouts": _rows(s, select(Payout).where(Payout.user_id == user_id)),
            "webhook_endpoints": _rows(
                s, select(WebhookEndpoint).where(WebhookEndpoint.owner_id == user_id)
            ),
            "upload_rights": _rows(s, select(UploadRights).where(UploadRights.owner_id == user_id)),
        }


def _rows(s: Session, query: Select[Any]) -> list[dict[str, Any]]:
    return [row(x) for x in s.scalars(query)]
