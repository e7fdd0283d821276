"""Lock-out: after `failures` failed sign-ins in a row, an e-mail is refused for `seconds`
whatever password comes with it, and the lock is audited.

A lock is checked before the password is hashed, so guessing against a locked account
costs the server nothing. Failures count for any e-mail, known or not, and a lock looks
the same for both: it tells nobody which e-mails have accounts. A failure older than the
lock's length, or a lock that has ended, starts the count again; a good sign-in clears it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from atelier.accounts import service as accounts
from atelier.errors import RetryLater
from atelier.safety import audit
from atelier.settings import Settings
from atelier.store.models import SignInGuard, User, utcnow


@dataclass(frozen=True)
class Policy:
    failures: int
    seconds: int

    @classmethod
    def of(cls, settings: Settings) -> Policy:
        return cls(settings.lockout_failures, settings.lockout_seconds)


class Locked(RetryLater):
    """Sign-ins to this e-mail are refused for `retry_after` seconds more."""

    def __init__(self, retry_after: int) -> None:
        minutes = math.ceil(retry_after / 60)
        super().__init__(
            f"too many failed sign-ins: this account is locked; try again in {minutes} "
            f"minute{'s' if minutes != 1 else ''} or reset its password",
            retry_after,
        )


def sign_in(db: Session, email: str, password: str, policy: Policy) -> User | None:
    """The user whose e-mail and password these are (None: wrong), or Locked."""
    email = email.strip().lower()
    now = utcnow()
    locked_until = db.scalar(select(SignInGuard.locked_until).where(SignInGuard.email == email))
    if locked_until is not None and locked_until > now:
        raise Locked(max(1, math.ceil((locked_until - now).total_seconds())))
    user = accounts.authenticate(db, email, password)
    if user is not None:
        clear(db, email)
        return user
    _failed(db, email, policy)
    return None


def clear(db: Session, email: str) -> None:
    """Forget an e-mail's failures and lock (a good sign-in, a new password)."""
    db.execute(delete(SignInGuard).where(SignInGuard.email == email.strip().lower()))


def _failed(db: Session, email: str, policy: Policy) -> None:
    """Count one failure in a single statement (two failing at once both count); lock
    and audit when the count reaches the policy's."""
    now = utcnow()
    stale = or_(
        SignInGuard.last_failure_at < now - timedelta(seconds=policy.seconds),
        SignInGuard.locked_until <= now,
    )
    insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(SignInGuard)
        .values(email=email, failures=1, last_failure_at=now, locked_until=None)
        .on_conflict_do_update(
            index_elements=[SignInGuard.email],
            set_={
                "failures": case((stale, 1), else_=SignInGuard.failures + 1),
                "locked_until": case((stale, None), else_=SignInGuard.locked_until),
                "last_failure_at": now,
            },
        )
        .returning(SignInGuard.failures)
    )
    failures = db.execute(statement).scalar_one()
    user = accounts.find_user(db, email)
    actor, subject = (user.id, f"user:{user.id}") if user else (None, f"email:{email}")
    audit.record(db, actor, "auth.fail", subject, {"email": email, "failures": failures})
    if failures >= policy.failures:
        until = now + timedelta(seconds=policy.seconds)
        db.execute(update(SignInGuard).where(SignInGuard.email == email).values(locked_until=until))
        details = {"email": email, "failures": failures, "until": until.isoformat()}
        audit.record(db, actor, "auth.lock", subject, details)
