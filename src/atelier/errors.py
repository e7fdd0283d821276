"""Errors the studio and its rooms (commerce…) raise for a door to show; each names the
field that is wrong. A shared helper, like settings: every room may import it."""

from __future__ import annotations

from typing import Any


class Said(str):
    """A message filled in (it reads as the English text everywhere, the API included) that
    keeps its %(name)s form and values, so a page can say it in its reader's language: a
    field's message of an error with many (studio/catalogue.py, a parameter's check)."""

    message: str
    params: dict[str, Any]

    def __new__(cls, message: str, params: dict[str, Any]) -> Said:
        said = super().__new__(cls, message % params)
        said.message = message
        said.params = params
        return said


class Word(str):
    """A value put into a message that is itself a word of the interface (what kind of
    thing is missing, a status, a plan's name: "job", "succeeded", "Trial"): a page says
    it in its reader's language too (web/words.py lists those the catalogue holds; an
    operator's own plan is named as written)."""


class Sentences(str):
    """Sentences put into a message, each one of a known set (zxcvbn's advice on a
    password): it reads as them joined, and a page says each in its reader's language
    (web/words.py lists them)."""

    parts: tuple[str, ...]

    def __new__(cls, parts: list[str]) -> Sentences:
        sentences = super().__new__(cls, " ".join(parts))
        sentences.parts = tuple(parts)
        return sentences


class StudioError(Exception):
    status = 400
    title = "Bad request"

    def __init__(
        self,
        detail: str,
        field: str | None = None,
        errors: list[tuple[str, str]] | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        """With `params`, `detail` is a message with %(name)s places ("password must be
        %(low)s to %(high)s characters"): a page shows it in its reader's language
        (web/i18n.py `shown`); the API, the command line and logs read it filled in."""
        self.message = detail
        self.params = params or {}
        detail = detail % self.params if params else detail
        super().__init__(detail)
        self.detail = detail
        self.errors = errors if errors is not None else ([(field, detail)] if field else [])

    def members(self) -> dict[str, Any]:
        """What a problem document says beyond its detail (RFC 9457 extension members)."""
        return {}


class Invalid(StudioError):
    status = 422
    title = "Invalid input"


class NotFound(StudioError):
    status = 404
    title = "Not found"


class Forbidden(StudioError):
    status = 403
    title = "Forbidden"


class Conflict(StudioError):
    status = 409
    title = "Conflict"


class TooLarge(StudioError):
    status = 413
    title = "Too large"


class Unsupported(StudioError):
    status = 415
    title = "Unsupported media type"


class PaymentRequired(StudioError):
    status = 402
    title = "Payment required"


class NotEnoughCredits(PaymentRequired):
    """A balance short of what a job may cost: the amounts in credits (to the hundredth),
    so a door can say how many credits are missing and offer a way to buy them; `what`
    says what the cost is for ("for 4 variants"), when more than one result."""

    def __init__(self, needed: float, balance: float, what: str = "") -> None:
        self.needed = round(needed, 2)
        self.balance = round(balance, 2)
        self.what = what
        super().__init__(
            "this job costs up to %(needed)s credits %(what)s and your balance is %(balance)s: "
            "%(missing)s short; buy a credit pack or change plan"
            if what
            else "this job costs up to %(needed)s credits and your balance is %(balance)s: "
            "%(missing)s short; buy a credit pack or change plan",
            field="credits",
            params={
                "needed": credits_text(self.needed),
                "what": what,
                "balance": credits_text(self.balance),
                "missing": credits_text(self.missing),
            },
        )

    @property
    def missing(self) -> float:
        return round(self.needed - self.balance, 2)

    def members(self) -> dict[str, Any]:
        return {"needed": self.needed, "balance": self.balance, "missing": self.missing}


def credits_text(amount: float) -> str:
    """Credits as a message or a memo says them: 1,234.5, 49, 0.25."""
    return format(amount, ",.2f").rstrip("0").rstrip(".")


class TooManyRequests(StudioError):
    status = 429
    title = "Too many requests"


class RetryLater(TooManyRequests):
    """Too many requests for now; `retry_after`: the seconds until a try may work."""

    def __init__(self, detail: str, retry_after: int, params: dict[str, Any] | None = None) -> None:
        super().__init__(detail, params=params)
        self.retry_after = retry_after


class Unavailable(StudioError):
    """Nothing here can do it now (no worker serving an engine has been seen lately);
    `members`: what a client may show or act on."""

    status = 503
    title = "Service unavailable"

    def __init__(
        self,
        detail: str,
        field: str | None = None,
        params: dict[str, Any] | None = None,
        **members: Any,
    ) -> None:
        super().__init__(detail, field=field, params=params)
        self._members = members

    def members(self) -> dict[str, Any]:
        return dict(self._members)


class NotReady(Exception):
    """A process cannot start as configured (the schema is behind, the keys are not the
    studio's); its message names what to run or set. The CLI shows it as one line."""
