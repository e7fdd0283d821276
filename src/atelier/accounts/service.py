"""Account operations inside a caller's transaction (access.py runs them for the doors).
Secrets are stored only as hashes: Argon2 for passwords, SHA-256 for random tokens
(session cookies, API keys) which carry their own entropy."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from atelier.accounts import passwords
from atelier.accounts.authz import ADMIN, SCOPES, Principal
from atelier.safety import audit
from atelier.store import paging
from atelier.store.models import ROLES, ApiKey, LoginSession, User, utcnow

LAST_USED_PRECISION = timedelta(minutes=1)
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")
_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("not a real password")


class AccountError(ValueError):
    """Bad account input; `field` names what is wrong."""

    def __init__(self, field: str, message: str, params: dict[str, object] | None = None) -> None:
        super().__init__(message % params if params else message)
        self.field = field
        self.message = message
        self.params = params or {}


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def session_id(token: str) -> str:
    """The stored id of the session a cookie token opens."""
    return _token_hash(token)


def check_new(
    email: str,
    password: str,
    role: str = "creator",
    min_score: int = passwords.MIN_SCORE,
    names: tuple[str, ...] = (),
) -> str:
    """The normalised e-mail of a new account, or AccountError naming what is wrong
    (the password: see passwords.check; `names` are the person's, not to be in it)."""
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise AccountError("email", "not an e-mail address")
    if role not in ROLES:
        raise AccountError("role", "role must be one of %(choices)s", {"choices": ", ".join(ROLES)})
    check_password(password, min_score, (email, *names))
    return email


def check_password(password: str, min_score: int, user_inputs: tuple[str, ...] = ()) -> None:
    try:
        passwords.check(password, min_score, user_inputs)
    except passwords.WeakPassword as exc:
        raise AccountError("password", exc.message, exc.params) from None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(
    db: Session,
    email: str,
    password: str,
    role: str = "creator",
    actor: str | None = None,
    min_score: int = passwords.MIN_SCORE,
) -> User:
    email = check_new(email, password, role, min_score)
    if db.scalar(select(User).where(User.email == email)):
        raise AccountError("email", "a user with e-mail %(email)s exists already", {"email": email})
    return add_user(db, email, hash_password(password), role, actor)


def add_user(db: Session, email: str, password_hash: str, role: str, actor: str | None) -> User:
    """Store a checked new account (see check_new) and audit it."""
    user = User(email=email, password_hash=password_hash, role=role)
    db.add(user)
    db.flush()
    audit.record(db, actor, "user.create", f"user:{user.id}", {"email": email, "role": role})
    return user


def set_role(db: Session, user: User, role: str, actor: str | None = None) -> User:
    """Change a user's role (audited); the last admin cannot be demoted."""
    if role not in ROLES:
        raise AccountError("role", "role must be one of %(choices)s", {"choices": ", ".join(ROLES)})
    if user.role == role:
        return user
    admins = db.scalar(select(func.count()).select_from(User).where(User.role == ADMIN))
    if user.role == ADMIN and admins == 1:
        raise AccountError(
            "role", "%(email)s is the only admin; make another admin first", {"email": user.email}
        )
    audit.record(db, actor, "user.role", f"user:{user.id}", {"from": user.role, "to": role})
    user.role = role
    return user


def find_user(db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(User.email == email.strip().lower()))


def has_admin(db: Session) -> bool:
    return bool(db.scalar(select(func.count()).select_from(User).where(User.role == ADMIN)))


def password_matches(user: User | None, password: str) -> bool:
    """Whether `password` is the user's; with no user it costs the same and is False."""
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return user is not None


def authenticate(db: Session, email: str, password: str) -> User | None:
    user = find_user(db, email)
    if not password_matches(user, password) or user is None or user.disabled:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def ensure_admin(
    db: Session, email: str, password: str | None, min_score: int = passwords.MIN_SCORE
) -> str | None:
    """Create the first admin if there is none; returns a generated password (shown once)."""
    if has_admin(db):
        return None
    generated = None if password else secrets.token_urlsafe(15)
    create_user(db, email, password or generated or "", role=ADMIN, min_score=min_score)
    return generated


def principal_for(user: User, **extra: object) -> Principal:
    return Principal(user_id=user.id, email=user.email, role=user.role, **extra)  # type: ignore[arg-type]


def start_session(db: Session, user: User, days: int) -> tuple[str, LoginSession]:
    """Returns the cookie token (shown once) and the stored session."""
    token = secrets.token_urlsafe(32)
    login = LoginSession(
        id=_token_hash(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(24),
        expires_at=utcnow() + timedelta(days=days),
    )
    db.add(login)
    audit.record(db, user.id, "auth.sign_in", f"user:{user.id}", {"email": user.email})
    return token, login


def session_principal(db: Session, token: str) -> Principal | None:
    login = db.get(LoginSession, _token_hash(token))
    if login is None or login.expires_at < utcnow():
        return None
    user = db.get(User, login.user_id)
    if user is None or user.disabled:
        return None
    return principal_for(user, via="session", csrf_token=login.csrf_token)


def end_session(db: Session, token: str) -> None:
    login = db.get(LoginSession, _token_hash(token))
    if login is not None:
        db.delete(login)


def create_key(db: Session, user_id: str, name: str, scopes: list[str]) -> tuple[str, ApiKey]:
    """Returns the key (shown once) and its stored record."""
    if not scopes or any(s not in SCOPES for s in scopes):
        raise AccountError(
            "scopes",
            "scopes must be a non-empty list of %(choices)s",
            {"choices": ", ".join(SCOPES)},
        )
    if not 1 <= len(name) <= 100:
        raise AccountError("name", "name must be 1 to 100 characters")
    prefix = secrets.token_hex(6)
    key = f"atk_{prefix}_{secrets.token_urlsafe(32)}"
    record = ApiKey(
        user_id=user_id,
        name=name,
        prefix=prefix,
        key_hash=_token_hash(key),
        scopes=sorted(set(scopes)),
    )
    db.add(record)
    db.flush()
    details = {"name": name, "prefix": prefix, "scopes": record.scopes}
    audit.record(db, user_id, "key.create", f"key:{record.id}", details)
    return key, record


def key_principal(db: Session, key: str) -> Principal | None:
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != "atk":
        return None
    record = db.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if record is None or record.revoked_at is not None:
        return None
    if not secrets.compare_digest(record.key_hash, _token_hash(key)):
        return None
    user = db.get(User, record.user_id)
    if user is None or user.disabled:
        return None
    now = utcnow()
    if record.last_used_at is None or now - record.last_used_at > LAST_USED_PRECISION:
        record.last_used_at = now  # at most once a minute: reads need not all write
    return principal_for(user, via="key", scopes=tuple(record.scopes))


def list_keys(
    db: Session, user_id: str, limit: int = 100, after: paging.After | None = None
) -> list[ApiKey]:
    """A user's API keys, oldest first."""
    query = select(ApiKey).where(ApiKey.user_id == user_id)
    return list(db.scalars(paging.page(query, ApiKey.created_at, ApiKey.id, limit, 0, after, True)))


def revoke_key(db: Session, user_id: str, key_id: str) -> ApiKey | None:
    record = db.get(ApiKey, key_id)
    if record is None or record.user_id != user_id:
        return None
    if record.revoked_at is None:
        record.revoked_at = utcnow()
        audit.record(db, user_id, "key.revoke", f"key:{record.id}", {"prefix": record.prefix})
    return record
