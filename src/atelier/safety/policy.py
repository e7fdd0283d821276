"""The moderation policy: an action per category, set by admins, and how findings
become a verdict."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from atelier.errors import Invalid, Word
from atelier.safety import audit
from atelier.safety.categories import ACTIONS, BY_NAME, CATEGORIES
from atelier.safety.findings import Finding, Verdict
from atelier.store.models import ModerationRule, utcnow

STRICTNESS = {action: rank for rank, action in enumerate(ACTIONS)}
ORDER = [c.name for c in CATEGORIES]
ESCALATED = {"sexual", "real_person"}
MESSAGES = {
    "minors": "sexual content involving minors",
    "sexual": "sexual content or nudity",
    "violence": "graphic violence or gore",
    "hate": "hateful content about a group of people",
    "self_harm": "self-harm or suicide",
    "real_person": "a real person's likeness",
    "living_artist": "imitating a living artist's style",
    "profanity": "offensive language",
}
ESCALATED_MESSAGE = "sexual content showing a real person"
READS = "English and Chinese"
# A refusal's messages (web/words.py lists the words they are filled in with).
ASKS_FOR = "%(field)s asks for %(what)s, which this studio doesn't make; please rephrase it"
UNREADABLE = (
    "%(field)s is written in a way this studio's screen cannot read (%(evidence)s); it reads "
    "%(reads)s, please write it in one of those"
)


class PolicyError(ValueError):
    """A change an admin may not make; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def actions(session: Session) -> dict[str, str]:
    """The action for every category: the admin's, or the default."""
    chosen = {rule.category: rule.action for rule in session.scalars(select(ModerationRule))}
    return {c.name: chosen.get(c.name, c.default) for c in CATEGORIES}


def change(session: Session, actor: str | None, changes: dict[str, str]) -> dict[str, str]:
    """Set actions (all or nothing), each change audited; returns the whole policy."""
    for name, action in changes.items():
        category = BY_NAME.get(name)
        if category is None:
            known = ", ".join(BY_NAME)
            raise PolicyError(f"actions.{name}", f"no category {name!r}; categories: {known}")
        if action not in ACTIONS:
            raise PolicyError(f"actions.{name}", f"action must be one of {', '.join(ACTIONS)}")
        if category.locked and STRICTNESS[action] < STRICTNESS[category.default]:
            raise PolicyError(
                f"actions.{name}", f"{category.title.lower()} is always {category.default}ed"
            )
    current = actions(session)
    for name, action in changes.items():
        if current[name] == action:
            continue
        rule = session.get(ModerationRule, name) or ModerationRule(category=name)
        rule.action, rule.updated_by, rule.updated_at = action, actor, utcnow()
        session.add(rule)
        audit.record(
            session,
            actor,
            "moderation.policy",
            f"category:{name}",
            {"from": current[name], "to": action},
        )
        current[name] = action
    return current


def decide(findings: list[Finding], policy: dict[str, str]) -> Verdict:
    """The strictest action any finding calls for. Sexual content showing a real person
    is always blocked, as sexual content involving minors is; a finding marked for review
    is held, never refused (safety/against.py)."""
    categories = {f.category for f in findings}
    escalated = categories >= ESCALATED

    def action(finding: Finding) -> str:
        if escalated and finding.category in ESCALATED:
            return "block"
        chosen = policy.get(finding.category, "flag")
        return "flag" if finding.review and chosen == "block" else chosen

    kept = tuple(f for f in findings if action(f) != "allow")
    blocking = [f for f in kept if action(f) == "block"]
    if blocking:
        first = min(blocking, key=lambda f: ORDER.index(f.category))
        return Verdict("block", kept, first)
    return Verdict("flag", kept) if kept else Verdict("allow")


def refusal(verdict: Verdict) -> Invalid:
    """What a refused person reads: what was found and where, without a lecture (its
    message kept in its %(name)s form, the category's words given as errors.Word, for a
    page to say in its reader's language)."""
    finding = verdict.blocked_by
    assert finding is not None
    if finding.category == "unreadable":
        said = {"field": finding.field, "evidence": finding.evidence, "reads": Word(READS)}
        return Invalid(UNREADABLE, field=finding.field, params=said)
    what = MESSAGES.get(finding.category, finding.category)
    if set(verdict.categories) >= ESCALATED and finding.category in ESCALATED:
        what = ESCALATED_MESSAGE
    return Invalid(
        ASKS_FOR, field=finding.field, params={"field": finding.field, "what": Word(what)}
    )
