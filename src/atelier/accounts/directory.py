"""People as others see them and as admins manage them: display names, public handles
(/creators/HANDLE), self sign-up, finding users, disabling them."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from atelier.accounts.authz import ADMIN
from atelier.accounts.passwords import MIN_SCORE
from atelier.accounts.service import AccountError, add_user, check_new, find_user, hash_password
from atelier.safety import audit
from atelier.store.models import LoginSession, User

NAME_LIMIT = 80
HANDLE_LIMIT = 40
HANDLE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$")


def clean_display_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise AccountError("display_name", "display name is required")
    if len(name) > NAME_LIMIT:
        raise AccountError(
            "display_name",
            "display name must be at most %(most)s characters",
            {"most": NAME_LIMIT},
        )
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise AccountError("display_name", "display name may not contain control characters")
    return name


def _slug(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[: HANDLE_LIMIT - 4].strip("-")
    return slug if len(slug) >= 3 else f"creator-{slug}".strip("-")


def free_handle(db: Session, name: str) -> str:
    """A handle made from the display name, numbered when taken (ana, ana-2, ana-3…)."""
    base = _slug(name)
    taken = set(
        db.scalars(
            select(User.handle).where(or_(User.handle == base, User.handle.like(f"{base}-%")))
        )
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def sign_up(
    db: Session, email: str, password: str, display_name: str, min_score: int = MIN_SCORE
) -> User | None:
    """A new creator account with a display name and a free handle (audited as
    user.create, by the user themself); None when the e-mail has an account already.

    Everything is checked, and the password hashed, before the e-mail is looked up, so
    a taken e-mail costs the same work and gets the same errors as a free one."""
    name = clean_display_name(display_name)
    if password.strip().lower() == email.strip().lower():
        raise AccountError("password", "password must not be your e-mail address")
    email = check_new(email, password, "creator", min_score, (name,))
    password_hash = hash_password(password)
    if find_user(db, email) is not None:
        return None
    user = add_user(db, email, password_hash, "creator", None)
    user.display_name = name
    user.handle = free_handle(db, name)
    return user


def by_handle(db: Session, handle: str) -> User | None:
    if not HANDLE.match(handle):
        return None
    return db.scalar(select(User).where(User.handle == handle, User.disabled.is_(False)))


def find(db: Session, text: str = "", limit: int = 50, offset: int = 0) -> list[User]:
    """Users whose e-mail, display name or handle contains `text`, newest first."""
    query = select(User)
    if text.strip():
        like = f"%{text.strip().lower()}%"
        query = query.where(
            or_(
                User.email.like(like),
                func.lower(User.display_name).like(like),
                User.handle.like(like),
            )
        )
    query = query.order_by(User.created_at.desc(), User.id).limit(limit).offset(offset)
    return list(db.scalars(query))


def set_disabled(db: Session, user: User, disabled: bool, actor: str | None) -> User:
    """Disable (signed out everywhere, keys refused) or enable a user; audited. Nobody
    disables themself, and the last active admin stays."""
    if user.disabled == disabled:
        return user
    if disabled and actor == user.id:
        raise AccountError("disabled", "you cannot disable your own account")
    if disabled and user.role == ADMIN:
        active = db.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == ADMIN, User.disabled.is_(False))
        )
        if active == 1:
            raise AccountError(
                "disabled", "%(email)s is the only active admin", {"email": user.email}
            )
    user.disabled = disabled
    if disabled:
        db.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    action = "user.disable" if disabled else "user.enable"
    audit.record(db, actor, action, f"user:{user.id}", {"email": user.email})
    return user
