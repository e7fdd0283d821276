"""Accounts as the API shows them: who is signed in, API keys, password recovery."""

from __future__ import annotations

from pydantic import Field

from atelier.accounts.authz import Principal
from atelier.store.models import ApiKey
from atelier.web.schemas.common import Out, UtcTime


class KeyOut(Out):
    id: str
    name: str
    prefix: str
    scopes: list[str]
    created_at: UtcTime
    last_used_at: UtcTime | None
    revoked_at: UtcTime | None


class NewKeyOut(KeyOut):
    key: str = Field(description="The key itself: shown in this answer only.")


class MeOut(Out):
    id: str
    email: str
    role: str
    scopes: list[str]
    via: str = Field(description="session, key or local")


class SignedInUser(Out):
    id: str
    email: str
    role: str


class LoginOut(Out):
    user: SignedInUser
    csrf_token: str = Field(description="Send it as X-CSRF-Token on changes.")


class Accepted(Out):
    detail: str


class ResetLinkOut(Out):
    user_id: str
    url: str
    expires_at: UtcTime


def key_out(key: ApiKey) -> KeyOut:
    return KeyOut(
        id=key.id,
        name=key.name,
        prefix=key.prefix,
        scopes=key.scopes,
        created_at=key.created_at,
        last_used_at=key.last_used_at,
        revoked_at=key.revoked_at,
    )


def me_out(who: Principal) -> MeOut:
    return MeOut(
        id=who.user_id, email=who.email, role=who.role, scopes=list(who.scopes), via=who.via
    )
