"""Who may do what, in one place: the `Principal` every room is handed, and the role,
scope and ownership checks the doors and services ask. Nothing else compares roles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session

from atelier.errors import Forbidden, NotFound, Word

SCOPES = ("read", "write")
ADMIN = "admin"
CREATOR_ROLES = (ADMIN, "creator")
REVIEWER = "reviewer"  # judges expert panels' items, and nothing else
PANEL_MAKERS = (ADMIN, "creator", "customer")
ADMIN_MEDIA = ("evaluation",)  # engines only admins may run (eval.compare)
READ_ONLY_KEY = "this API key may only read; create a key with the write scope"


@dataclass(frozen=True)
class Principal:
    """Who is asking, and with what rights (an API key may hold fewer than its user)."""

    user_id: str
    email: str
    role: str
    scopes: tuple[str, ...] = SCOPES
    via: str = "session"  # session | key | local
    csrf_token: str | None = None

    def can(self, scope: str) -> bool:
        return scope in self.scopes


class Owned(Protocol):
    owner_id: str


T = TypeVar("T", bound=Owned)


def is_admin(who: Principal | None) -> bool:
    return who is not None and who.role == ADMIN


def is_owner(who: Principal | None, owner_id: str) -> bool:
    return who is not None and who.user_id == owner_id


def require_scope(who: Principal, scope: str) -> None:
    """An API key acts only within its scopes (a session holds them all)."""
    if not who.can(scope):
        if scope == "write":
            raise Forbidden(READ_ONLY_KEY)
        raise Forbidden("this API key lacks the %(scope)s scope", params={"scope": scope})


def require_creator(who: Principal) -> None:
    """Making things (jobs, uploads) needs the write scope and a creator's role."""
    require_scope(who, "write")
    if who.role not in CREATOR_ROLES:
        raise Forbidden(
            "a %(role)s account cannot create; ask an admin for a creator role",
            params={"role": who.role},
        )


def require_engine(who: Principal, medium: str) -> None:
    """Some engines are the admins' tools (comparisons run as jobs), not a creator's."""
    if medium in ADMIN_MEDIA and not is_admin(who):
        raise Forbidden(
            "only admins may run %(medium)s engines", field="engine", params={"medium": medium}
        )


def require_panel_maker(who: Principal) -> None:
    """Admins and clients make expert panels over their works; reviewers only judge."""
    require_scope(who, "write")
    if who.role not in PANEL_MAKERS:
        raise Forbidden(
            "a %(role)s account cannot make panels; it reviews them", params={"role": who.role}
        )


def may_review(role: str) -> bool:
    """Accounts that may sit on a panel: reviewers, and admins."""
    return role in (REVIEWER, ADMIN)


def require_admin(who: Principal, scope: str = "read") -> None:
    if not is_admin(who):
        raise Forbidden("only admins may do this")
    if not who.can(scope):
        raise Forbidden("this API key lacks the %(scope)s scope", params={"scope": scope})


def owned_or_admin(s: Session, model: type[T], who: Principal, object_id: str) -> T:
    """The row if `who` owns it or is an admin; NotFound otherwise."""
    row: Any = s.get(model, object_id)
    if row is None or not (row.owner_id == who.user_id or is_admin(who)):
        label = str(getattr(model, "__tablename__", "object")).removesuffix("s")
        raise NotFound(
            "no %(label)s %(object_id)s",
            field=f"{label}_id",
            params={"label": Word(label), "object_id": object_id},
        )
    return row  # type: ignore[no-any-return]


def owned(s: Session, model: type[T], who: Principal, object_id: str) -> T:
    """The row if `who` owns it; NotFound otherwise, so others learn nothing of it."""
    row: Any = s.get(model, object_id)
    if row is None or row.owner_id != who.user_id:
        label = str(getattr(model, "__tablename__", "object")).removesuffix("s")
        raise NotFound(
            "no %(label)s %(object_id)s",
            field=f"{label}_id",
            params={"label": Word(label), "object_id": object_id},
        )
    return row  # type: ignore[no-any-return]
