"""Changing a password, and resetting a forgotten one by a link.

A reset link carries a random token (stored only as its SHA-256), works once, and ends
after `minutes`; a newer link replaces older ones. An admin makes one for a person
(`atelier admin reset-link`, /admin/users), or the person asks for one at
/password/forgot and the mail hook delivers it. A new password, however it was set,
signs the account out everywhere else, ends its lock-out and is audited."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from atelier.accounts import authz, lockout, mail
from atelier.accounts import service as accounts
from atelier.accounts.authz import Principal
from atelier.accounts.service import AccountError
from atelier.errors import NotFound
from atelier.safety import audit
from atelier.settings import Settings
from atelier.store.db import Database
from atelier.store.models import LoginSession, PasswordReset, User, utcnow

RESET_PATH = "/password/reset"
BAD_LINK = "this reset link is unknown, used already or expired; ask for a new one"


@dataclass(frozen=True)
class ResetLink:
    url: str
    expires_at: datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def change(
    db: Session,
    user_id: str,
    current: str,
    new: str,
    min_score: int,
    keep_session: str | None = None,
) -> User:
    """Set a new password after checking the current one; other sessions end
    (`keep_session`: the cookie token of the session asking, which stays)."""
    user = db.get(User, user_id)
    if user is None or user.disabled:
        raise AccountError("current_password", "no such account")
    if not accounts.password_matches(user, current):
        raise AccountError("current_password", "that is not your current password")
    _set(db, user, new, min_score, "change", keep_session)
    return user


def make_link(
    db: Session, user: User, base_url: str, minutes: int, by: str, actor: str | None = None
) -> ResetLink:
    """A new reset link for `user` (older ones stop working); audited with who made it
    (`by`: admin, mail or command line; `actor`: the admin's id)."""
    now = utcnow()
    _end_links(db, user.id, now)
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(minutes=minutes)
    db.add(PasswordReset(id=_hash(token), user_id=user.id, created_by=actor, expires_at=expires))
    details = {"email": user.email, "by": by, "minutes": minutes}
    audit.record(db, actor, "user.reset_link", f"user:{user.id}", details)
    return ResetLink(f"{base_url.rstrip('/')}{RESET_PATH}?token={token}", expires)


def admin_link(
    db: Session, admin: Principal, user_id: str, base_url: str, minutes: int
) -> tuple[User, ResetLink]:
    """A reset link an admin makes for someone, to hand over themselves."""
    authz.require_admin(admin, "write")
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("no user %(user_id)s", field="user_id", params={"user_id": user_id})
    return user, make_link(db, user, base_url, minutes, "admin", admin.user_id)


def link_user(db: Session, token: str) -> User | None:
    """The account a reset link is for, while it works."""
    record = db.get(PasswordReset, _hash(token))
    if record is None or record.used_at is not None or record.expires_at <= utcnow():
        return None
    user = db.get(User, record.user_id)
    return None if user is None or user.disabled else user


def reset(db: Session, token: str, new: str, min_score: int) -> User:
    """Set a new password with a reset link, which is used up."""
    user = link_user(db, token)
    if user is None:
        raise AccountError("token", BAD_LINK)
    _set(db, user, new, min_score, "reset", None)
    return user


def mail_link(database: Database, settings: Settings, email: str) -> None:
    """Send a reset link to `email` when it has an account (nothing otherwise: the
    person asking is told the same either way). Delivered in the background, so the
    answer takes as long whether or not there was a mail to send. The link is on
    ATELIER_PUBLIC_URL, never on the address the request named (a forged Host header
    would otherwise send the token to another site)."""
    hook = settings.mail_hook
    if not hook:
        return
    with database.transaction() as s:
        user = accounts.find_user(s, email)
        if user is None or user.disabled:
            return
        minutes = settings.password_reset_minutes
        link = make_link(s, user, settings.resolved_public_url, minutes, "mail")
        to = user.email
    text = (
        f"Someone, we hope you, asked to reset the password of the Atelier account {to}.\n\n"
        f"Choose a new password here within {minutes} minutes (the link works once):\n"
        f"{link.url}\n\n"
        "If it was not you, ignore this mail: your password stays as it is.\n"
    )
    mail.send_later(hook, to, "Reset your Atelier password", text)


def _set(
    db: Session, user: User, new: str, min_score: int, how: str, keep_session: str | None
) -> None:
    accounts.check_password(new, min_score, (user.email, user.display_name or ""))
    user.password_hash = accounts.hash_password(new)
    now = utcnow()
    _end_links(db, user.id, now)
    ended = delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep_session:
        ended = ended.where(LoginSession.id != accounts.session_id(keep_session))
    db.execute(ended)
    lockout.clear(db, user.email)
    audit.record(db, user.id, "user.password", f"user:{user.id}", {"how": how})


def _end_links(db: Session, user_id: str, now: datetime) -> None:
    db.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
