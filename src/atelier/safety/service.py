"""The safety service the studio holds: it screens requests and outputs, keeps the
policy, holds works for review and records decisions. The studio decides when each step
happens (and releases credits on a rejection); this service never calls back."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from atelier.engines.custom import MODEL_KEY, is_id
from atelier.errors import Invalid
from atelier.safety import audit, policy, review
from atelier.safety.categories import CATEGORIES
from atelier.safety.findings import Finding, Verdict
from atelier.safety.image import ImageScreen
from atelier.safety.text import TextScreen
from atelier.store import paging
from atelier.store.db import Database
from atelier.store.models import Job, Review, Work

# Prose from a text engine is screened for these; a story may name a real person.
OUTPUT_TEXT_CATEGORIES = {"minors", "sexual", "violence", "hate", "self_harm", "unreadable"}
# ...by these layers: the profanity model finds only profanity, which prose may hold.
OUTPUT_TEXT_LAYERS = ("blocklist", "semantic")
# The most free text a request whose parameters fail their checks is screened for.
UNCHECKED_SCREEN_CHARS = 2000


def free_text(
    params: dict[str, Any], schema: dict[str, Any], uploads: Iterable[str]
) -> dict[str, str]:
    """Every string a person wrote into a request, by path ("params.prompt",
    "params.tags.0"): all string values, nested ones too, except upload ids, fixed
    choices (an enum or literal in the engine's schema) and the ids of the caller's own
    models and datasets, which the studio checks by owner: 32 random hex digits are no
    prose, and the screen's meaning layer read one as hate."""
    properties = schema.get("properties", {})
    skip = set(uploads)
    texts: dict[str, str] = {}

    def walk(path: str, value: Any) -> None:
        if isinstance(value, str):
            if value.strip():
                texts[path] = value
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(f"{path}.{key}", item)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(f"{path}.{index}", item)

    for name, value in params.items():
        prop = properties.get(name, {})
        if name in skip or _is_choice(prop, schema) or _names_own_thing(prop, value):
            continue
        walk(f"params.{name}", value)
    return texts


def _names_own_thing(prop: dict[str, Any], value: Any) -> bool:
    """Whether a field's value is the id of a model or dataset (see engines.custom)."""
    names = MODEL_KEY in prop or prop.get("format") == "dataset"
    return names and is_id(value)


def _is_choice(prop: dict[str, Any], schema: dict[str, Any]) -> bool:
    for option in [prop, *prop.get("anyOf", [])]:
        ref = option.get("$ref", "")
        if ref.startswith("#/$defs/"):
            option = schema.get("$defs", {}).get(ref.removeprefix("#/$defs/"), {})
        if "enum" in option or "const" in option:
            return True
        if option.get("type") == "array" and _is_choice(option.get("items", {}), schema):
            return True  # a list of fixed choices (restore's steps); a value the list's
            # schema refuses ("white_balance, kill them all") is refused by validation
    return False


class Safety:
    def __init__(self, db: Database, threads: int = 0) -> None:
        self.db = db
        self.text = TextScreen(threads)
        self.image = ImageScreen()

    # -- screening -------------------------------------------------------------------

    def policy(self) -> dict[str, str]:
        """A read without SQLite's write lock: an output screen decides while the spine's
        transaction, which waits for its verdict, holds that lock."""
        with self.db.reading() as s:
            return policy.actions(s)

    def screen_request(self, texts: dict[str, str]) -> Verdict:
        """The verdict on a request's texts (see `free_text`), before any job exists."""
        if not texts:
            return Verdict("allow")
        return policy.decide(self.text.screen(texts), self.policy())

    def refuse_unchecked(
        self, params: dict[str, Any], schema: dict[str, Any], uploads: Iterable[str]
    ) -> None:
        """Raise the refusal of a request whose parameters failed their checks, if the
        screen refuses its text: what it asks for is refused for that, whatever else is
        wrong ("he's in 5th grade, … sensual" was answered by compose's parser, "could not
        read 'he's'"). Only a prompt's worth of text is screened unchecked, so that a
        refused request costs no more than a checked one."""
        texts = free_text(params, schema, uploads)
        if sum(len(text) for text in texts.values()) <= UNCHECKED_SCREEN_CHARS:
            verdict = self.screen_request(texts)
            if verdict.blocked_by is not None:
                raise self.refusal(verdict)

    def warm(self) -> None:
        """Load the prompt screen's models (word lists, the profanity model, the sentence
        encoder and its category vectors) by screening one harmless prompt."""
        self.text.screen({"prompt": "a red fox under a pine tree at sunset"})

    def screen_output(self, files: Iterable[tuple[str, str, bytes]]) -> Verdict:
        """The verdict on what an engine made, given as (name, mime, data): images by
        NudeNet (when installed), text by the text screen. The studio holds a flagged or
        blocked work for review: nothing is destroyed or blacked out."""
        found: list[Finding] = []
        for name, mime, data in files:
            kind = mime.split("/")[0]
            if kind == "image" and self.image.unavailable() is None:
                found += self.image.findings(name, data)
            elif kind == "text":
                text = data.decode("utf-8", errors="replace")
                found += [
                    f
                    for f in self.text.screen({name: text}, OUTPUT_TEXT_LAYERS)
                    if f.category in OUTPUT_TEXT_CATEGORIES
                ]
        return policy.decide(found, self.policy()) if found else Verdict("allow")

    @staticmethod
    def refusal(verdict: Verdict) -> Invalid:
        return policy.refusal(verdict)

    # -- steps inside the studio's transactions --------------------------------------

    @staticmethod
    def note_request(session: Session, job_id: str, verdict: Verdict) -> None:
        review.note_request(session, job_id, verdict)

    @staticmethod
    def hold(session: Session, job: Job, work: Work, output: Verdict) -> Review | None:
        return review.hold(session, job, work, output)

    @staticmethod
    def review(session: Session, review_id: str) -> tuple[Review, Work, str] | None:
        return review.one(session, review_id)

    @staticmethod
    def decide(
        session: Session, actor: str, item: Review, work: Work, approve: bool, reason: str
    ) -> None:
        review.decide(session, actor, item, work, approve, reason)

    # -- admin views -----------------------------------------------------------------

    def describe_policy(self) -> dict[str, Any]:
        """The policy as admins see it: every category with its action and default."""
        current, unavailable = self.policy(), self.image.unavailable()
        return {
            "categories": [
                {
                    "name": c.name,
                    "title": c.title,
                    "action": current[c.name],
                    "default": c.default,
                    "locked": c.locked,
                }
                for c in CATEGORIES
            ],
            "image_screen": {"available": unavailable is None, "reason": unavailable},
        }

    def change_policy(self, actor: str, changes: dict[str, str]) -> dict[str, Any]:
        """Raises policy.PolicyError for an unknown category or action, or a locked one."""
        with self.db.transaction() as s:
            policy.change(s, actor, changes)
        return self.describe_policy()

    def reviews(
        self, status: str | None, limit: int, offset: int, after: paging.After | None = None
    ) -> list[tuple[Review, Work, str]]:
        with self.db.transaction() as s:
            return review.listing(s, status, limit, offset, after)

    def audit_event(self, event: str, details: dict[str, Any]) -> None:
        """Record an event another room reports without a session of its own (e.g. the
        provenance service's key creation and rotation)."""
        subject = str(details.get("subject") or event.partition(".")[0])
        with self.db.transaction() as s:
            audit.record(s, None, event, subject, details)
