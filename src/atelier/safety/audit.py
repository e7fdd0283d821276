"""The audit log: who did what to what, appended in the caller's transaction (so an
event is recorded exactly when the change it describes is committed), never changed.

Other rooms call `record`: it imports only the store, so any room may."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from atelier.store import paging
from atelier.store.models import AuditEntry, User


def record(
    session: Session,
    actor: str | None,
    action: str,
    subject: str,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one event. `actor`: the user id who acted (None: the system or the command
    line); `action`: dotted, e.g. "key.create"; `subject`: what it touched, e.g.
    "user:<id>"; `details`: JSON-able facts (never secrets)."""
    entry = AuditEntry(
        actor_id=actor, action=action[:64], subject=subject[:200], details=details or {}
    )
    session.add(entry)
    return entry


def query(
    session: Session,
    action: str | None = None,
    actor: str | None = None,
    subject: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
    after: paging.After | None = None,
) -> list[tuple[AuditEntry, str | None]]:
    """Entries newest first, each with its actor's e-mail. `action` matches a prefix
    ("key." finds key.create and key.revoke); `actor` is a user id or an e-mail."""
    statement = select(AuditEntry, User.email).outerjoin(User, User.id == AuditEntry.actor_id)
    if action:
        statement = statement.where(AuditEntry.action.startswith(action, autoescape=True))
    if actor and "@" in actor:
        statement = statement.where(User.email == actor.strip().lower())
    elif actor:
        statement = statement.where(AuditEntry.actor_id == actor)
    if subject:
        statement = statement.where(AuditEntry.subject == subject)
    if since:
        statement = statement.where(AuditEntry.at >= since)
    if until:
        statement = statement.where(AuditEntry.at < until)
    statement = paging.page(statement, AuditEntry.at, AuditEntry.id, limit, offset, after)
    return [(entry, email) for entry, email in session.execute(statement)]
